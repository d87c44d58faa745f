/**
 * Host-side process helper for the test node tooling. Always argv arrays (execFile /
 * spawn), never a shell; stdin is /dev/null unless a caller pipes something in.
 */
import { execFile, execFileSync } from 'node:child_process';

export interface ProcResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs a program to completion; a non-zero exit is reported, not thrown. ENOENT is thrown. */
export function run(file: string, argv: readonly string[], options: RunOptions = {}): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...argv],
      {
        cwd: options.cwd,
        env: { ...process.env, LC_ALL: 'C', ...options.env },
        timeout: options.timeoutMs ?? 0,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code === 'string') {
          reject(error);
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode: code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** Like run, but throws with the command line and its stderr when the exit code is not 0. */
export async function runChecked(file: string, argv: readonly string[], options: RunOptions = {}): Promise<ProcResult> {
  const result = await run(file, argv, options);
  if (result.exitCode !== 0) {
    throw new Error(`${file} ${argv.join(' ')} exited ${result.exitCode}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result;
}

/** Synchronous variant for the quick availability probes; returns undefined when the program is missing. */
export function runSync(file: string, argv: readonly string[]): ProcResult | undefined {
  try {
    const stdout = execFileSync(file, [...argv], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
      timeout: 20_000,
    });
    return { exitCode: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { status?: number | null; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') return undefined;
    return { exitCode: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
