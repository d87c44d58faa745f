/**
 * The stack's processes (node on a built dist/ entry point, or kubectl) through spawn/execFile
 * with an argv array, never a shell; their output kept (the last MiB) for the failure message of
 * a suite, and written whole to a log file when one is named.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** How much of a process's output is kept in memory (a sandbox runs for hours). */
const KEPT_OUTPUT_CHARS = 1024 * 1024;

export interface ProcOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** every line the process prints also goes here (appended) */
  readonly logFile?: string;
}

export class Proc {
  private output = '';
  private readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private readonly logStream?: WriteStream;

  constructor(
    readonly name: string,
    args: readonly string[],
    options: ProcOptions = {},
  ) {
    this.child = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env, LC_ALL: 'C' } });
    if (options.logFile) this.logStream = createWriteStream(options.logFile, { flags: 'a' });
    const keep = (d: string) => {
      this.output += d;
      if (this.output.length > KEPT_OUTPUT_CHARS) this.output = this.output.slice(-KEPT_OUTPUT_CHARS / 2);
      this.logStream?.write(d);
    };
    this.child.stdout?.setEncoding('utf8').on('data', keep);
    this.child.stderr?.setEncoding('utf8').on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    void this.exited.then(() => this.logStream?.end());
  }

  /** Resolves when the process has exited, however it ended. */
  whenExited(): Promise<void> {
    return this.exited;
  }

  /** The exit code, or the signal's name, once exited. */
  get exitStatus(): number | string | null {
    return this.child.exitCode ?? this.child.signalCode;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    return this.output;
  }

  /** Resolves once `ready` holds (checked every 50 ms); rejects when the process exits first. */
  async until(what: string, ready: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await ready()) return;
      if (!this.running) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** kubectl as a user runs it: $KUBECTL (default kubectl on PATH) with the stack's kubeconfig. */
export class Kubectl {
  constructor(
    private readonly kubeconfig: string,
    readonly binary = process.env['KUBECTL'] || 'kubectl',
  ) {}

  run(args: readonly string[], stdin?: string): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.binary,
        [...args],
        { env: { ...process.env, KUBECONFIG: this.kubeconfig, LC_ALL: 'C' }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') reject(new Error(`kubectl ${args.join(' ')}: ${error.message}\n${stderr}`));
          else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
        },
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  }

  /** Runs kubectl, expecting exit code 0; returns stdout. */
  async ok(args: readonly string[], stdin?: string): Promise<string> {
    const r = await this.run(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** kubectl apply -f - of the objects. */
  apply(...objects: object[]): Promise<string> {
    return this.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  }

  /** kubectl get -o json of one object; undefined when it does not exist. */
  async getJson<T = Record<string, any>>(args: readonly string[]): Promise<T | undefined> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await this.run(['get', ...args, '-o', 'json']);
    if (r.code !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
    }
    return JSON.parse(r.stdout) as T;
  }
}
