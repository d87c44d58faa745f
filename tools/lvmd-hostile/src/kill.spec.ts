/**
 * Kill-and-restart cycles under a mixed load: clients create volumes, snapshots, larger
 * restores and clones, grow, deactivate, activate and delete through the typed client
 * (every operation that changes something), watch clients follow, and lvmd-http is
 * SIGKILLed at a random moment, restarted on the same socket and simulated lvm2 state,
 * and the load goes on. A request the kill cut off is repeated until it gets an answer,
 * as csi-node does. Asserted: every answer is a success (the requests are valid and
 * repeats are idempotent), never a 5xx; at the end lvmd-http holds exactly the volumes
 * the clients' answers say, each at its size and ready (no incomplete volume, no
 * orphan), and each watch client, resuming across restarts, converges to the same.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LvmdClient, LvmdClientError, type LogicalVolume } from '@copse/lvmd-api';
import { Daemon, EXTENT, MiB } from './daemon';
import { Rng } from './rng';
import { RUN, runSeed } from './run-sizes';
import { BurstWatcher } from './watch-client';
import { revisionOf } from './watch-model';

jest.setTimeout(300_000);

interface Intent {
  sizeBytes: number;
}

/** One client's chain of requests, and what it knows exists from the answers it got. */
class LoadClient {
  readonly volumes = new Map<string, Intent>();
  readonly failures: string[] = [];
  answered = 0;
  repeated = 0;
  private made = 0;

  constructor(
    readonly id: number,
    readonly client: LvmdClient,
    private readonly rng: Rng,
  ) {}

  /** Runs `call` until it gets an answer: a connection cut by the kill is repeated, an HTTP answer is final. */
  private async untilAnswered<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await call();
        this.answered++;
        return r;
      } catch (e) {
        if (e instanceof LvmdClientError) {
          this.answered++;
          this.failures.push(`${what}: ${e.status} ${e.code}: ${e.problem.detail ?? ''}`);
          return undefined;
        }
        // lvmd-http is down (killed, not yet back): the request is repeated, identical
        if (attempt > 600) {
          this.failures.push(`${what}: no answer after ${attempt} attempts: ${String(e)}`);
          return undefined;
        }
        this.repeated++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private name(): string {
    return `k${this.id}-${this.made++}`;
  }

  private pickVolume(): [string, Intent] | undefined {
    const all = [...this.volumes];
    return all.length === 0 ? undefined : this.rng.pick(all);
  }

  /** One step of the chain. */
  async step(): Promise<void> {
    const existing = this.pickVolume();
    const choice = existing === undefined || this.volumes.size < 3 ? 0 : this.rng.int(0, 5);
    if (choice === 0) {
      const name = this.name();
      const sizeBytes = this.rng.int(1, 16) * MiB;
      const r = await this.untilAnswered(`create ${name}`, () => this.client.createLogicalVolume(name, { sizeBytes, tags: [`client=${this.id}`] }));
      if (r) this.volumes.set(name, { sizeBytes: r.value.sizeBytes });
      return;
    }
    const [source, intent] = existing!;
    if (choice === 1 || choice === 2) {
      // a snapshot, or a restore or clone larger than its source (lvcreate -s, then lvresize)
      const name = this.name();
      const larger = choice === 2;
      const req = larger ? { name, accessType: 'rw' as const, sizeBytes: intent.sizeBytes + this.rng.int(1, 8) * MiB } : { name, accessType: this.rng.pick(['ro', 'rw'] as const) };
      const r = await this.untilAnswered(`snapshot ${source} -> ${name}`, () => this.client.createSnapshot(source, req));
      if (r) this.volumes.set(name, { sizeBytes: r.value.sizeBytes });
      return;
    }
    if (choice === 3) {
      const sizeBytes = intent.sizeBytes + this.rng.int(1, 4) * EXTENT;
      const r = await this.untilAnswered(`resize ${source}`, () => this.client.resizeLogicalVolume(source, sizeBytes));
      if (r) intent.sizeBytes = r.sizeBytes;
      return;
    }
    if (choice === 4) {
      await this.untilAnswered(`deactivate ${source}`, () => this.client.setActivation(source, { active: false }));
      await this.untilAnswered(`activate ${source}`, () => this.client.setActivation(source, { active: true }));
      return;
    }
    const r = await this.untilAnswered(`delete ${source}`, () => this.client.deleteLogicalVolume(source).then(() => true));
    if (r) this.volumes.delete(source);
  }
}

function summary(v: Pick<LogicalVolume, 'name' | 'sizeBytes' | 'state' | 'active'>): string {
  return `${v.name} ${v.sizeBytes} ${v.state} ${v.active ? 'active' : 'inactive'}`;
}

describe('kill-and-restart cycles under load', () => {
  let dir: string;
  let d: Daemon;
  const seed = runSeed();

  beforeAll(async () => {
    process.stdout.write(`lvmd-hostile kill: HOSTILE_SEED=${seed}\n`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvmd-hostile-kill-'));
    d = await Daemon.start({ dir, listen: 'unix' });
  });

  afterAll(async () => {
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`${RUN.cycles} SIGKILLs at random moments: every request answered with success, the state converges, watchers converge`, async () => {
    const rng = new Rng(seed);
    const clients = Array.from({ length: RUN.killClients }, (_v, i) => new LoadClient(i, new LvmdClient({ endpoint: `unix:${(d.endpoint as { path: string }).path}`, timeoutMs: 60_000 }), new Rng(seed + i + 1)));
    const watchers = Array.from({ length: 2 }, () => new BurstWatcher(d.endpoint, rng));
    for (const w of watchers) w.readAll();

    let running = true;
    const load = Promise.all(
      clients.map(async (c) => {
        while (running) await c.step();
      }),
    );
    const kills: Array<{ atMs: number; downMs: number; answeredBefore: number }> = [];
    try {
      for (let cycle = 0; cycle < RUN.cycles; cycle++) {
        const atMs = rng.int(100, 1500);
        await new Promise((r) => setTimeout(r, atMs));
        const answeredBefore = clients.reduce((n, c) => n + c.answered, 0);
        const down = Date.now();
        await d.kill();
        d = await d.restart();
        kills.push({ atMs, downMs: Date.now() - down, answeredBefore });
      }
      // a last stretch of load on the last instance
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      running = false;
      await load;
    }

    const check = d.client();
    const served = (await check.listLogicalVolumes()).map(summary).sort();
    await check.close();
    const expected = clients.flatMap((c) => [...c.volumes].map(([name, i]) => summary({ name, sizeBytes: i.sizeBytes, state: 'ready', active: true }))).sort();

    // watchers: caught up with a fresh snapshot, same volumes
    const fresh = new BurstWatcher(d.endpoint, rng);
    fresh.readAll();
    const deadline = Date.now() + 60_000;
    while (fresh.model.lastId === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const target = fresh.model.lastId!;
    const caughtUp = () => watchers.every((w) => w.model.lastId !== undefined && w.model.lastId.split("-")[0] === target.split("-")[0] && revisionOf(w.model.lastId) >= revisionOf(target));
    while (!caughtUp() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const watched = watchers.map((w) => w.model.volumeList().map(summary).sort());
    const restartedSnapshots = watchers.map((w) => w.model.snapshots.filter((r) => r === 'restarted').length);
    for (const w of [...watchers, fresh]) w.stop();
    await Promise.all(clients.map((c) => c.client.close()));

    const answered = clients.reduce((n, c) => n + c.answered, 0);
    const repeated = clients.reduce((n, c) => n + c.repeated, 0);
    process.stdout.write(
      `lvmd-hostile kill: ${kills.length} SIGKILLs (after ${kills.map((k) => k.atMs).join(', ')} ms; restart to ready ${kills.map((k) => k.downMs).join(', ')} ms); ` +
        `${answered} requests answered, ${repeated} repeats of cut-off requests; ${served.length} volumes at the end; watch snapshots "restarted" ${JSON.stringify(restartedSnapshots)}\n`,
    );

    expect(clients.flatMap((c) => c.failures)).toEqual([]);
    expect(served).toEqual(expected);
    expect(caughtUp()).toBe(true);
    for (const w of watched) expect(w).toEqual(served);
    // the kills really cut requests off, and watchers really resumed across lifetimes
    expect(repeated).toBeGreaterThan(0);
    for (const n of restartedSnapshots) expect(n).toBeGreaterThan(0);
  });
});
