/**
 * Host side of the control channel (guest/protocol.ts): a typed client for the fixed
 * operations the guest agent runs. Talks only to 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import {
  ExecResult,
  GuestLogs,
  OperationName,
  Operations,
  ServiceStatus,
  StatusResponse,
  TryWriteResult,
} from './guest/protocol';

export class ControlError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** sha256 of `length` bytes filled with `pattern` repeated: what checksum() returns for a writePattern() range. */
export function patternSha256(pattern: string, length: number): string {
  return createHash('sha256').update(Buffer.alloc(length, pattern, 'utf8')).digest('hex');
}

export interface LvmRunnerLike {
  run(argv: readonly string[], options?: { readonly signal?: AbortSignal }): Promise<ExecResult>;
}

export class ControlClient {
  constructor(
    readonly port: number,
    readonly token: string,
    private readonly defaultTimeoutMs = 300_000,
  ) {}

  /** One operation; rejects with ControlError on a non-200 answer. */
  call<K extends OperationName>(
    op: K,
    body: Operations[K]['req'],
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<Operations[K]['res']> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'POST',
          path: `/v1/${op}`,
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/json',
            'content-length': payload.length,
          },
          timeout: options.timeoutMs ?? this.defaultTimeoutMs,
          signal: options.signal,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let value: unknown;
            try {
              value = JSON.parse(text);
            } catch {
              reject(new ControlError(`control ${op}: answer is not JSON: ${text.slice(0, 200)}`, res.statusCode ?? 0));
              return;
            }
            if (res.statusCode === 200) resolve(value as Operations[K]['res']);
            else {
              const e = value as { error?: string; code?: string };
              reject(new ControlError(`control ${op}: ${res.statusCode} ${e.error ?? text}`, res.statusCode ?? 0, e.code));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`control ${op}: no answer within ${options.timeoutMs ?? this.defaultTimeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  status(options: { timeoutMs?: number } = {}): Promise<StatusResponse> {
    return this.call('status', {}, options);
  }

  /** Runs `lvm <argv...>` in the guest (argv[0] is the lvm command, e.g. "lvcreate"), LC_ALL=C, stdin /dev/null. */
  lvm(argv: readonly string[], options: { signal?: AbortSignal } = {}): Promise<ExecResult> {
    return this.call('lvm', { argv }, options);
  }

  /** The lvm operation shaped like @copse/lvm-model's LvmRunner, for suites that take a runner. */
  lvmRunner(): LvmRunnerLike {
    return { run: (argv, options) => this.lvm(argv, { signal: options?.signal }) };
  }

  /** Read-only dmsetup subcommands (info, table, status, ls, deps, version, wait). */
  dmsetup(argv: readonly string[]): Promise<ExecResult> {
    return this.call('dmsetup', { argv });
  }

  /** Fills [offset, offset+length) of a device or file with `pattern` repeated, then fsyncs. */
  async writePattern(path: string, offset: number, length: number, pattern: string, options: { timeoutMs?: number } = {}): Promise<number> {
    return (await this.call('write', { path, offset, length, pattern }, options)).bytesWritten;
  }

  async writeBytes(path: string, offset: number, data: Buffer): Promise<number> {
    return (await this.call('write', { path, offset, dataBase64: data.toString('base64') })).bytesWritten;
  }

  /** Writes a host file's content at offset of a guest device or file. */
  writeHostFile(path: string, offset: number, hostFile: string): Promise<number> {
    return this.writeBytes(path, offset, fs.readFileSync(hostFile));
  }

  async checksum(path: string, offset: number, length: number): Promise<string> {
    return (await this.call('checksum', { path, offset, length })).sha256;
  }

  /** Up to 4 MiB. */
  async read(path: string, offset: number, length: number): Promise<Buffer> {
    return Buffer.from((await this.call('read', { path, offset, length })).dataBase64, 'base64');
  }

  /**
   * Copies the first `length` bytes of one guest device or file to another in the guest
   * (4 MiB reads and writes, like dd bs=4M), then fsyncs the target: the host-assisted
   * full copy that thin snapshots replace. The target device must exist.
   */
  async copy(from: string, to: string, length: number, options: { timeoutMs?: number } = {}): Promise<number> {
    return (await this.call('copy', { from, to, length }, options)).bytesCopied;
  }

  mkfs(device: string, fsType: 'ext4' | 'xfs', options: { label?: string } = {}): Promise<ExecResult> {
    return this.call('mkfs', { device, fsType, ...options });
  }

  /** e.g. mount(dev, '/mnt/x', { fsType: 'xfs', options: ['nouuid', 'ro'] }) */
  mount(device: string, target: string, options: { fsType?: string; options?: readonly string[] } = {}): Promise<ExecResult> {
    return this.call('mount', { device, target, ...options });
  }

  umount(target: string): Promise<ExecResult> {
    return this.call('umount', { target });
  }

  async sync(): Promise<void> {
    await this.call('sync', {});
  }

  async dropCaches(): Promise<void> {
    await this.call('dropCaches', {});
  }

  /** blockdev --getro */
  async getReadOnly(device: string): Promise<boolean> {
    return (await this.call('getReadOnly', { device })).readOnly;
  }

  /** Rewrites one 4 KiB block with its own content: reports whether writing is refused and with which errno. */
  tryWrite(path: string, offset = 0): Promise<TryWriteResult> {
    return this.call('tryWrite', { path, offset });
  }

  serviceStatus(name: string): Promise<ServiceStatus> {
    return this.call('serviceStatus', { name });
  }

  /** Sends a signal (SIGKILL by default) and waits for the service to exit. */
  killService(name: string, signal = 'SIGKILL'): Promise<ServiceStatus> {
    return this.call('serviceKill', { name, signal });
  }

  startService(name: string): Promise<ServiceStatus> {
    return this.call('serviceStart', { name });
  }

  async restartService(name: string, signal = 'SIGTERM'): Promise<ServiceStatus> {
    await this.killService(name, signal);
    return this.startService(name);
  }

  /** Every process of the guest, with its parent, argv and CPU seconds. */
  processes(): Promise<Operations['processes']['res']> {
    return this.call('processes', {});
  }

  /** The kernel log's clock now, in seconds (what dmesg's timestamps are in). */
  async kernelClock(): Promise<number> {
    return (await this.call('kernelClock', {})).seconds;
  }

  /** Sets dm-thin's no_space_timeout in seconds (the kernel's default is 60); answers the previous value. */
  async setThinNoSpaceTimeout(seconds: number): Promise<number> {
    return (await this.call('thinNoSpaceTimeout', { seconds })).previous;
  }

  /** Service logs and the guest's dmesg. */
  logs(): Promise<GuestLogs> {
    return this.call('logs', {});
  }
}
