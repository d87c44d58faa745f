/**
 * Needs real lvm2 (its own test node, one boot): issue 6, finding 1 on real lvm2.
 *
 * lvmd-http runs in the guest on real thin pools. Each cycle starts PARALLEL restores
 * larger than their source (lvcreate -s, lvresize, lvchange --deltag each), SIGKILLs
 * lvmd-http, and restarts it. The lvm command it was running keeps running (real lvm2 is
 * reparented to init) and finishes under lvm's own lock; the test then reads lvs itself,
 * repeats every request in parallel, and asserts each converged: the requested size,
 * read-write, active, lvmd-http's marker tag gone, and no volume but the requested ones.
 *
 * Two cycles, one per kill moment: a random time within a batch, and "as soon as lvs
 * shows a restore that is incomplete and not yet grown" (then lvresize at most is
 * running, so the kill leaves an incomplete volume). The suite proves it can fail: it
 * asserts that kills really caught incomplete volumes, seen with lvs before the repeat.
 * Should neither kill have caught one, up to two more informed cycles run before that
 * assertion decides. Each cycle costs a restart of lvmd-http under TCG (tens of seconds
 * on a 2-core machine), and a third identical cycle proves nothing the first two did not;
 * many cycles of the same protocol run on the simulated lvm2 (crash-convergence.sim.spec.ts).
 *
 * Skips locally without the host dependencies (tools/testnode/install-deps.sh); fails
 * instead with CI=true.
 */
import { randomBytes } from 'node:crypto';
import { LvmdClient } from '@copse/lvmd-api';
import { describeWithTestNode, lvmdHttpService, startTestNode, workspaceShares, type TestNode } from '@copse/testnode';
import { GiB, MiB, POOL, WORKSPACE } from './fixture';

const VG = 'vgcrash';
const SERVICE = 'lvmd-crash';
const PORT = 8083;
/** one random kill, one informed kill */
const CYCLES = 2;
/** informed cycles added while no kill has caught an incomplete volume */
const MAX_EXTRA_CYCLES = 2;
const PARALLEL = 3;
const SOURCE_BYTES = 64 * MiB;
const RESTORE_BYTES = 192 * MiB;
const MARKER = 'copse.lvmd/creating=';

const YAML = [
  'device-classes:',
  '  - name: thin',
  `    volume-group: ${VG}`,
  '    default: true',
  '    type: thin',
  '    thin-pool:',
  `      name: ${POOL}`,
  // restores are never written, so the pool holds every cycle's volumes without deletes
  '      overprovision-ratio: 20',
  '',
].join('\n');

interface LvsRow {
  readonly lv_name: string;
  readonly lv_size: string;
  readonly lv_attr: string;
  readonly lv_tags: string;
  readonly origin: string;
}

describeWithTestNode('crash convergence on real lvm2 (lvmd-http killed with SIGKILL mid-restore)', () => {
  let node: TestNode;
  let client: LvmdClient;
  const token = randomBytes(24).toString('hex');
  const timings: string[] = [];

  beforeAll(async () => {
    const started = Date.now();
    node = await startTestNode({
      disks: [{ sizeBytes: 4 * GiB }],
      volumeGroups: [{ name: VG, disks: [0], thinPools: [{ name: POOL, sizeBytes: GiB }] }],
      shares: workspaceShares(WORKSPACE),
      services: [lvmdHttpService({ name: SERVICE, port: PORT, configFile: 'lvmd.yaml', tokenFile: 'lvmd.token' })],
      forwards: [PORT],
      files: { 'lvmd.yaml': YAML, 'lvmd.token': `${token}\n` },
      memoryMiB: 1024,
      bootTimeoutMs: 240_000,
    });
    await node.waitForHttp(PORT, '/readyz', { timeoutMs: 120_000 });
    client = newClient();
    timings.push(`boot and lvmd-http ${Date.now() - started} ms`);
  }, 400_000);

  afterAll(async () => {
    await client?.close();
    await node?.stop();
  }, 60_000);

  const newClient = () => new LvmdClient({ endpoint: `http://127.0.0.1:${node.hostPort(PORT)}`, token, timeoutMs: 300_000 });

  async function lvs(): Promise<LvsRow[]> {
    const r = await node.control.lvm(['lvs', VG, '-o', 'lv_name,lv_size,lv_attr,lv_tags,origin', '--units', 'b', '--nosuffix', '--reportformat', 'json']);
    if (r.exitCode !== 0) throw new Error(`lvs exited ${r.exitCode}: ${r.stderr}`);
    return ((JSON.parse(r.stdout) as { report: { lv: LvsRow[] }[] }).report[0]?.lv ?? []).filter((row) => row.lv_name !== POOL);
  }
  const incompleteIn = (rows: LvsRow[]) => rows.filter((row) => row.lv_tags.split(',').some((t) => t.startsWith(MARKER)));

  async function restart(): Promise<void> {
    await client.close();
    expect(await node.control.startService(SERVICE)).toMatchObject({ running: true });
    await node.waitForHttp(PORT, '/readyz', { timeoutMs: 120_000 });
    client = newClient();
  }

  const restore = (c: LvmdClient, name: string) => c.createSnapshot('snap', { name, accessType: 'rw', sizeBytes: RESTORE_BYTES });

  it(`converges in each kill cycle (a random and an informed kill) of ${PARALLEL} parallel larger restores, and kills catch incomplete volumes`, async () => {
    await client.createLogicalVolume('src', { sizeBytes: SOURCE_BYTES });
    await node.control.writePattern(`/dev/${VG}/src`, 0, 4 * MiB, 'A');
    await client.createSnapshot('src', { name: 'snap', accessType: 'ro' });

    // one batch undisturbed: how long a batch takes here
    const t0 = Date.now();
    const warm = Array.from({ length: PARALLEL }, (_, i) => `warm-${i}`);
    await Promise.all(warm.map((n) => restore(client, n)));
    const batchMs = Date.now() - t0;
    timings.push(`a batch of ${PARALLEL} restores ${batchMs} ms`);

    const made = new Set(['src', 'snap', ...warm]);
    let caught = 0;
    let incompleteSeen = 0;
    let cycles = 0;
    for (let cycle = 0; cycle < CYCLES || (caught === 0 && cycle < CYCLES + MAX_EXTRA_CYCLES); cycle++) {
      cycles++;
      const cycleStart = Date.now();
      const batch = Array.from({ length: PARALLEL }, (_, i) => `c${cycle}-${i}`);
      const pending = batch.map((n) => restore(client, n).catch((e: unknown) => e));
      const informed = cycle % 2 === 1 || cycle >= CYCLES;
      if (informed) {
        // as soon as a restore of this batch is incomplete and not yet grown
        for (const deadline = Date.now() + batchMs * 2; Date.now() < deadline; ) {
          const rows = await lvs();
          if (incompleteIn(rows).some((r) => batch.includes(r.lv_name) && Number(r.lv_size) === SOURCE_BYTES)) break;
        }
      } else {
        await new Promise((r) => setTimeout(r, Math.random() * batchMs));
      }
      expect(await node.control.killService(SERVICE, 'SIGKILL')).toMatchObject({ running: false, signal: 'SIGKILL' });
      await Promise.all(pending);

      // What the kill left, as lvs shows it once the orphaned lvm command finished: lvs waits for
      // its lock, and reading until two reads a second apart agree also waits out a command
      // that was spawned just before the kill but had not taken the lock yet.
      let left = await lvs();
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        const again = await lvs();
        if (JSON.stringify(again) === JSON.stringify(left)) break;
        left = again;
      }
      const incomplete = incompleteIn(left).map((r) => r.lv_name);
      if (incomplete.length > 0) caught++;
      incompleteSeen += incomplete.length;

      await restart();
      const listed = await client.listLogicalVolumes();
      for (const name of incomplete) expect([name, listed.find((v) => v.name === name)?.state]).toEqual([name, 'incomplete']);

      const answers = await Promise.all(batch.map((n) => restore(client, n)));
      for (const [i, a] of answers.entries()) {
        expect(a.value).toMatchObject({ name: batch[i], origin: 'snap', sizeBytes: RESTORE_BYTES, accessType: 'rw', active: true, state: 'ready', tags: [] });
        if (incomplete.includes(batch[i]!)) expect(a.created).toBe(true);
        made.add(batch[i]!);
      }
      const rows = await lvs();
      expect(rows.map((r) => r.lv_name).sort()).toEqual([...made].sort());
      for (const r of rows) {
        expect([r.lv_name, r.lv_tags]).toEqual([r.lv_name, '']);
        if (batch.includes(r.lv_name)) {
          expect([r.lv_name, Number(r.lv_size), r.lv_attr.slice(0, 5), r.origin]).toEqual([r.lv_name, RESTORE_BYTES, 'Vwi-a', 'snap']);
        }
      }
      timings.push(
        `cycle ${cycle} (${informed ? 'informed' : 'random'}): ${incomplete.length} incomplete [${incomplete.join(' ')}], ${Date.now() - cycleStart} ms`,
      );
    }
    // the restores read their source's data
    await node.control.dropCaches();
    const sha = await node.control.checksum(`/dev/${VG}/c0-0`, 0, 4 * MiB);
    expect(sha).toBe(await node.control.checksum(`/dev/${VG}/src`, 0, 4 * MiB));

    process.stderr.write(
      `[crash-real-lvm] ${cycles} cycles: ${caught} kills left incomplete volumes (${incompleteSeen} in all), every cycle converged\n  ${timings.join('\n  ')}\n`,
    );
    expect(caught).toBeGreaterThan(0);
  }, 1_200_000);
});
