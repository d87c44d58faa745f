// Shared jest settings: TypeScript through swc (type checking is the build's job),
// workspace packages resolved to their sources so tests never need a prior build.
const fs = require('node:fs');
const path = require('node:path');

/** The tools/ projects other suites import (those with a src/index.ts): the test server, the test node, the CSI stand-ins. */
function toolPackages() {
  const tools = path.join(__dirname, 'tools');
  return fs.readdirSync(tools).filter((d) => fs.existsSync(path.join(tools, d, 'src', 'index.ts')));
}

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(ts|js)$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // ESM-only packages (cookie 2, used by Fastify's inject; @kubernetes/client-node 1.x and
  // its ESM dependencies) are compiled to CommonJS for jest; Node itself loads them with
  // require(esm), which TypeScript allows under "module": "node20".
  transformIgnorePatterns: ['/node_modules/(?!(cookie|@kubernetes/client-node|openid-client|oauth4webapi|jose|jsonpath-plus|rfc4648)/)'],
  moduleNameMapper: {
    [`^@copse/(${toolPackages().join('|')})$`]: path.join(__dirname, 'tools/$1/src/index.ts'),
    '^@copse/([a-z0-9-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
