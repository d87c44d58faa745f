/**
 * startTestNode: boots a QEMU (TCG) guest with real lvm2 and dm-thin, builds the
 * requested volume groups and thin pools on sparse data disks, starts services, and
 * hands back a TestNode with the forwarded ports and the control channel.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { agentSources } from './agent-source';
import { testNodeAvailability } from './availability';
import { ControlClient } from './control-client';
import { ensureGuestImage, GuestImage } from './guest-image';
import { CONFIG_DISK_SERIAL, CONTROL_GUEST_PORT, GuestConfig } from './guest/protocol';
import { findProgram } from './host-deps';
import { buildExt4Image, createSparseDisk } from './images';
import { QemuDrive, qemuArgv } from './qemu-args';

export interface TestNodeDisk {
  readonly sizeBytes: number;
}

export interface TestNodeVolumeGroup {
  readonly name: string;
  /** Indexes into options.disks. */
  readonly disks: readonly number[];
  readonly thinPools: readonly { readonly name: string; readonly sizeBytes: number }[];
}

export interface TestNodeShare {
  /** Copied into an ext4 image at start: later host changes are not seen by the guest. */
  readonly hostDir: string;
  /** Absolute guest path, mounted read-only. */
  readonly guestDir: string;
}

export interface TestNodeService {
  readonly name: string;
  /** argv[0] is looked up in the guest's PATH (/usr/sbin:/usr/bin:/sbin:/bin); the guest's node is /usr/bin/node. */
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface TestNodeOptions {
  readonly disks: readonly TestNodeDisk[];
  readonly volumeGroups?: readonly TestNodeVolumeGroup[];
  readonly shares?: readonly TestNodeShare[];
  /** Started after the volume groups exist, in order; output goes to the console and /var/log/testnode/NAME.log. */
  readonly services?: readonly TestNodeService[];
  /** Guest ports forwarded from free ports on host 127.0.0.1 (services must listen on 0.0.0.0 in the guest). */
  readonly forwards?: readonly number[];
  /** Guest -> host: guest 10.0.2.100:guestPort reaches host 127.0.0.1:hostPort (one socat per connection). */
  readonly hostServices?: readonly { readonly guestPort: number; readonly hostPort: number }[];
  /** Small files put on the config disk, readable in the guest as /testnode/files/NAME. */
  readonly files?: Readonly<Record<string, string | Buffer>>;
  readonly memoryMiB?: number;
  readonly cpus?: number;
  /** From starting qemu to the guest agent reporting ready (volume groups built, services started). */
  readonly bootTimeoutMs?: number;
  readonly cacheDir?: string;
  /** Keep qemu running when this process exits (the CLI); the caller stops it later. */
  readonly detached?: boolean;
  /** Progress lines (image build, boot); default: silent. */
  readonly log?: (line: string) => void;
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export interface TestNodeTimings {
  /** Building or finding the cached kernel and initramfs. */
  readonly imageMs: number;
  /** Disks, share and config images. */
  readonly prepareMs: number;
  /** qemu start to the agent's "ready" (pools built, services started). */
  readonly bootMs: number;
  readonly imageBuilt: boolean;
}

export interface TestNode {
  readonly pid: number;
  readonly tempDir: string;
  readonly consoleLogPath: string;
  readonly timings: TestNodeTimings;
  readonly control: ControlClient;
  /** Guest device of data disk i, e.g. /dev/vdb. */
  dataDisk(index: number): string;
  /** Host port on 127.0.0.1 forwarded to guestPort (must be in options.forwards). */
  hostPort(guestPort: number): number;
  /** Until something accepts TCP connections on guestPort (heuristic: the forwarded connection stays open). */
  waitForPort(guestPort: number, options?: WaitOptions): Promise<void>;
  /** Until GET path on guestPort answers with a status below 500. */
  waitForHttp(guestPort: number, urlPath: string, options?: WaitOptions): Promise<HttpAnswer>;
  /** Serial console, then each service's log and dmesg when the guest still answers. */
  logs(): Promise<string>;
  /** Stops qemu and removes the disks and images. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_BOOT_TIMEOUT_MS = 120_000;

/** The guest reboots (qemu exits) after this long without hearing from its (non-detached) owner. */
const LEASE_SECONDS = 60;

export function freePorts(count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const servers: net.Server[] = [];
    const ports: number[] = [];
    const next = (): void => {
      if (ports.length === count) {
        let open = servers.length;
        if (open === 0) resolve(ports);
        for (const s of servers) s.close(() => --open === 0 && resolve(ports));
        return;
      }
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        servers.push(server);
        ports.push((server.address() as net.AddressInfo).port);
        next();
      });
    };
    next();
  });
}

function tail(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function validate(options: TestNodeOptions): void {
  if (options.disks.length === 0 && (options.volumeGroups ?? []).length > 0) throw new Error('volume groups need disks');
  const used = new Set<number>();
  for (const vg of options.volumeGroups ?? []) {
    if (!/^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/.test(vg.name)) throw new Error(`bad volume group name ${vg.name}`);
    if (vg.disks.length === 0) throw new Error(`volume group ${vg.name} has no disks`);
    for (const d of vg.disks) {
      if (!Number.isInteger(d) || d < 0 || d >= options.disks.length) throw new Error(`volume group ${vg.name}: no disk ${d}`);
      if (used.has(d)) throw new Error(`disk ${d} is in two volume groups`);
      used.add(d);
    }
  }
  const names = new Set<string>();
  for (const s of options.services ?? []) {
    if (!/^[A-Za-z0-9_.-]+$/.test(s.name) || names.has(s.name)) throw new Error(`bad or duplicate service name ${s.name}`);
    if (s.argv.length === 0) throw new Error(`service ${s.name} has an empty argv`);
    names.add(s.name);
  }
  for (const share of options.shares ?? []) {
    if (!path.isAbsolute(share.guestDir)) throw new Error(`share guestDir must be absolute: ${share.guestDir}`);
  }
  for (const name of Object.keys(options.files ?? {})) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad file name ${name}`);
  }
}

class RunningNode implements TestNode {
  private stopped = false;
  private readonly exitHandler = (): void => this.killNow();
  private keepAlive?: NodeJS.Timeout;
  readonly exited: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    readonly tempDir: string,
    readonly consoleLogPath: string,
    readonly control: ControlClient,
    private readonly forwards: ReadonlyMap<number, number>,
    private readonly detached: boolean,
    public timings: TestNodeTimings,
    public dataDisks: readonly string[] = [],
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    if (!detached) {
      process.once('exit', this.exitHandler);
      // Keeps the guest's lease (see GuestConfig.leaseSeconds) while this process lives.
      this.keepAlive = setInterval(() => this.control.status({ timeoutMs: 5_000 }).catch(() => undefined), 10_000);
      this.keepAlive.unref();
    }
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  dataDisk(index: number): string {
    const device = this.dataDisks[index];
    if (!device) throw new Error(`no data disk ${index}`);
    return device;
  }

  hostPort(guestPort: number): number {
    const p = this.forwards.get(guestPort);
    if (p === undefined) throw new Error(`guest port ${guestPort} is not forwarded (add it to options.forwards)`);
    return p;
  }

  async waitForPort(guestPort: number, options: WaitOptions = {}): Promise<void> {
    const port = this.hostPort(guestPort);
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let settled = false;
        const done = (v: boolean) => {
          if (settled) return;
          settled = true;
          socket.destroy();
          resolve(v);
        };
        socket.once('error', () => done(false));
        socket.once('close', () => done(false));
        socket.once('end', () => done(false));
        // slirp accepts on the host first and drops the connection when the guest refuses it.
        socket.once('connect', () => setTimeout(() => done(true), 500));
      });
      if (open) return;
      this.assertRunning(`waiting for guest port ${guestPort}`);
      if (Date.now() > deadline) throw new Error(`guest port ${guestPort} not open in time\n${tail(this.consoleLogPath, 40)}`);
      await sleep(options.intervalMs ?? 200);
    }
  }

  async waitForHttp(guestPort: number, urlPath: string, options: WaitOptions = {}): Promise<HttpAnswer> {
    const port = this.hostPort(guestPort);
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let last = '';
    for (;;) {
      try {
        const answer = await httpGet(port, urlPath, 5_000);
        if (answer.status < 500) return answer;
        last = `status ${answer.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      this.assertRunning(`waiting for http://guest:${guestPort}${urlPath}`);
      if (Date.now() > deadline) {
        throw new Error(`GET ${urlPath} on guest port ${guestPort} did not answer in time (${last})\n${tail(this.consoleLogPath, 40)}`);
      }
      await sleep(options.intervalMs ?? 200);
    }
  }

  assertRunning(what: string): void {
    if (!this.running) throw new Error(`test node exited while ${what}\n${tail(this.consoleLogPath, 40)}`);
  }

  async logs(): Promise<string> {
    let out = `=== serial console (${this.consoleLogPath}) ===\n`;
    try {
      out += fs.readFileSync(this.consoleLogPath, 'utf8');
    } catch {
      out += '(none)\n';
    }
    if (this.running) {
      try {
        const guest = await this.control.logs();
        for (const [name, text] of Object.entries(guest.services)) out += `\n=== service ${name} ===\n${text}`;
        out += `\n=== dmesg ===\n${guest.dmesg}`;
      } catch (error) {
        out += `\n(guest logs unavailable: ${(error as Error).message})\n`;
      }
    }
    return out;
  }

  private killNow(): void {
    clearInterval(this.keepAlive);
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    fs.rmSync(this.tempDir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.detached) process.removeListener('exit', this.exitHandler);
    clearInterval(this.keepAlive);
    if (this.running) {
      this.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5_000))),
      ]);
      clearTimeout(timer);
      if (!killed) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    fs.rmSync(this.tempDir, { recursive: true, force: true });
  }
}

function httpGet(port: number, urlPath: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Boots a test node; on failure the error carries the tail of the guest's console. */
export async function startTestNode(options: TestNodeOptions): Promise<TestNode> {
  const availability = testNodeAvailability();
  if (!availability.ok) throw new Error(availability.reason);
  validate(options);
  const log = options.log ?? (() => undefined);
  const t0 = Date.now();
  const image: GuestImage = await ensureGuestImage({ cacheDir: options.cacheDir, log });
  const t1 = Date.now();

  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'copse-testnode-'));
  fs.chmodSync(tempDir, 0o700);
  let node: RunningNode | undefined;
  try {
    const drives: QemuDrive[] = [];
    const dataSerials = options.disks.map((_, i) => `data${i}`);
    options.disks.forEach((disk, i) => {
      const file = path.join(tempDir, `data${i}.img`);
      createSparseDisk(file, disk.sizeBytes);
      drives.push({ file, serial: `data${i}`, readOnly: false });
    });
    const shares = options.shares ?? [];
    for (const [i, share] of shares.entries()) {
      const file = path.join(tempDir, `share${i}.img`);
      await buildExt4Image(share.hostDir, file, `share${i}`);
      drives.push({ file, serial: `share${i}`, readOnly: true });
    }

    const token = randomBytes(32).toString('hex');
    const config: GuestConfig = {
      token,
      controlPort: CONTROL_GUEST_PORT,
      dataDiskSerials: dataSerials,
      shares: shares.map((s, i) => ({ serial: `share${i}`, guestDir: s.guestDir })),
      volumeGroups: (options.volumeGroups ?? []).map((vg) => ({
        name: vg.name,
        diskSerials: vg.disks.map((d) => `data${d}`),
        thinPools: vg.thinPools.map((p) => ({ name: p.name, sizeBytes: p.sizeBytes })),
      })),
      services: (options.services ?? []).map((s) => ({ name: s.name, argv: [...s.argv], env: { ...s.env }, cwd: s.cwd ?? '/' })),
      leaseSeconds: options.detached ? 0 : LEASE_SECONDS,
    };
    const configDir = path.join(tempDir, 'config');
    fs.mkdirSync(path.join(configDir, 'files'), { recursive: true, mode: 0o700 });
    for (const [name, source] of Object.entries(agentSources())) fs.writeFileSync(path.join(configDir, name), source);
    fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
    for (const [name, content] of Object.entries(options.files ?? {})) fs.writeFileSync(path.join(configDir, 'files', name), content);
    const configImage = path.join(tempDir, 'config.img');
    await buildExt4Image(configDir, configImage, CONFIG_DISK_SERIAL);
    fs.rmSync(configDir, { recursive: true, force: true });
    drives.unshift({ file: configImage, serial: CONFIG_DISK_SERIAL, readOnly: true });

    const forwards = [...new Set(options.forwards ?? [])];
    const ports = await freePorts(forwards.length + 1);
    const controlPort = ports[0] as number;
    const forwardMap = new Map<number, number>(forwards.map((g, i) => [g, ports[i + 1] as number]));
    const consoleLog = path.join(tempDir, 'console.log');
    const argv = qemuArgv({
      kernel: image.kernel,
      initrd: image.initrd,
      memoryMiB: options.memoryMiB ?? 1024,
      cpus: options.cpus ?? 2,
      consoleLog,
      drives,
      hostForwards: [{ hostPort: controlPort, guestPort: CONTROL_GUEST_PORT }, ...[...forwardMap].map(([g, h]) => ({ hostPort: h, guestPort: g }))],
      guestForwards: options.hostServices ?? [],
    });
    fs.writeFileSync(path.join(tempDir, 'qemu.argv.json'), JSON.stringify(argv, null, 1));
    const qemuLog = fs.openSync(path.join(tempDir, 'qemu.log'), 'w');
    const qemu = findProgram('qemu-system-x86_64');
    if (!qemu) throw new Error('qemu-system-x86_64 not found: install qemu-system-x86');
    const t2 = Date.now();
    const child = spawn(qemu, argv, { stdio: ['ignore', qemuLog, qemuLog], detached: options.detached ?? false });
    fs.closeSync(qemuLog);
    child.on('error', () => undefined);
    if (options.detached) child.unref();
    const control = new ControlClient(controlPort, token);
    node = new RunningNode(child, tempDir, consoleLog, control, forwardMap, options.detached ?? false, {
      imageMs: t1 - t0,
      prepareMs: t2 - t1,
      bootMs: 0,
      imageBuilt: image.built,
    });
    log(`testnode: qemu pid ${child.pid}, waiting for the guest agent`);

    const deadline = Date.now() + (options.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS);
    for (;;) {
      if (!node.running) throw new Error(`qemu exited during boot (code ${child.exitCode}, signal ${child.signalCode}): ${tail(path.join(tempDir, 'qemu.log'), 10)}`);
      try {
        const status = await control.status({ timeoutMs: 2_000 });
        if (status.phase === 'ready') {
          node.dataDisks = dataSerials.map((s) => status.dataDisks[s] as string);
          break;
        }
        if (status.phase === 'failed') throw new Error(`guest setup failed: ${status.error}`);
      } catch (error) {
        if ((error as Error).message.startsWith('guest setup failed')) throw error;
      }
      if (Date.now() > deadline) throw new Error(`the guest was not ready within ${options.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS} ms`);
      await sleep(100);
    }
    node.timings = { ...node.timings, bootMs: Date.now() - t2 };
    log(`testnode: ready in ${node.timings.bootMs} ms`);
    return node;
  } catch (error) {
    const consoleTail = tail(path.join(tempDir, 'console.log'), 60);
    if (node) await node.stop();
    else fs.rmSync(tempDir, { recursive: true, force: true });
    const e = error instanceof Error ? error : new Error(String(error));
    e.message = `test node failed to start: ${e.message}\n--- guest console (last lines) ---\n${consoleTail}`;
    throw e;
  }
}
