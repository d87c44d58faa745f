/**
 * Needs real lvm2: ONE test node (tools/testnode) for the whole file, three volume groups
 * on three disks so the parts never see each other's volumes:
 *
 * - lvmd-http's API on real thin pools (VG.api): data through snapshots, restores and
 *   clones, capacity figures against lvs/vgs, refusals, concurrency, a kill mid-create;
 * - the contract (VG.contract): the same scenario on lvmd-http with the simulated lvm2
 *   (on this host) and with real lvm2 (in the guest) gives the same answers;
 * - lvm itself (VG.lvm): the argv lvmd-http runs give the same exit codes and output on
 *   the simulated lvm2 and on real lvm2;
 * - dmsetup itself (VG.dm): a 64 MiB pool filled by writing, run out of data space, into
 *   error IO and back, gives the same `dmsetup status` and `wait` answers on the simulated
 *   device-mapper and on the kernel's.
 *
 * Skips locally without the host dependencies (tools/testnode/install-deps.sh); fails
 * instead with CI=true.
 */
import { SimulatedLvm } from '@copse/lvm-sim';
import { LvmdClientError, type LogicalVolume } from '@copse/lvmd-api';
import { describeWithTestNode, patternSha256 } from '@copse/testnode';
import { DISK_BYTES, DM_DISK_BYTES, DM_POOL_BYTES, GiB, MiB, OVERPROVISION_RATIO, POOL, POOL_BYTES, startE2eNode, startSimLvmd, THICK_SPARE_GB, VG, type E2eNode } from './fixture';
import { lvmCommands, normaliseLvm, type LvmOutcome } from './lvm-commands';
import { normalised, runScenario, SCENARIO } from './scenario';

const RANGE = 4 * MiB;
const sha = (p: string) => patternSha256(p, RANGE);

interface LvsRow {
  readonly lv_name: string;
  readonly lv_attr: string;
  readonly lv_size: string;
  readonly pool_lv: string;
  readonly origin: string;
}

describeWithTestNode('lvmd-http on real lvm2 (one test node)', () => {
  let e2e: E2eNode;

  beforeAll(async () => {
    e2e = await startE2eNode();
    const t = e2e.node.timings;
    process.stderr.write(`[lvmd-e2e] test node ${e2e.node.pid}: image ${t.imageMs} ms, disks and shares ${t.prepareMs} ms, boot ${t.bootMs} ms, lvmd-http ready ${e2e.readyMs} ms later\n`);
  }, 400_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 60_000);

  const lvm = async (...argv: string[]) => {
    const r = await e2e.node.control.lvm(argv);
    if (r.exitCode !== 0) throw new Error(`lvm ${argv.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
    return r;
  };
  const lvsRows = async (vg: string): Promise<LvsRow[]> => {
    const r = await lvm('lvs', vg, '-o', 'lv_name,lv_attr,lv_size,pool_lv,origin', '--units', 'b', '--nosuffix', '--reportformat', 'json');
    return (JSON.parse(r.stdout) as { report: { lv: LvsRow[] }[] }).report[0]?.lv ?? [];
  };
  /** Public LVs of the thin pool and thick LVs (what lvmd-http's two classes hold), by name. */
  const lvsVolumes = async (vg: string) =>
    (await lvsRows(vg)).filter((r) => r.lv_name !== POOL && !r.lv_name.startsWith('[')).map((r) => r.lv_name).sort();
  const apiVolumes = async () => (await e2e.api.listLogicalVolumes()).map((v) => v.name).sort();
  const dev = (name: string) => `/dev/${VG.api}/${name}`;
  const write = (name: string, pattern: string) => e2e.node.control.writePattern(dev(name), 0, RANGE, pattern);
  const read = async (name: string) => {
    await e2e.node.control.dropCaches();
    return e2e.node.control.checksum(dev(name), 0, RANGE);
  };
  const problemOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof LvmdClientError) return { status: e.status, code: e.code };
      throw e;
    }
    throw new Error('expected an lvmd error, got success');
  };

  describe('the API on real thin pools', () => {
    it('creates a thin LV, lists it, and reports capacity that agrees with lvs and vgs', async () => {
      const { created, value } = await e2e.api.createLogicalVolume('cap1', { sizeBytes: 100 * MiB, tags: ['owner=e2e'] });
      expect(created).toBe(true);
      expect(value).toMatchObject({ name: 'cap1', type: 'thin', thinPool: POOL, sizeBytes: 100 * MiB, active: true, accessType: 'rw', tags: ['owner=e2e'] });
      expect((await e2e.api.listLogicalVolumes()).map((v) => v.name)).toContain('cap1');

      const vgs = JSON.parse((await lvm('vgs', VG.api, '-o', 'vg_size,vg_free', '--units', 'b', '--nosuffix', '--reportformat', 'json')).stdout) as {
        report: { vg: { vg_size: string; vg_free: string }[] }[];
      };
      const vg = vgs.report[0]!.vg[0]!;
      const rows = await lvsRows(VG.api);
      const pool = rows.find((r) => r.lv_name === POOL)!;
      const virtual = rows.filter((r) => r.pool_lv === POOL).reduce((n, r) => n + Number(r.lv_size), 0);
      const thin = await e2e.api.getDeviceClass('thin');
      expect(thin.vgSizeBytes).toBe(Number(vg.vg_size));
      expect(thin.vgFreeBytes).toBe(Number(vg.vg_free));
      expect(thin.thinPool?.sizeBytes).toBe(Number(pool.lv_size));
      expect(thin.thinPool?.sizeBytes).toBe(POOL_BYTES);
      expect(thin.thinPool?.virtualSizeBytes).toBe(virtual);
      expect(thin.freeBytes).toBe(OVERPROVISION_RATIO * POOL_BYTES - virtual);
      const thick = await e2e.api.getDeviceClass('thick');
      expect(thick.freeBytes).toBe(Number(vg.vg_free) - THICK_SPARE_GB * GiB);
      expect(Number(vg.vg_size)).toBeLessThan(DISK_BYTES);
    }, 120_000);

    it('ro snapshot keeps the data as of the snapshot and refuses writes', async () => {
      await e2e.api.createLogicalVolume('orig1', { sizeBytes: 64 * MiB });
      await write('orig1', 'A');
      const { value: snap } = await e2e.api.createSnapshot('orig1', { name: 'snap1', accessType: 'ro' });
      expect(snap).toMatchObject({ origin: 'orig1', accessType: 'ro', active: true, activationSkip: false, sizeBytes: 64 * MiB });
      await write('orig1', 'B');
      expect(await read('snap1')).toBe(sha('A'));
      expect(await read('orig1')).toBe(sha('B'));
      expect(await e2e.node.control.getReadOnly(dev('snap1'))).toBe(true);
      const refused = await e2e.node.control.tryWrite(dev('snap1'));
      expect(refused.writable).toBe(false);
      expect(await read('snap1')).toBe(sha('A'));
      const attr = (await lvsRows(VG.api)).find((r) => r.lv_name === 'snap1')?.lv_attr;
      expect(attr).toMatch(/^Vri-a-tz-/);
    }, 120_000);

    it('rw restore of the snapshot reads its data, is writable, and writes stay in it', async () => {
      const { value } = await e2e.api.createSnapshot('snap1', { name: 'restore1', accessType: 'rw' });
      expect(value).toMatchObject({ origin: 'snap1', accessType: 'rw', active: true });
      expect(await read('restore1')).toBe(sha('A'));
      expect(await e2e.node.control.getReadOnly(dev('restore1'))).toBe(false);
      expect(await e2e.node.control.tryWrite(dev('restore1'))).toEqual({ writable: true });
      await write('restore1', 'C');
      expect(await read('restore1')).toBe(sha('C'));
      expect(await read('snap1')).toBe(sha('A'));
      expect(await read('orig1')).toBe(sha('B'));
    }, 120_000);

    it('clones a live LV, and chains snapshot -> restore -> snapshot -> restore with the data of each level', async () => {
      const { value: clone } = await e2e.api.createSnapshot('orig1', { name: 'clone1', accessType: 'rw' });
      expect(clone).toMatchObject({ origin: 'orig1', accessType: 'rw' });
      expect(await read('clone1')).toBe(sha('B'));
      await write('clone1', 'D');
      expect(await read('orig1')).toBe(sha('B'));

      // restore1 holds C; snap2 of it, restore2 of snap2, snap3 of restore2, restore3 of snap3.
      await e2e.api.createSnapshot('restore1', { name: 'snap2', accessType: 'ro' });
      await write('restore1', 'E');
      await e2e.api.createSnapshot('snap2', { name: 'restore2', accessType: 'rw' });
      expect(await read('restore2')).toBe(sha('C'));
      await write('restore2', 'F');
      await e2e.api.createSnapshot('restore2', { name: 'snap3', accessType: 'ro' });
      await write('restore2', 'G');
      const { value: deepest } = await e2e.api.createSnapshot('snap3', { name: 'restore3', accessType: 'rw' });
      expect(deepest.origin).toBe('snap3');
      expect(await read('restore3')).toBe(sha('F'));
      await write('restore3', 'H');
      expect(await read('snap3')).toBe(sha('F'));
      expect(await read('restore2')).toBe(sha('G'));
      expect(await read('snap2')).toBe(sha('C'));
      expect(await read('restore1')).toBe(sha('E'));
      expect(await read('snap1')).toBe(sha('A'));
      expect(await read('restore3')).toBe(sha('H'));
    }, 180_000);

    it('deletes an origin while its snapshot and clone live: they keep their data, their origin becomes ""', async () => {
      await e2e.api.deleteLogicalVolume('orig1');
      expect(await lvsVolumes(VG.api)).not.toContain('orig1');
      await expect(e2e.api.getLogicalVolume('orig1')).rejects.toMatchObject({ status: 404, code: 'not-found' });
      expect((await e2e.api.getLogicalVolume('snap1')).origin).toBe('');
      expect((await e2e.api.getLogicalVolume('clone1')).origin).toBe('');
      expect((await lvsRows(VG.api)).find((r) => r.lv_name === 'snap1')?.origin).toBe('');
      expect(await read('snap1')).toBe(sha('A'));
      expect(await read('clone1')).toBe(sha('D'));
      expect(await read('restore1')).toBe(sha('E'));
    }, 120_000);

    it('restores into a larger LV: grown, by the API and by lvs, with the data at the start', async () => {
      const { value } = await e2e.api.createSnapshot('snap1', { name: 'bigger1', accessType: 'rw', sizeBytes: 200 * MiB });
      expect(value.sizeBytes).toBe(200 * MiB);
      expect((await e2e.api.getLogicalVolume('bigger1')).sizeBytes).toBe(200 * MiB);
      expect(Number((await lvsRows(VG.api)).find((r) => r.lv_name === 'bigger1')?.lv_size)).toBe(200 * MiB);
      expect(await read('bigger1')).toBe(sha('A'));
      expect(await e2e.node.control.tryWrite(dev('bigger1'), 150 * MiB)).toEqual({ writable: true });
    }, 120_000);

    it('refuses a create beyond the overprovision ratio with 507 no-space, leaving nothing behind', async () => {
      const free = (await e2e.api.getDeviceClass('thin')).freeBytes;
      const before = await lvsVolumes(VG.api);
      expect(await problemOf(e2e.api.createLogicalVolume('over1', { sizeBytes: free + 4 * MiB }))).toEqual({ status: 507, code: 'no-space' });
      expect(await problemOf(e2e.api.createSnapshot('snap1', { name: 'over2', accessType: 'rw', sizeBytes: free + 4 * MiB }))).toEqual({
        status: 507,
        code: 'no-space',
      });
      expect(await lvsVolumes(VG.api)).toEqual(before);
      expect(await apiVolumes()).toEqual(before);
      // Right at the limit is allowed: the limit is the ratio, not the pool.
      const { created } = await e2e.api.createLogicalVolume('atlimit1', { sizeBytes: free });
      expect(created).toBe(true);
      expect((await e2e.api.getDeviceClass('thin')).freeBytes).toBe(0);
      await e2e.api.deleteLogicalVolume('atlimit1');
    }, 120_000);

    it('answers not-found, conflict and idempotent repeats as on the simulated backend', async () => {
      expect(await problemOf(e2e.api.getLogicalVolume('nosuch'))).toEqual({ status: 404, code: 'not-found' });
      expect(await problemOf(e2e.api.createSnapshot('nosuch', { name: 'x1', accessType: 'ro' }))).toEqual({ status: 404, code: 'not-found' });
      expect(await problemOf(e2e.api.resizeLogicalVolume('nosuch', 64 * MiB))).toEqual({ status: 404, code: 'not-found' });
      const again = await e2e.api.createLogicalVolume('cap1', { sizeBytes: 100 * MiB, tags: ['owner=e2e'] });
      expect(again.created).toBe(false);
      expect(await problemOf(e2e.api.createLogicalVolume('cap1', { sizeBytes: 200 * MiB }))).toEqual({ status: 409, code: 'conflict' });
      const snapAgain = await e2e.api.createSnapshot('snap1', { name: 'restore1', accessType: 'rw' });
      expect(snapAgain.created).toBe(false);
      expect(await problemOf(e2e.api.createSnapshot('snap1', { name: 'restore1', accessType: 'ro' }))).toEqual({ status: 409, code: 'conflict' });
      await e2e.api.deleteLogicalVolume('nosuch');
      expect(await problemOf(e2e.api.resizeLogicalVolume('cap1', 50 * MiB))).toEqual({ status: 422, code: 'out-of-range' });
      // cap1 is thin: naming the thick class contradicts it
      expect(await problemOf(e2e.api.createSnapshot('cap1', { name: 'fs1', accessType: 'ro', deviceClass: 'thick' }))).toEqual({
        status: 400,
        code: 'invalid-field',
      });
    }, 120_000);

    it('takes 20 concurrent creates and snapshots on one VG: each succeeds or fails cleanly, and lvs agrees with the list', async () => {
      await e2e.api.createLogicalVolume('src20', { sizeBytes: 16 * MiB });
      const ops = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? e2e.api.createLogicalVolume(`par${i}`, { sizeBytes: 16 * MiB })
          : e2e.api.createSnapshot('src20', { name: `par${i}`, accessType: i % 4 === 1 ? 'ro' : 'rw' }),
      );
      const settled = await Promise.allSettled(ops);
      for (const s of settled) {
        if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(LvmdClientError);
      }
      const made = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.value.name] : []));
      expect(made.length).toBe(20);
      const lvsNames = await lvsVolumes(VG.api);
      expect(await apiVolumes()).toEqual(lvsNames);
      for (const name of made) expect(lvsNames).toContain(name);
      const listed = new Map((await e2e.api.listLogicalVolumes()).map((v): [string, LogicalVolume] => [v.name, v]));
      for (const row of await lvsRows(VG.api)) {
        if (listed.has(row.lv_name)) expect(listed.get(row.lv_name)?.sizeBytes).toBe(Number(row.lv_size));
      }
    }, 300_000);

    it('converges with lvs after lvmd-http is killed during a create and restarted', async () => {
      const pending = e2e.api.createLogicalVolume('killed1', { sizeBytes: 32 * MiB }).then(
        () => 'answered',
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      const killed = await e2e.node.control.killService('lvmd-api', 'SIGKILL');
      expect(killed).toMatchObject({ running: false, signal: 'SIGKILL' });
      await pending;
      expect(await e2e.node.control.startService('lvmd-api')).toMatchObject({ running: true });
      await e2e.node.waitForHttp(8081, '/readyz', { timeoutMs: 120_000 });
      // Whatever lvm had done when lvmd-http died, the restarted daemon reports exactly what lvs shows.
      const lvsNames = await lvsVolumes(VG.api);
      expect(await apiVolumes()).toEqual(lvsNames);
      // And a retry of the create converges on one volume, whether the first one got through or not:
      // 201 when there was anything left to do (nothing there, or an incomplete volume), 200 otherwise.
      const seen = (await e2e.api.listLogicalVolumes()).find((v) => v.name === 'killed1');
      const retry = await e2e.api.createLogicalVolume('killed1', { sizeBytes: 32 * MiB });
      expect(retry.value).toMatchObject({ name: 'killed1', sizeBytes: 32 * MiB, active: true, state: 'ready' });
      expect(retry.created).toBe(seen === undefined || seen.state === 'incomplete');
      expect(await apiVolumes()).toEqual(await lvsVolumes(VG.api));
    }, 300_000);
  });

  describe('an open device (issue 6, finding 4)', () => {
    it('delete and deactivation of a mounted volume answer 409 in-use and leave it; once unmounted it goes', async () => {
      await e2e.api.createLogicalVolume('open1', { sizeBytes: 64 * MiB });
      expect((await e2e.node.control.mkfs(dev('open1'), 'ext4')).exitCode).toBe(0);
      expect((await e2e.node.control.mount(dev('open1'), '/mnt/open1', { fsType: 'ext4' })).exitCode).toBe(0);
      expect(await problemOf(e2e.api.deleteLogicalVolume('open1'))).toEqual({ status: 409, code: 'in-use' });
      expect(await problemOf(e2e.api.setActivation('open1', { active: false }))).toEqual({ status: 409, code: 'in-use' });
      expect(await e2e.api.getLogicalVolume('open1')).toMatchObject({ active: true, state: 'ready' });
      expect((await lvsRows(VG.api)).find((r) => r.lv_name === 'open1')?.lv_attr).toMatch(/^Vwi-aotz/);
      expect((await e2e.node.control.umount('/mnt/open1')).exitCode).toBe(0);
      await e2e.api.deleteLogicalVolume('open1');
      expect(await lvsVolumes(VG.api)).not.toContain('open1');
    }, 120_000);
  });

  describe('contract: lvmd-http on the simulated lvm2 answers as on real lvm2', () => {
    it('gives the same answers to the whole scenario (normalised: uuids, request ids, device numbers)', async () => {
      const sim = await startSimLvmd(VG.contract);
      try {
        const simulated = await runScenario(sim.client);
        const real = await runScenario(e2e.contract);
        expect(real.map((r) => [r.label, r.status])).toEqual(SCENARIO.map((s) => [s.label, s.expect]));
        expect(normalised(simulated)).toEqual(normalised(real));
      } finally {
        await sim.stop();
      }
    }, 300_000);
  });

  describe('lvm itself: the simulated lvm2 answers the argv lvmd-http runs as real lvm2 does', () => {
    it('gives the same exit codes, stdout and stderr (normalised: uuids, minors, lv_time)', async () => {
      const sim = new SimulatedLvm({ devices: { [e2e.lvmDisk]: DISK_BYTES } });
      // Set up as the guest agent does (tools/testnode/src/guest/agent.ts).
      for (const argv of [['pvcreate', e2e.lvmDisk], ['vgcreate', VG.lvm, e2e.lvmDisk], ['lvcreate', '-T', `${VG.lvm}/${POOL}`, '-L', `${POOL_BYTES}b`]]) {
        expect((await sim.run(argv)).exitCode).toBe(0);
      }
      const simulated: LvmOutcome[] = [];
      const real: LvmOutcome[] = [];
      for (const argv of lvmCommands(VG.lvm)) {
        simulated.push({ argv, ...(await sim.run(argv)) });
        real.push({ argv, ...(await e2e.node.control.lvm(argv)) });
      }
      expect(simulated.map(normaliseLvm)).toEqual(real.map(normaliseLvm));
    }, 300_000);

    it('refuses an open device as real lvm2 does: a mounted filesystem in the guest, simulateOpen in the simulation', async () => {
      const sim = new SimulatedLvm({ devices: { [e2e.lvmDisk]: DISK_BYTES } });
      for (const argv of [['pvcreate', e2e.lvmDisk], ['vgcreate', VG.lvm, e2e.lvmDisk], ['lvcreate', '-T', `${VG.lvm}/${POOL}`, '-L', `${POOL_BYTES}b`]]) {
        expect((await sim.run(argv)).exitCode).toBe(0);
      }
      const lv = `${VG.lvm}/held`;
      const attr = ['lvs', lv, '-o', 'lv_name,lv_attr', '--reportformat', 'json'];
      const both = async (argv: string[], simulated: LvmOutcome[], real: LvmOutcome[]) => {
        simulated.push({ argv, ...(await sim.run(argv)) });
        real.push({ argv, ...(await e2e.node.control.lvm(argv)) });
      };
      const simulated: LvmOutcome[] = [];
      const real: LvmOutcome[] = [];
      await both(['lvcreate', '-T', `${VG.lvm}/${POOL}`, '-n', 'held', '-V', `${64 * MiB}b`, '-W', 'y', '-y'], simulated, real);
      expect((await e2e.node.control.mkfs(`/dev/${lv}`, 'ext4')).exitCode).toBe(0);
      expect((await e2e.node.control.mount(`/dev/${lv}`, '/mnt/held', { fsType: 'ext4' })).exitCode).toBe(0);
      sim.simulateOpen(VG.lvm, 'held', 'filesystem');
      for (const argv of [attr, ['lvremove', '-f', lv], ['lvchange', '-a', 'n', lv], ['lvchange', '-p', 'r', lv], attr, ['lvchange', '-p', 'rw', lv]]) {
        await both(argv, simulated, real);
      }
      expect((await e2e.node.control.umount('/mnt/held')).exitCode).toBe(0);
      sim.simulateOpen(VG.lvm, 'held', undefined);
      for (const argv of [attr, ['lvremove', '-f', lv]]) await both(argv, simulated, real);
      expect(simulated.map(normaliseLvm)).toEqual(real.map(normaliseLvm));
      expect(real[2]).toMatchObject({ exitCode: 5 });
    }, 300_000);
  });

  describe('dmsetup itself: the simulated device-mapper answers as the kernel does while a pool fills', () => {
    /**
     * What may differ: uuids (lvm2's random ones) and device numbers (the kernel hands
     * out minors in its own order). Event numbers, modes, usage and transaction ids may not.
     */
    const normaliseDm = (r: { exitCode: number; stdout: string; stderr: string }) => ({
      exitCode: r.exitCode,
      stdout: r.stdout.replace(/^UUID: LVM-[A-Za-z0-9]+(-t?pool)?$/m, 'UUID: <uuid>$1').replace(/^(Major, minor: +)\d+, \d+$/m, '$1<n>').split('\n'),
      stderr: r.stderr.split('\n'),
    });

    it('gives the same status, event numbers and wait answers at every step', async () => {
      const clock = { now: Date.now() };
      const sim = new SimulatedLvm({ devices: { [e2e.dmDisk]: DM_DISK_BYTES }, now: () => new Date(clock.now), noSpaceTimeoutMs: 5000 });
      for (const argv of [['pvcreate', e2e.dmDisk], ['vgcreate', VG.dm, e2e.dmDisk], ['lvcreate', '-T', `${VG.dm}/${POOL}`, '-L', `${DM_POOL_BYTES}b`]]) {
        expect((await sim.run(argv)).exitCode).toBe(0);
      }
      const target = `${VG.dm}-${POOL}-tpool`;
      const top = `${VG.dm}-${POOL}`;
      const steps: Array<{ step: string; argv: string[]; sim: unknown; real: unknown }> = [];
      const compare = async (step: string, ...argvs: string[][]) => {
        for (const argv of argvs) {
          steps.push({ step, argv, sim: normaliseDm(await sim.deviceMapper.run(argv)), real: normaliseDm(await e2e.node.control.dmsetup(argv)) });
        }
      };
      const both = async (argv: string[]) => {
        const [a, b] = [await sim.run(argv), await e2e.node.control.lvm(argv)];
        expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
      };
      const write = async (lv: string, offset: number, bytes: number) => {
        sim.simulateWrite(VG.dm, lv, bytes);
        await e2e.node.control.writePattern(`/dev/${VG.dm}/${lv}`, offset, bytes, 'W');
        // dm-thin commits its metadata within a second; compare the committed figures
        await new Promise((r) => setTimeout(r, 2000));
      };
      const realStatus = async () => (await e2e.node.control.dmsetup(['status', '--noflush', target])).stdout;
      const previousTimeout = await e2e.node.control.setThinNoSpaceTimeout(5);
      try {
        await compare('a fresh pool: its target on VG-POOL', ['status', '--noflush', '-v', top], ['status', '--noflush', '-v', target]);
        await both(['lvcreate', '-T', `${VG.dm}/${POOL}`, '-n', 'a', '-V', `${128 * MiB}b`, '-W', 'y', '-y']);
        await both(['lvcreate', '-T', `${VG.dm}/${POOL}`, '-n', 'b', '-V', `${64 * MiB}b`, '-W', 'y', '-y']);
        await compare('two thin LVs: stacked on VG-POOL-tpool', ['status', '--noflush', '-v', target], ['status', '--noflush', '-v', top], ['status', target]);
        await write('b', 0, 24 * MiB);
        await compare('24 MiB written', ['status', '--noflush', '-v', target]);
        await write('a', 0, 40 * MiB);
        // no event yet: the kernel raises the low-water one only when a write finds no block left
        await compare('every block used, still writable', ['status', '--noflush', '-v', target]);
        // one more write needs a block: out of data space (queue IO); the write waits
        sim.simulateWrite(VG.dm, 'a', 8 * MiB);
        const queued = e2e.node.control.writePattern(`/dev/${VG.dm}/a`, 40 * MiB, 8 * MiB, 'X', { timeoutMs: 120_000 }).catch((e: unknown) => String(e));
        for (let i = 0; !/ out_of_data_space /.test(await realStatus()); i++) {
          if (i > 300) throw new Error(`the pool never ran out of data space: ${await realStatus()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        // a wait on a number already passed returns at once (the low-water event and the mode's: 2)
        await compare('out of data space, queue IO', ['status', '--noflush', '-v', target], ['wait', target, '1']);
        for (let i = 0; !/ error_if_no_space /.test(await realStatus()); i++) {
          if (i > 300) throw new Error(`the pool never switched to error IO: ${await realStatus()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        clock.now += 5000;
        sim.deviceMapper.settle();
        await compare('no_space_timeout later: error IO', ['status', '--noflush', '-v', target]);
        expect(await queued).toMatch(/EIO|I\/O error|500/);
        await both(['lvremove', '-f', `${VG.dm}/b`]);
        await compare("b's blocks freed: back to write mode", ['status', '--noflush', '-v', target], ['wait', target, '3']);
        await compare('a device that is not there', ['status', '--noflush', '-v', `${VG.dm}-nosuch-tpool`], ['wait', `${VG.dm}-nosuch-tpool`, '0']);
      } finally {
        await e2e.node.control.setThinNoSpaceTimeout(previousTimeout);
      }
      expect(steps.map((s) => ({ step: s.step, argv: s.argv.join(' '), answer: s.sim }))).toEqual(
        steps.map((s) => ({ step: s.step, argv: s.argv.join(' '), answer: s.real })),
      );
    }, 300_000);
  });
});
