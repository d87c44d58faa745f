import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { agentSources } from './agent-source';

describe('agentSources', () => {
  it('gives the guest plain CommonJS that only requires node built-ins and ./protocol', () => {
    const sources = agentSources();
    expect(Object.keys(sources).sort()).toEqual(['agent.js', 'protocol.js']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-src-'));
    try {
      for (const [name, text] of Object.entries(sources)) {
        fs.writeFileSync(path.join(dir, name), text);
        execFileSync(process.execPath, ['--check', path.join(dir, name)]);
        const requires = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
        for (const r of requires) expect(r === './protocol' || r?.startsWith('node:')).toBe(true);
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const protocol = require(path.join(dir, 'protocol.js')) as { LVM_COMMANDS: string[] };
      expect(protocol.LVM_COMMANDS).toContain('lvcreate');
      expect(protocol.LVM_COMMANDS).not.toContain('sh');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
