/**
 * Where the test node keeps what it builds once: the unpacked kernel with its modules
 * and the guest's base initramfs, keyed by the package versions that went into them.
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';

/** COPSE_TESTNODE_CACHE, else $XDG_CACHE_HOME/copse-testnode, else ~/.cache/copse-testnode. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const explicit = env['COPSE_TESTNODE_CACHE'];
  if (explicit) return path.resolve(explicit);
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
  return path.join(base, 'copse-testnode');
}

/** Bumped whenever the guest layout changes, so old caches are not reused. */
export const IMAGE_LAYOUT_VERSION = 2;

export interface BaseImageInputs {
  readonly layoutVersion: number;
  /** e.g. linux-image-6.1.0-50-cloud-amd64_6.1.176-1 */
  readonly kernel: string;
  readonly modules: readonly string[];
  /** Debian package -> installed version, for every package whose files are copied in. */
  readonly packages: Readonly<Record<string, string>>;
  /** The host's node binary: path, version and identity of the file. */
  readonly node: { readonly execPath: string; readonly version: string; readonly size: number; readonly mtimeMs: number };
}

/** A short, stable key: the same inputs in any key order give the same key. */
export function baseImageKey(inputs: BaseImageInputs): string {
  const canonical = JSON.stringify({
    layoutVersion: inputs.layoutVersion,
    kernel: inputs.kernel,
    modules: [...inputs.modules].sort(),
    packages: Object.fromEntries(Object.entries(inputs.packages).sort(([a], [b]) => a.localeCompare(b))),
    node: inputs.node,
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Directory name for an unpacked kernel package: safe for a path, unique per name and version. */
export function kernelDirName(packageName: string, version: string): string {
  return `${packageName}_${version}`.replace(/[^A-Za-z0-9._+-]/g, '_');
}
