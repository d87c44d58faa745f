/**
 * The simulated dmsetup against dmsetup 1.02.185 on kernel 6.1: the same fill of a 64 MiB
 * pool as captured in the test node (libs/lvm-model/src/fixtures/dmsetup/README.md), step
 * by step, must print the captured output (uuids aside) and lvs the captured pool attr.
 * tools/lvmd-e2e holds the simulation to real dmsetup live as well.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LvmCancelledError } from '@copse/lvm-model';
import { SimulatedLvm } from '../simulated-lvm';

const MiB = 1024 ** 2;
const fixture = (name: string) => readFileSync(join(__dirname, '../../../lvm-model/src/fixtures/dmsetup', name), 'utf8');
const withoutUuid = (text: string) => text.replace(/^UUID: LVM-[A-Za-z0-9]{64}-tpool$/m, 'UUID: <uuid>');
const POOL = 'my--vg-pool0-tpool';

async function ok(sim: SimulatedLvm, argv: string[]) {
  const r = await sim.run(argv);
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} -> ${r.exitCode}\n${r.stdout}${r.stderr}`);
  return r;
}

/** The capture's setup: a 1 GiB disk, VG my-vg, a 64 MiB pool, thin LVs a (128 MiB) and b (64 MiB). */
async function captured(clock: { now: number }): Promise<SimulatedLvm> {
  const sim = new SimulatedLvm({ devices: { '/dev/vdb': 1024 * MiB }, now: () => new Date(clock.now), noSpaceTimeoutMs: 5000 });
  await ok(sim, ['pvcreate', '/dev/vdb']);
  await ok(sim, ['vgcreate', 'my-vg', '/dev/vdb']);
  await ok(sim, ['lvcreate', '-T', 'my-vg/pool0', '-L', `${64 * MiB}b`]);
  await ok(sim, ['lvcreate', '-T', 'my-vg/pool0', '-n', 'a', '-V', '128m', '-W', 'y', '-y']);
  await ok(sim, ['lvcreate', '-T', 'my-vg/pool0', '-n', 'b', '-V', '64m', '-W', 'y', '-y']);
  return sim;
}

const status = async (sim: SimulatedLvm) => withoutUuid((await sim.deviceMapper.run(['status', '--noflush', '-v', POOL])).stdout);
const poolAttr = async (sim: SimulatedLvm) =>
  (JSON.parse((await ok(sim, ['lvs', 'my-vg/pool0', '-o', 'lv_attr', '--reportformat', 'json'])).stdout) as { report: { lv: { lv_attr: string }[] }[] })
    .report[0]!.lv[0]!.lv_attr;

describe('the simulated dmsetup follows the captured fill of a 64 MiB pool', () => {
  it('prints what dmsetup printed at each step, and lvs the same pool attr', async () => {
    const clock = { now: Date.parse('2026-11-22T03:00:00Z') };
    const sim = await captured(clock);
    expect(await status(sim)).toBe(withoutUuid(fixture('status-v-fresh.txt')));

    sim.simulateWrite('my-vg', 'b', 24 * MiB);
    expect(await status(sim)).toBe(withoutUuid(fixture('status-v-partial.txt')));

    // every block in use, still writable (lvs: no D)
    sim.simulateWrite('my-vg', 'a', 40 * MiB);
    expect(await status(sim)).toBe(withoutUuid(fixture('status-v-full-rw.txt')));
    expect(await poolAttr(sim)).toBe('twi-aotz--');

    // one more write: out of data space, queue IO (the low-water event, then the mode's)
    expect(sim.simulateWrite('my-vg', 'a', 20 * MiB)).toBe(0);
    expect(await status(sim)).toBe(withoutUuid(fixture('status-v-out-of-data-space-queue.txt')));
    expect((await sim.deviceMapper.run(['status', '--noflush', POOL])).stdout).toBe(fixture('status-out-of-data-space-queue.txt'));
    expect(await poolAttr(sim)).toBe('twi-aotzD-');

    // no_space_timeout (5 s in the capture) later: error IO
    clock.now += 5000;
    sim.deviceMapper.settle();
    expect(await status(sim)).toBe(withoutUuid(fixture('status-v-out-of-data-space-error.txt')));
    expect(await poolAttr(sim)).toBe('twi-aotzD-');

    // b's 24 MiB freed: back to write mode; the writes that waited had failed
    await ok(sim, ['lvremove', '-f', 'my-vg/b']);
    expect(await status(sim)).toBe(withoutUuid(fixture('status-v-after-free.txt')));
    expect(await poolAttr(sim)).toBe('twi-aotz--');
  });

  it('answers a missing device as dmsetup does', async () => {
    const sim = await captured({ now: Date.now() });
    expect(await sim.deviceMapper.run(['status', '--noflush', '-v', 'my--vg-nosuch-tpool'])).toEqual({ exitCode: 1, stdout: '', stderr: fixture('status-missing.stderr') });
    expect(await sim.deviceMapper.run(['wait', 'my--vg-nosuch-tpool', '0'])).toEqual({ exitCode: 1, stdout: '', stderr: fixture('wait-missing.stderr') });
  });
});

describe('dmsetup wait on the simulated pool', () => {
  it('returns at once when the counter is already past, sleeps until the next event otherwise', async () => {
    const clock = { now: Date.now() };
    const sim = await captured(clock);
    sim.simulateWrite('my-vg', 'b', 24 * MiB);
    sim.simulateWrite('my-vg', 'a', 40 * MiB);
    sim.simulateWrite('my-vg', 'a', MiB);
    expect(await sim.deviceMapper.run(['wait', POOL, '1'])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    let woke = false;
    const waiting = sim.deviceMapper.run(['wait', POOL, '2']).then((r) => ((woke = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(woke).toBe(false);
    expect(sim.deviceMapper.sleeping).toBe(1);
    await ok(sim, ['lvremove', '-f', 'my-vg/b']);
    expect(await waiting).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('waits queue until space comes back, then go through and may fill the pool again', async () => {
    const sim = await captured({ now: Date.now() });
    sim.simulateWrite('my-vg', 'b', 24 * MiB);
    sim.simulateWrite('my-vg', 'a', 40 * MiB);
    sim.simulateWrite('my-vg', 'a', 8 * MiB); // 8 MiB wait
    await ok(sim, ['lvresize', '-L', '+4m', 'my-vg/pool0']);
    // 4 MiB more space: the waiting 8 MiB take it and run the pool out again
    expect((await sim.deviceMapper.run(['status', POOL])).stdout).toMatch(/ 1088\/1088 - out_of_data_space /);
    await ok(sim, ['lvremove', '-f', 'my-vg/b']);
    expect((await sim.deviceMapper.run(['status', POOL])).stdout).toMatch(/ 768\/1088 - rw /);
  });

  it('switches to error IO by its own timer at no_space_timeout, waking a wait', async () => {
    const sim = new SimulatedLvm({ devices: { '/dev/vdb': 1024 * MiB }, noSpaceTimeoutMs: 50 });
    for (const argv of [
      ['pvcreate', '/dev/vdb'],
      ['vgcreate', 'my-vg', '/dev/vdb'],
      ['lvcreate', '-T', 'my-vg/pool0', '-L', `${64 * MiB}b`],
      ['lvcreate', '-T', 'my-vg/pool0', '-n', 'a', '-V', '128m'],
    ]) {
      await ok(sim, argv);
    }
    sim.simulateWrite('my-vg', 'a', 65 * MiB);
    expect(await sim.deviceMapper.run(['wait', POOL, '2'])).toMatchObject({ exitCode: 0 });
    expect((await sim.deviceMapper.run(['status', POOL])).stdout).toMatch(/ out_of_data_space discard_passdown error_if_no_space /);
  });

  it('is ended by its signal, and a vanished device ends it as the kernel does', async () => {
    const sim = await captured({ now: Date.now() });
    const controller = new AbortController();
    const waiting = sim.deviceMapper.run(['wait', POOL, '0'], { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(LvmCancelledError);
    const second = sim.deviceMapper.run(['wait', POOL, '0']);
    await ok(sim, ['lvchange', '-a', 'n', 'my-vg/a']);
    await ok(sim, ['lvchange', '-a', 'n', 'my-vg/b']);
    await ok(sim, ['lvchange', '-a', 'n', 'my-vg/pool0']);
    expect(await second).toMatchObject({ exitCode: 0 });
    expect((await sim.deviceMapper.run(['status', '--noflush', '-v', POOL])).exitCode).toBe(1);
  });

  it('counts writes on the pool device and metadata commits on its _tmeta, as sysfs shows them', async () => {
    const sim = await captured({ now: Date.now() });
    const minor = Number(/Major, minor: +253, (\d+)/.exec((await sim.deviceMapper.run(['status', '-v', POOL])).stdout)![1]);
    const writes = () => sim.deviceMapper.blockStats(253, minor)!.map((l) => Number(l.trim().split(/\s+/)[4]));
    const before = writes();
    sim.simulateWrite('my-vg', 'a', MiB);
    const after = writes();
    expect(after[0]).toBeGreaterThan(before[0]!);
    expect(after[1]).toBeGreaterThan(before[1]!);
    await ok(sim, ['lvcreate', '-T', 'my-vg/pool0', '-n', 'c', '-V', '16m']);
    expect(writes()[1]).toBeGreaterThan(after[1]!);
    expect(writes()[0]).toBe(after[0]);
    expect(sim.deviceMapper.blockStats(253, 99)).toBeUndefined();
  });

  it('refuses what it does not simulate, plainly', async () => {
    const sim = await captured({ now: Date.now() });
    expect(await sim.deviceMapper.run(['table', POOL])).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'Command table is not implemented by the simulated dmsetup.\nCommand failed.\n',
    });
  });
});

describe('where the pool target lives, as the test node showed (dmsetup table)', () => {
  it('is VG-POOL until a thin LV uses the pool, then VG-POOL-tpool under a linear VG-POOL', async () => {
    const sim = new SimulatedLvm({ devices: { '/dev/vdb': 1024 * MiB } });
    for (const argv of [['pvcreate', '/dev/vdb'], ['vgcreate', 'vg0', '/dev/vdb'], ['lvcreate', '-T', 'vg0/pool0', '-L', `${64 * MiB}b`]]) await ok(sim, argv);
    const status = async (name: string) => (await sim.deviceMapper.run(['status', '--noflush', name])).stdout;
    // the capture (tools/testnode, lvm2 2.03.16): right after lvcreate -T, 111 of 1024 metadata blocks, transaction 0
    expect(await status('vg0-pool0')).toBe('0 131072 thin-pool 0 111/1024 0/1024 - rw discard_passdown queue_if_no_space - 256 \n');
    expect((await sim.deviceMapper.run(['status', 'vg0-pool0-tpool'])).exitCode).toBe(1);
    // the target's device carries the -tpool uuid even while it is named VG-POOL
    expect((await sim.deviceMapper.run(['status', '-v', 'vg0-pool0'])).stdout).toMatch(/^UUID: LVM-[A-Za-z0-9]{64}-tpool$/m);
    await ok(sim, ['lvcreate', '-T', 'vg0/pool0', '-n', 't1', '-V', '64m']);
    expect(await status('vg0-pool0')).toBe('0 131072 linear \n');
    // the real one, in the contract run (tools/lvmd-e2e): the stacked top is read-only, its uuid ends -pool
    const top = (await sim.deviceMapper.run(['status', '-v', 'vg0-pool0'])).stdout;
    expect(top).toMatch(/^State: +ACTIVE \(READ-ONLY\)$/m);
    expect(top).toMatch(/^UUID: LVM-[A-Za-z0-9]{64}-pool$/m);
    expect((await sim.deviceMapper.run(['status', '-v', 'vg0-pool0-tpool'])).stdout).toMatch(/^UUID: LVM-[A-Za-z0-9]{64}-tpool$/m);
    expect(await status('vg0-pool0-tpool')).toMatch(/^0 131072 thin-pool 1 112\/1024 0\/1024 - rw /);
    // and stays so while the pool is active, even with no thin LV left
    await ok(sim, ['lvremove', '-f', 'vg0/t1']);
    expect(await status('vg0-pool0-tpool')).toMatch(/^0 131072 thin-pool 2 111\/1024 /);
  });
});

describe('a wait follows the device, not its name', () => {
  it('keeps waiting on the pool target when lvm2 renames it VG-POOL-tpool', async () => {
    const sim = new SimulatedLvm({ devices: { '/dev/vdb': 1024 * MiB } });
    for (const argv of [['pvcreate', '/dev/vdb'], ['vgcreate', 'vg0', '/dev/vdb'], ['lvcreate', '-T', 'vg0/pool0', '-L', `${64 * MiB}b`]]) await ok(sim, argv);
    const waiting = sim.deviceMapper.run(['wait', 'vg0-pool0', '0']);
    await ok(sim, ['lvcreate', '-T', 'vg0/pool0', '-n', 't1', '-V', '128m']);
    expect(sim.deviceMapper.sleeping).toBe(1);
    sim.simulateWrite('vg0', 't1', 65 * MiB);
    expect(await waiting).toMatchObject({ exitCode: 0 });
  });
});
