/**
 * The guest side of a test node. Runs as /testnode/agent.js under the host's node
 * binary, started by busybox init after rcS. It mounts the shares, builds the volume
 * groups and thin pools the host asked for, starts the services, and serves the
 * control channel (protocol.ts). It only imports node built-ins and ./protocol,
 * which travel with it on the config disk. Test tooling only.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { createHash, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import {
  COPY_CHUNK_BYTES,
  DMSETUP_COMMANDS,
  ExecResult,
  GuestConfig,
  GuestProcess,
  GuestPhase,
  GuestService,
  LVM_COMMANDS,
  MAX_READ_BYTES,
  Operations,
  ServiceStatus,
  TryWriteResult,
} from './protocol';

const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const LOG_DIR = '/var/log/testnode';

class BadRequest extends Error {}

function say(line: string): void {
  process.stdout.write(`testnode-agent: ${line}\n`);
}

function uptime(): number {
  return Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

/** Runs a program with an argv array; stdin is /dev/null, output collected. */
function exec(file: string, argv: readonly string[], env: Record<string, string> = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(file, [...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH, LC_ALL: 'C', LVM_SUPPRESS_FD_WARNINGS: '1', ...env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ exitCode: 127, stdout: '', stderr: String(e) }));
    child.on('close', (code, signal) =>
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

async function execChecked(file: string, argv: readonly string[]): Promise<ExecResult> {
  const r = await exec(file, argv);
  if (r.exitCode !== 0) throw new Error(`${file} ${argv.join(' ')} exited ${r.exitCode}: ${r.stderr.trim()}`);
  return r;
}

/** Virtio serial -> /dev/vdX for every virtio disk. */
function virtioDisksBySerial(): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of fs.readdirSync('/sys/block')) {
    if (!name.startsWith('vd')) continue;
    try {
      const serial = fs.readFileSync(`/sys/block/${name}/serial`, 'utf8').trim();
      map.set(serial, `/dev/${name}`);
    } catch {
      // no serial attribute
    }
  }
  return map;
}

interface ServiceState {
  readonly spec: GuestService;
  child?: ChildProcess;
  exitCode?: number | null;
  signal?: string | null;
  starts: number;
  exited?: Promise<void>;
}

class Services {
  private readonly states = new Map<string, ServiceState>();

  constructor(specs: readonly GuestService[]) {
    for (const spec of specs) this.states.set(spec.name, { spec, starts: 0 });
  }

  names(): string[] {
    return [...this.states.keys()];
  }

  private get(name: string): ServiceState {
    const state = this.states.get(name);
    if (!state) throw new BadRequest(`no service named ${JSON.stringify(name)}`);
    return state;
  }

  status(name: string): ServiceStatus {
    const s = this.get(name);
    const running = s.child !== undefined && s.child.exitCode === null && s.child.signalCode === null;
    return { name, running, pid: s.child?.pid, exitCode: s.exitCode, signal: s.signal, starts: s.starts };
  }

  start(name: string): ServiceStatus {
    const s = this.get(name);
    if (this.status(name).running) return this.status(name);
    const [file, ...args] = s.spec.argv;
    if (!file) throw new BadRequest(`service ${name} has an empty argv`);
    const log = fs.createWriteStream(path.join(LOG_DIR, `${name}.log`), { flags: 'a' });
    s.starts += 1;
    log.write(`--- start #${s.starts} at ${uptime()}s: ${JSON.stringify(s.spec.argv)}\n`);
    const child = spawn(file, args, {
      cwd: s.spec.cwd,
      env: { PATH, HOME: '/root', ...s.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    s.child = child;
    s.exitCode = undefined;
    s.signal = undefined;
    const relay = (stream: NodeJS.ReadableStream) => {
      let partial = '';
      stream.on('data', (b: Buffer) => {
        log.write(b);
        const text = partial + b.toString('utf8');
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) process.stdout.write(`[${name}] ${line}\n`);
      });
      stream.on('end', () => {
        if (partial) process.stdout.write(`[${name}] ${partial}\n`);
      });
    };
    relay(child.stdout as NodeJS.ReadableStream);
    relay(child.stderr as NodeJS.ReadableStream);
    s.exited = new Promise((resolve) => {
      child.on('error', (e) => {
        log.write(`--- failed to start: ${String(e)}\n`);
        s.exitCode = 127;
        resolve();
      });
      child.on('exit', (code, signal) => {
        s.exitCode = code;
        s.signal = signal;
        log.write(`--- exited code=${code} signal=${signal} at ${uptime()}s\n`);
        say(`service ${name} exited code=${code} signal=${signal}`);
        resolve();
      });
    });
    say(`service ${name} started pid=${child.pid}`);
    return this.status(name);
  }

  async kill(name: string, signal: string): Promise<ServiceStatus> {
    const s = this.get(name);
    if (s.child && this.status(name).running) {
      s.child.kill(signal as NodeJS.Signals);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([s.exited, new Promise((r) => (timer = setTimeout(r, 15_000)))]);
      clearTimeout(timer);
    }
    return this.status(name);
  }

  logs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of this.names()) {
      try {
        out[name] = fs.readFileSync(path.join(LOG_DIR, `${name}.log`), 'utf8');
      } catch {
        out[name] = '';
      }
    }
    return out;
  }
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new BadRequest(`${what} must be a non-empty string`);
  return v;
}

function int(v: unknown, what: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new BadRequest(`${what} must be an integer >= 0`);
  return v;
}

function argvOf(v: unknown, allowed: readonly string[], what: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string')) {
    throw new BadRequest(`${what} argv must be a non-empty array of strings`);
  }
  if (!allowed.includes(v[0] as string)) throw new BadRequest(`${what} command ${JSON.stringify(v[0])} is not allowed`);
  return v as string[];
}

/** Devices must exist (a typo must not create a file in /dev); other paths are created if missing. */
function openForWrite(file: string): Promise<fs.promises.FileHandle> {
  return fs.promises.open(file, file.startsWith('/dev/') ? 'r+' : fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
}

async function writeRange(file: string, offset: number, data: Buffer): Promise<number> {
  const fh = await openForWrite(file);
  try {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await fh.write(data, done, Math.min(data.length - done, 1 << 20), offset + done);
      done += bytesWritten;
    }
    await fh.sync();
    return done;
  } finally {
    await fh.close();
  }
}

async function checksumRange(file: string, offset: number, length: number): Promise<string> {
  const hash = createHash('sha256');
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, length - done), offset + done);
      if (bytesRead === 0) throw new BadRequest(`${file}: end of data at ${offset + done}, wanted ${offset + length}`);
      hash.update(buf.subarray(0, bytesRead));
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

async function readRange(file: string, offset: number, length: number): Promise<Buffer> {
  if (length > MAX_READ_BYTES) throw new BadRequest(`read is limited to ${MAX_READ_BYTES} bytes; use checksum`);
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Copies [0, length) of one device or file to another, COPY_CHUNK_BYTES at a time
 * (what `dd if=FROM of=TO bs=4M count=... conv=fsync` does), then fsyncs the target.
 * The target must exist when it is under /dev (as for write).
 */
export async function copyRange(from: string, to: string, length: number): Promise<number> {
  const src = await fs.promises.open(from, 'r');
  try {
    const dst = await openForWrite(to);
    try {
      const buf = Buffer.allocUnsafe(Math.max(1, Math.min(COPY_CHUNK_BYTES, length)));
      let done = 0;
      while (done < length) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, length - done), done);
        if (bytesRead === 0) throw new BadRequest(`${from}: end of data at ${done}, wanted ${length}`);
        let written = 0;
        while (written < bytesRead) {
          const { bytesWritten } = await dst.write(buf, written, bytesRead - written, done + written);
          written += bytesWritten;
        }
        done += bytesRead;
      }
      await dst.sync();
      return done;
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

/** Reads one 4 KiB block and writes the same bytes back: proves writability without changing data. */
async function tryWrite(file: string, offset: number): Promise<TryWriteResult> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r+');
  } catch (e) {
    return { writable: false, failedAt: 'open', code: (e as NodeJS.ErrnoException).code };
  }
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    try {
      await fh.write(buf, 0, Math.max(bytesRead, 1), offset);
    } catch (e) {
      return { writable: false, failedAt: 'write', code: (e as NodeJS.ErrnoException).code };
    }
    try {
      await fh.sync();
    } catch (e) {
      return { writable: false, failedAt: 'fsync', code: (e as NodeJS.ErrnoException).code };
    }
    return { writable: true };
  } finally {
    await fh.close();
  }
}

/** USER_HZ: what /proc/PID/stat counts CPU time in (100 on every Linux that matters). */
const CLOCK_TICKS = 100;

/** Every process in /proc: pid, parent, argv and CPU time (utime + stime). */
export function listProcesses(proc = '/proc'): GuestProcess[] {
  const out: GuestProcess[] = [];
  for (const entry of fs.readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(path.join(proc, entry, 'stat'), 'utf8');
      // "pid (comm) state ppid ..."; comm may hold spaces and parentheses: split after the last ')'
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = fs.readFileSync(path.join(proc, entry, 'cmdline'), 'utf8').split('\0').filter((a) => a !== '');
      out.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        argv,
        cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
      });
    } catch {
      // it exited while we looked
    }
  }
  return out;
}

export class Agent {
  phase: GuestPhase = 'setup';
  error?: string;
  dataDisks: Record<string, string> = {};
  readonly services: Services;

  constructor(private readonly config: GuestConfig) {
    this.services = new Services(config.services);
  }

  async setup(): Promise<void> {
    const disks = await this.waitForDisks();
    for (const serial of this.config.dataDiskSerials) this.dataDisks[serial] = disks.get(serial) as string;
    for (const share of this.config.shares) {
      fs.mkdirSync(share.guestDir, { recursive: true });
      await execChecked('mount', ['-t', 'ext4', '-o', 'ro,noload', disks.get(share.serial) as string, share.guestDir]);
    }
    for (const vg of this.config.volumeGroups) {
      const devices = vg.diskSerials.map((s) => disks.get(s) as string);
      for (const device of devices) await execChecked('lvm', ['pvcreate', device]);
      await execChecked('lvm', ['vgcreate', vg.name, ...devices]);
      for (const pool of vg.thinPools) {
        await execChecked('lvm', ['lvcreate', '-T', `${vg.name}/${pool.name}`, '-L', `${pool.sizeBytes}b`]);
      }
      say(`volume group ${vg.name} ready (${vg.thinPools.map((p) => p.name).join(', ') || 'no thin pools'})`);
    }
    for (const name of this.services.names()) this.services.start(name);
  }

  private async waitForDisks(): Promise<Map<string, string>> {
    const wanted = [...this.config.dataDiskSerials, ...this.config.shares.map((s) => s.serial)];
    for (let i = 0; ; i++) {
      const disks = virtioDisksBySerial();
      const missing = wanted.filter((s) => !disks.has(s) || !fs.existsSync(disks.get(s) as string));
      if (missing.length === 0) return disks;
      if (i > 100) throw new Error(`virtio disks not found: ${missing.join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async handle(op: string, body: Record<string, unknown>): Promise<unknown> {
    switch (op as keyof Operations) {
      case 'status':
        return { phase: this.phase, error: this.error, uptimeSeconds: uptime(), dataDisks: this.dataDisks };
      case 'lvm':
        return exec('lvm', argvOf(body['argv'], LVM_COMMANDS, 'lvm'));
      case 'dmsetup':
        return exec('dmsetup', argvOf(body['argv'], DMSETUP_COMMANDS, 'dmsetup'));
      case 'write': {
        const file = str(body['path'], 'path');
        const offset = int(body['offset'], 'offset', 0);
        let data: Buffer;
        if (typeof body['dataBase64'] === 'string') {
          data = Buffer.from(body['dataBase64'], 'base64');
        } else {
          const pattern = str(body['pattern'], 'pattern');
          data = Buffer.alloc(int(body['length'], 'length'), pattern, 'utf8');
        }
        return { bytesWritten: await writeRange(file, offset, data) };
      }
      case 'checksum':
        return {
          sha256: await checksumRange(str(body['path'], 'path'), int(body['offset'], 'offset', 0), int(body['length'], 'length')),
        };
      case 'read': {
        const data = await readRange(str(body['path'], 'path'), int(body['offset'], 'offset', 0), int(body['length'], 'length'));
        return { dataBase64: data.toString('base64') };
      }
      case 'copy':
        return {
          bytesCopied: await copyRange(str(body['from'], 'from'), str(body['to'], 'to'), int(body['length'], 'length')),
        };
      case 'mkfs': {
        const device = str(body['device'], 'device');
        const label = body['label'] === undefined ? [] : ['-L', str(body['label'], 'label')];
        if (body['fsType'] === 'ext4') return exec('mkfs.ext4', ['-F', '-q', ...label, device]);
        if (body['fsType'] === 'xfs') return exec('mkfs.xfs', ['-f', '-q', ...label, device]);
        throw new BadRequest('fsType must be ext4 or xfs');
      }
      case 'mount': {
        const device = str(body['device'], 'device');
        const target = str(body['target'], 'target');
        const options = body['options'] === undefined ? [] : (body['options'] as unknown[]).map((o) => str(o, 'option'));
        fs.mkdirSync(target, { recursive: true });
        const type = body['fsType'] === undefined ? [] : ['-t', str(body['fsType'], 'fsType')];
        return exec('mount', [...type, ...(options.length ? ['-o', options.join(',')] : []), device, target]);
      }
      case 'umount':
        return exec('umount', [str(body['target'], 'target')]);
      case 'sync':
        await execChecked('sync', []);
        return {};
      case 'dropCaches':
        await execChecked('sync', []);
        fs.writeFileSync('/proc/sys/vm/drop_caches', '3\n');
        return {};
      case 'getReadOnly': {
        const r = await execChecked('blockdev', ['--getro', str(body['device'], 'device')]);
        return { readOnly: r.stdout.trim() === '1' };
      }
      case 'tryWrite':
        return tryWrite(str(body['path'], 'path'), int(body['offset'], 'offset', 0));
      case 'serviceStatus':
        return this.services.status(str(body['name'], 'name'));
      case 'serviceKill': {
        const signal = body['signal'] === undefined ? 'SIGKILL' : str(body['signal'], 'signal');
        if (!/^SIG[A-Z0-9]+$/.test(signal)) throw new BadRequest('signal must look like SIGTERM');
        return this.services.kill(str(body['name'], 'name'), signal);
      }
      case 'serviceStart':
        return this.services.start(str(body['name'], 'name'));
      case 'processes':
        return { processes: listProcesses(), clockTicksPerSecond: CLOCK_TICKS };
      case 'kernelClock': {
        const marker = `testnode-clock-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        fs.writeFileSync('/dev/kmsg', `${marker}\n`);
        const dmesg = await exec('dmesg', []);
        const line = dmesg.stdout.split('\n').find((l) => l.includes(marker));
        const m = /^\[\s*(\d+\.\d+)\]/.exec(line ?? '');
        if (!m) throw new Error(`the kernel log has no ${marker}`);
        return { seconds: Number(m[1]) };
      }
      case 'thinNoSpaceTimeout': {
        const file = '/sys/module/dm_thin_pool/parameters/no_space_timeout';
        const previous = Number(fs.readFileSync(file, 'utf8').trim());
        fs.writeFileSync(file, `${int(body['seconds'], 'seconds')}\n`);
        return { previous };
      }
      case 'logs': {
        const dmesg = await exec('dmesg', []);
        return { services: this.services.logs(), dmesg: dmesg.stdout };
      }
      default:
        throw new BadRequest(`unknown operation ${JSON.stringify(op)}`);
    }
  }
}

function authorized(req: http.IncomingMessage, token: string): boolean {
  const header = req.headers['authorization'] ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '', 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function serve(agent: Agent, config: GuestConfig): http.Server {
  let lastSeen = Date.now();
  if (config.leaseSeconds > 0) {
    setInterval(() => {
      if (Date.now() - lastSeen > config.leaseSeconds * 1000) {
        say(`no control request for ${config.leaseSeconds}s: the host is gone, rebooting (qemu exits)`);
        void exec('reboot', ['-f']);
      }
    }, 5_000);
  }
  const server = http.createServer((req, res) => {
    const reply = (status: number, value: unknown) => {
      const body = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (!authorized(req, config.token)) {
      reply(401, { error: 'unauthorized' });
      req.resume();
      return;
    }
    lastSeen = Date.now();
    const match = /^\/v1\/([A-Za-z]+)$/.exec(req.url ?? '');
    if (!match || (req.method !== 'POST' && req.method !== 'GET')) {
      reply(404, { error: 'not found' });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        if (text) body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        reply(400, { error: 'body is not JSON' });
        return;
      }
      agent.handle(match[1] as string, body).then(
        (value) => reply(200, value),
        (error: unknown) => {
          if (error instanceof BadRequest) reply(400, { error: error.message });
          else {
            const e = error as NodeJS.ErrnoException;
            reply(500, { error: e.message ?? String(error), code: e.code });
          }
        },
      );
    });
  });
  server.listen(config.controlPort, '0.0.0.0', () => say(`control channel listening on :${config.controlPort} at ${uptime()}s`));
  return server;
}

export function main(): void {
  const configPath = process.argv[2] ?? '/testnode/config.json';
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as GuestConfig;
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const agent = new Agent(config);
  serve(agent, config);
  agent.setup().then(
    () => {
      agent.phase = 'ready';
      say(`ready at ${uptime()}s`);
    },
    (error: unknown) => {
      agent.phase = 'failed';
      agent.error = error instanceof Error ? error.message : String(error);
      say(`setup failed: ${agent.error}`);
    },
  );
}

// The guest runs this file as `node /testnode/agent.js`; a spec imports it to test operations.
if (require.main === module) main();
