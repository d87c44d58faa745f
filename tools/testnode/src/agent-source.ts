/**
 * The guest agent's JavaScript. After a build it is dist/guest/{agent,protocol}.js;
 * when running from sources (jest maps packages to src/), the .ts files are
 * transpiled on the fly with the workspace's typescript.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const AGENT_FILES = ['agent', 'protocol'] as const;

/** Returns file name -> JavaScript source for the files the guest needs. */
export function agentSources(guestDir = path.join(__dirname, 'guest')): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of AGENT_FILES) {
    const js = path.join(guestDir, `${name}.js`);
    const ts = path.join(guestDir, `${name}.ts`);
    if (fs.existsSync(js)) {
      out[`${name}.js`] = fs.readFileSync(js, 'utf8');
    } else if (fs.existsSync(ts)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const typescript = require('typescript') as typeof import('typescript');
      out[`${name}.js`] = typescript.transpileModule(fs.readFileSync(ts, 'utf8'), {
        compilerOptions: { module: typescript.ModuleKind.CommonJS, target: typescript.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: ts,
      }).outputText;
    } else {
      throw new Error(`guest agent ${name} not found in ${guestDir}`);
    }
  }
  return out;
}
