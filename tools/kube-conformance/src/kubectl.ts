/**
 * kubectl as a user runs it: the binary named by $KUBECTL (default: `kubectl` on PATH), with
 * the cluster's kubeconfig, through execFile with an argv array (never a shell).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class Kubectl {
  constructor(
    private readonly kubeconfigPath: string,
    readonly binary: string = process.env['KUBECTL'] || 'kubectl',
  ) {}

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, KUBECONFIG: this.kubeconfigPath, LC_ALL: 'C' };
  }

  /** Runs kubectl; resolves with its exit code and output whatever the code. */
  run(args: readonly string[], timeoutMs = 60_000): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      execFile(this.binary, [...args], { env: this.env(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`kubectl ${args.join(' ')}: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
  }

  /** Runs kubectl and expects exit code 0; returns stdout. */
  async ok(args: readonly string[], timeoutMs?: number): Promise<string> {
    const res = await this.run(args, timeoutMs);
    if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${res.code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
    return res.stdout;
  }

  /** Starts a long-running kubectl (e.g. get --watch); the caller stops it. */
  start(args: readonly string[]): { child: ChildProcess; output: () => string } {
    const child = spawn(this.binary, [...args], { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    return { child, output: () => out };
  }

  /** The client's minor version (e.g. 32 for 1.32, 20 for 1.20). */
  async clientMinor(): Promise<number> {
    const res = await this.run(['version', '--client', '-o', 'json']);
    const parsed = JSON.parse(res.stdout) as { clientVersion: { minor: string } };
    return Number.parseInt(parsed.clientVersion.minor, 10);
  }
}

/** Splits `kubectl get` output into a header and rows of whitespace-separated columns. */
export function parseTable(stdout: string): { header: string[]; rows: string[][] } {
  const lines = stdout.split('\n').filter((l) => l.trim().length > 0);
  const headerLine = lines[0] ?? '';
  // columns start where the header's names start; cells may be empty, so slice by position
  const starts: number[] = [];
  const names: string[] = [];
  const re = /\S+(?: \S+)*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(headerLine)) !== null) {
    starts.push(m.index);
    names.push(m[0]);
  }
  const rows = lines.slice(1).map((line) =>
    starts.map((start, i) => line.slice(start, i + 1 < starts.length ? starts[i + 1] : undefined).trim()),
  );
  return { header: names, rows };
}
