// Benchmark (not a test) of the thin pool monitor's idle cost: what following a pool live
// costs lvmd-http when nothing happens on the node.
//
// 1. On this host, natively: the CPU time of one look at a pool's I/O counters (the sysfs
//    stat files of a block device and of the devices under it, read and parsed as the
//    monitor does once a second), and of one short-lived dmsetup process (what polling
//    `dmsetup status` would start every second instead).
// 2. In one QEMU test node (TCG: every instruction emulated, so CPU figures are inflated
//    several times over real hardware), three lvmd-http instances on the same real 64 MiB
//    pool, idle for --idle-seconds:
//    - the default: `dmsetup wait` on the pool's events + its I/O counters read every second;
//    - events only (--pool-poll-interval 0): the counters' share is the difference;
//    - sysfs unreadable (--sysfs /nonexistent): the monitor falls back to `dmsetup status`
//      every second, the polling the default design avoids.
//    For each: processes lvmd-http started (its lvm and dmsetup invocation counters),
//    dmsetup processes alive, and CPU seconds of lvmd-http and its children, per hour.
//
// Run: npm run bench:pool -w @copse/bench   (or: npx nx run @copse/bench:bench-pool)
// Flags: --idle-seconds N (default 120)  --write-doc (replace the section in docs/benchmarks.md)
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { lvmdHttpService, startTestNode, workspaceShares, type TestNode } from '@copse/testnode';
import { writeBenchmarkSection } from './benchmarks-doc';

const root = join(__dirname, '../../..');
const MiB = 2 ** 20;
const VG = 'vgidle';
const POOL = 'pool0';
const HEADING = '## Thin pool monitor: idle cost';
const IDLE_SECONDS = Number(flag('idle-seconds') ?? 120);
const WRITE_DOC = process.argv.includes('--write-doc');

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const log = (line: string): void => void process.stderr.write(`[bench-pool] ${line}\n`);

/** CPU seconds this process's reaped children used (utime + stime of /proc/self/stat, in USER_HZ ticks). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function spawnOnce(file: string, argv: string[]): Promise<void> {
  return new Promise((resolve) => execFile(file, argv, { env: { LC_ALL: 'C', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } }, () => resolve()));
}

/** A block device of this host with the most slaves (a dm or md device if any): what the monitor reads per look. */
function someBlockDevice(): string | undefined {
  const dir = '/sys/dev/block';
  if (!existsSync(dir)) return undefined;
  const devices = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'stat')));
  const slaves = (d: string) => (existsSync(join(dir, d, 'slaves')) ? readdirSync(join(dir, d, 'slaves')).length : 0);
  return devices.sort((a, b) => slaves(b) - slaves(a))[0];
}

interface HostResult {
  readonly device: string;
  readonly lookMicros: number;
  readonly spawnMs: number;
  readonly spawnWallMs: number;
  /** CPU seconds per hour of an idle node process, without and with an event-loop delay monitor at 10 ms */
  readonly idleNode: { readonly plain: number; readonly eventLoopMonitor: number; readonly seconds: number };
}

/** CPU seconds per hour of this idle process over `seconds`, optionally with prom-client's event-loop-lag monitor (10 ms resolution). */
async function idleCpuPerHour(seconds: number, eventLoopMonitor: boolean): Promise<number> {
  const monitor = eventLoopMonitor ? monitorEventLoopDelay({ resolution: 10 }) : undefined;
  monitor?.enable();
  const c0 = process.cpuUsage();
  const w0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c = process.cpuUsage(c0);
  monitor?.disable();
  return ((c.user + c.system) / 1e6 / ((Date.now() - w0) / 1000)) * 3600;
}

async function measureHost(): Promise<HostResult | undefined> {
  const device = someBlockDevice();
  if (!device) return undefined;
  const dir = `/sys/dev/block/${device}`;
  // a pool is three devices (-tpool, _tmeta, _tdata): the directory listing and three stat files per look
  const files = [join(dir, 'stat'), join(dir, 'stat'), join(dir, 'stat')];
  const look = () => {
    const lines = files.map((f) => readFileSync(f, 'utf8'));
    // the fields the monitor compares (lvm-model's parseBlockStat): write I/Os and sectors, discard I/Os and sectors
    return lines.map((l) => l.trim().split(/\s+/)).map((f) => `${f[4]}/${f[6]}/${f[11] ?? 0}/${f[13] ?? 0}`).join(' ');
  };
  // the monitor also lists the slaves directory each time
  const N = 20_000;
  for (let i = 0; i < 1000; i++) look();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    try {
      readdirSync(join(dir, 'slaves'));
    } catch {
      // no slaves directory on this device: the attempt is what is measured
    }
    look();
  }
  const cpu = process.cpuUsage(cpu0);
  const lookMicros = (cpu.user + cpu.system) / N;
  // one short-lived process, as `dmsetup status` would be: our side (fork/exec, pipes) and the child's
  const dmsetup = ['/usr/sbin/dmsetup', '/sbin/dmsetup'].find((p) => existsSync(p)) ?? '/bin/true';
  const M = 200;
  const own0 = process.cpuUsage();
  const children0 = childrenCpuSeconds();
  const wall0 = Date.now();
  for (let i = 0; i < M; i++) await spawnOnce(dmsetup, ['version']);
  const own = process.cpuUsage(own0);
  const spawnMs = ((own.user + own.system) / 1000 + (childrenCpuSeconds() - children0) * 1000) / M;
  const idleSeconds = 20;
  const idleNode = { plain: await idleCpuPerHour(idleSeconds, false), eventLoopMonitor: await idleCpuPerHour(idleSeconds, true), seconds: idleSeconds };
  return { device, lookMicros, spawnMs, spawnWallMs: (Date.now() - wall0) / M, idleNode };
}

interface Variant {
  readonly name: string;
  readonly label: string;
  readonly port: number;
  readonly args: string[];
}

const VARIANTS: Variant[] = [
  { name: 'lvmd-default', label: 'default: dmsetup wait + I/O counters every 1 s', port: 8081, args: [] },
  { name: 'lvmd-events', label: 'events only (--pool-poll-interval 0)', port: 8082, args: ['--pool-poll-interval', '0'] },
  { name: 'lvmd-polling', label: 'no sysfs: dmsetup status every 1 s (--sysfs /nonexistent)', port: 8083, args: ['--sysfs', '/nonexistent'] },
];

interface GuestResult {
  readonly label: string;
  readonly spawnsPerMinute: number;
  readonly dmsetupAlive: number;
  readonly cpuSecondsPerHour: number;
}

async function counters(node: TestNode, port: number, token: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${node.hostPort(port)}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => /^lvmd_(lvm|dmsetup)_invocations_total\{/.test(l))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

/** CPU seconds of the lvmd-http whose argv names `config`, and of its children (the sleeping dmsetup wait). */
async function cpuOf(node: TestNode, config: string): Promise<{ seconds: number; dmsetups: number }> {
  const { processes } = await node.control.processes();
  const lvmd = processes.find((p) => p.argv.includes(`/testnode/files/${config}`));
  if (!lvmd) throw new Error(`no lvmd-http with ${config}`);
  const children = processes.filter((p) => p.ppid === lvmd.pid);
  return {
    seconds: lvmd.cpuSeconds + children.reduce((n, c) => n + c.cpuSeconds, 0),
    dmsetups: children.filter((c) => (c.argv[0] ?? '').endsWith('dmsetup')).length,
  };
}

async function measureGuest(): Promise<{ results: GuestResult[]; bootMs: number; kernel: string }> {
  const token = randomBytes(24).toString('hex');
  const yaml = [
    'device-classes:',
    '  - name: thin',
    `    volume-group: ${VG}`,
    '    default: true',
    '    type: thin',
    '    thin-pool:',
    `      name: ${POOL}`,
    '      overprovision-ratio: 10',
    '',
  ].join('\n');
  const node = await startTestNode({
    disks: [{ sizeBytes: 512 * MiB }],
    volumeGroups: [{ name: VG, disks: [0], thinPools: [{ name: POOL, sizeBytes: 64 * MiB }] }],
    shares: workspaceShares(root),
    services: VARIANTS.map((v) =>
      lvmdHttpService({
        name: v.name,
        port: v.port,
        configFile: `${v.name}.yaml`,
        tokenFile: 'lvmd.token',
        extraArgs: ['--refresh-interval', '86400', '--log-level', 'warn', ...v.args],
      }),
    ),
    forwards: VARIANTS.map((v) => v.port),
    files: { ...Object.fromEntries(VARIANTS.map((v) => [`${v.name}.yaml`, yaml])), 'lvmd.token': `${token}\n` },
    memoryMiB: 1536,
    bootTimeoutMs: 300_000,
  });
  try {
    for (const v of VARIANTS) await node.waitForHttp(v.port, '/readyz', { timeoutMs: 300_000 });
    // a thin volume with data: the pool stacked on -tpool, as on a node in use
    const lvm = async (argv: string[]) => {
      const r = await node.control.lvm(argv);
      if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    };
    await lvm(['lvcreate', '-T', `${VG}/${POOL}`, '-n', 'data', '-V', '128m', '-W', 'y', '-y']);
    await node.control.writePattern(`/dev/${VG}/data`, 0, 16 * MiB, 'D');
    // let every instance see it and settle
    await new Promise((r) => setTimeout(r, 15_000));
    const before = await Promise.all(VARIANTS.map(async (v) => ({ calls: await counters(node, v.port, token), cpu: await cpuOf(node, `${v.name}.yaml`) })));
    const t0 = Date.now();
    log(`idle for ${IDLE_SECONDS} s`);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const seconds = (Date.now() - t0) / 1000;
    const after = await Promise.all(VARIANTS.map(async (v) => ({ calls: await counters(node, v.port, token), cpu: await cpuOf(node, `${v.name}.yaml`) })));
    const kernel = (await node.control.lvm(['version'])).stdout.split('\n').find((l) => /LVM version/.test(l))?.trim() ?? '';
    return {
      bootMs: node.timings.bootMs,
      kernel,
      results: VARIANTS.map((v, i) => ({
        label: v.label,
        spawnsPerMinute: ((after[i]!.calls - before[i]!.calls) / seconds) * 60,
        dmsetupAlive: after[i]!.cpu.dmsetups,
        cpuSecondsPerHour: ((after[i]!.cpu.seconds - before[i]!.cpu.seconds) / seconds) * 3600,
      })),
    };
  } finally {
    await node.stop();
  }
}

function render(host: HostResult | undefined, guest: Awaited<ReturnType<typeof measureGuest>>): string {
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
  const out = [
    HEADING,
    '',
    `Measured ${date} with \`npm run bench:pool -w @copse/bench\` (source \`tools/bench/src/pool-monitor.ts\`) on ${machine}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} at the end (other work shared the machine).`,
    '',
    'What lvmd-http does per thin pool while nothing happens (docs/lvmd-http.md, "Thin pool monitoring"): one `dmsetup wait`',
    'sleeps in the kernel until the pool raises an event, and once a second the write and discard counters of the pool device and',
    'of the devices under it are read from sysfs; `dmsetup status` runs only when they moved.',
    '',
  ];
  if (host) {
    const perHour = (host.lookMicros * 3600) / 1e6;
    out.push(
      '### On this host, natively',
      '',
      '| what | CPU per time | at once a second, per pool |',
      '| --- | --- | --- |',
      `| one look at a pool's I/O counters (list \`slaves/\`, read and parse 3 stat files, as of \`/sys/dev/block/${host.device}\`) | ${host.lookMicros.toFixed(1)} µs | ${perHour.toFixed(3)} CPU s per hour, 0 processes |`,
      `| one short-lived dmsetup process (start, run, exit; ours and its CPU) | ${host.spawnMs.toFixed(2)} ms (${host.spawnWallMs.toFixed(1)} ms wall) | ${((host.spawnMs * 3600) / 1000).toFixed(1)} CPU s per hour, 60 processes per minute |`,
      '',
      `Following a pool by polling \`dmsetup status\` every second would cost about ${Math.round(host.spawnMs / (host.lookMicros / 1000))} times the CPU of reading its counters, and 86,400 processes a day.`,
      '',
      `For scale, an idle node process (a 1 s timer) used ${host.idleNode.plain.toFixed(2)} CPU s per hour here, and ${host.idleNode.eventLoopMonitor.toFixed(2)} with an`,
      "event-loop delay monitor at 10 ms resolution, which prom-client's default metrics (`nodejs_eventloop_lag_*`, registered by",
      `lvmd-http's main.ts) run (${host.idleNode.seconds} s each): that timer, not the pool monitor, is most of an idle lvmd-http's CPU.`,
      '',
    );
  }
  out.push(
    '### In the QEMU test node (TCG: every guest instruction emulated)',
    '',
    `Three lvmd-http instances on one real 64 MiB pool holding a thin volume with 16 MiB written (${guest.kernel}, boot ${Math.round(guest.bootMs / 1000)} s),`,
    `idle for ${IDLE_SECONDS} s after settling. Processes started come from lvmd-http's own \`lvmd_lvm_invocations_total\` and`,
    '`lvmd_dmsetup_invocations_total`; CPU from the guest\'s /proc (lvmd-http and its children).',
    '',
    '| monitor | processes started per minute | dmsetup processes alive | CPU seconds per hour (TCG) |',
    '| --- | --- | --- | --- |',
    ...guest.results.map((r) => `| ${r.label} | ${r.spawnsPerMinute.toFixed(1)} | ${r.dmsetupAlive} | ${r.cpuSecondsPerHour.toFixed(1)} |`),
    '',
    'Under TCG the CPU figures are many times what real hardware spends (the native figures above are the ones to plan with);',
    'the process counts are exact. The idle lvmd-http process has a CPU floor of its own (timers, garbage collection) that',
    'the events-only row shows; the difference to the default row is what reading the counters costs.',
  );
  return out.join('\n');
}


async function main(): Promise<void> {
  const host = await measureHost();
  log(host ? `host: a look ${host.lookMicros.toFixed(1)} µs, a process ${host.spawnMs.toFixed(2)} ms` : 'host: no block device in /sys');
  const guest = await measureGuest();
  const section = render(host, guest);
  process.stdout.write(`${section}\n`);
  if (WRITE_DOC) log(`wrote ${writeBenchmarkSection(HEADING, section)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
