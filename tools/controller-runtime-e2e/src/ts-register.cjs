// TEST INFRASTRUCTURE: lets a child process run this workspace's TypeScript sources directly,
// as jest does for the suites (jest.preset.js): .ts files are compiled to CommonJS by swc on
// require, and @copse/<lib> resolves to libs/<lib>/src/index.ts, so no build is needed first.
// Usage: node -r ./src/ts-register.cjs ./src/lease-candidate.ts
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const swc = require('@swc/core');

const workspace = path.resolve(__dirname, '../../..');
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolve(request, parent, ...rest) {
  const match = /^@copse\/([a-z0-9-]+)$/.exec(request);
  if (match) {
    for (const dir of ['libs', 'tools']) {
      const candidate = path.join(workspace, dir, match[1], 'src/index.ts');
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  if ((request.startsWith('./') || request.startsWith('../')) && parent && parent.filename && parent.filename.endsWith('.ts')) {
    const candidate = path.resolve(path.dirname(parent.filename), `${request}.ts`);
    if (fs.existsSync(candidate)) return candidate;
  }
  return originalResolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function compile(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
