/**
 * The simulated backend's state file (--sim-state), which the kill tests rely on: it is
 * saved after every lvm command that changes something, before the answer is given, so a
 * SIGKILL between two commands finds exactly the commands that ran; and it is replaced by
 * a rename, so a SIGKILL during a save leaves the previous state, never a torn file.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLvmdConfig } from '@copse/lvm-model';
import { SimulatedLvm } from '@copse/lvm-sim';
import { DEV_CONFIG_PATH } from '../test/harness';
import { simulatedBackend } from './sim-backend';

const config = parseLvmdConfig(readFileSync(DEV_CONFIG_PATH, 'utf8'));
const GiB = 2 ** 30;

describe('the simulated backend state file', () => {
  it('holds every changing command as soon as it is answered, and reads back as the same lvm', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'copse-sim-state-'));
    const statePath = join(dir, 'state.json');
    const runner = await simulatedBackend({ config, vgSizeBytes: 100 * GiB, poolSizeBytes: 10 * GiB, statePath });
    const lvsOf = async (r: { run: SimulatedLvm['run'] }) => (await r.run(['lvs', 'myvg1', '-o', 'lv_name,lv_size,lv_tags', '--reportformat', 'json'])).stdout;
    for (const argv of [
      ['lvcreate', '-T', 'myvg1/pool0', '-n', 'a', '-V', '64m', '--addtag', 'copse.lvmd/creating=67108864'],
      ['lvcreate', '-s', '-k', 'n', '-n', 'b', 'myvg1/a'],
      ['lvresize', '-L', '128m', 'myvg1/b'],
      ['lvchange', '--deltag', 'copse.lvmd/creating=67108864', 'myvg1/a'],
    ]) {
      expect((await runner.run(argv)).exitCode).toBe(0);
      // what a process started right now (after a SIGKILL) would read
      const reread = SimulatedLvm.fromJSON(JSON.parse(readFileSync(statePath, 'utf8')));
      expect(await lvsOf(reread)).toBe(await lvsOf(runner));
    }
    // no temporary file is left behind
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('starts from the last complete state even when a save was cut short', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'copse-sim-state-'));
    const statePath = join(dir, 'state.json');
    const first = await simulatedBackend({ config, vgSizeBytes: 100 * GiB, poolSizeBytes: 10 * GiB, statePath });
    expect((await first.run(['lvcreate', '-T', 'myvg1/pool0', '-n', 'a', '-V', '64m'])).exitCode).toBe(0);
    // a save killed halfway through: only its temporary file is torn
    writeFileSync(`${statePath}.tmp`, '{"format":"copse-lvm-sim/1","devi');
    const second = await simulatedBackend({ config, vgSizeBytes: 100 * GiB, poolSizeBytes: 10 * GiB, statePath });
    expect(await second.run(['lvs', 'myvg1/a', '-o', 'lv_name', '--reportformat', 'json'])).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('"lv_name":"a"') });
  });
});
