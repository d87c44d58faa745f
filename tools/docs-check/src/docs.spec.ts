import { execFile } from 'node:child_process';
import { parseLvmdConfig } from '@copse/lvm-model';
import { startSimulatedLvmdHttp, type LocalLvmdHttp } from '@copse/testnode';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { shCommands, shellWords } from './shell-words';

const run = promisify(execFile);
const root = join(__dirname, '../../..');
const docs = readFileSync(join(root, 'docs/lvmd-http.md'), 'utf8');

describe('shellWords', () => {
  it('splits quotes like a shell and refuses shell syntax', () => {
    expect(shellWords(`curl -d '{"a": 1}' "x y" z`)).toEqual(['curl', '-d', '{"a": 1}', 'x y', 'z']);
    expect(() => shellWords('curl x; rm -rf /')).toThrow(/no shell/);
  });
});

describe('docs/lvmd-http.md curl examples against the quick-start instance', () => {
  let dir: string;
  let daemon: LocalLvmdHttp | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'copse-docs-'));
    // the docs say --unix-socket run/lvmd.sock: curl runs in dir
    daemon = await startSimulatedLvmdHttp({
      workspaceRoot: root,
      configPath: join(root, 'apps/lvmd-http/dev/lvmd.yaml'),
      socket: join(dir, 'run/lvmd.sock'),
    });
    // startSimulatedLvmdHttp waits up to 30 s and kills the daemon when it gives up, so the
    // hook must outlast it: jest's default 5 s left a late daemon running and jest hanging
  }, 45_000);

  afterAll(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const commands = shCommands(docs).filter((c) => c.startsWith('curl '));

  it('documents every operation the issue names', () => {
    const text = commands.join('\n');
    for (const needle of ['/v1/device-classes', '-X PUT http://localhost/v1/logical-volumes/vol1', '"accessType": "ro"', '"name": "restore1"', '"name": "clone1"', '-X PATCH', '-X DELETE', '/activation']) {
      expect([needle, text.includes(needle)]).toEqual([needle, true]);
    }
  });

  it('shows lvmd.yaml examples that parse as lvmd.yaml', () => {
    const yamls = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(yamls.length).toBeGreaterThan(0);
    for (const y of yamls) expect(() => parseLvmdConfig(y)).not.toThrow();
  });

  it('runs every example in order, each answered with 2xx', async () => {
    const failures: string[] = [];
    for (const command of commands) {
      const [file, ...args] = shellWords(command);
      try {
        await run(file!, [...args, '--fail-with-body', '-o', '/dev/null', '-w', '%{http_code}'], { cwd: dir, timeout: 10_000 });
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; message: string };
        failures.push(`${command}\n  -> ${err.stdout ?? ''} ${err.stderr ?? err.message}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
