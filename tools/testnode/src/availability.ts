/**
 * Can this host boot a test node? Checks the programs (naming the Debian package for
 * each missing one) and that the kernel package is known to apt or already cached.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheRoot } from './cache';
import { hasCachedKernel } from './guest-image';
import { describeMissing, missingRequirements, resolveKernelPackage } from './host-deps';

export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let memo: Availability | undefined;

export function testNodeAvailability(options: { refresh?: boolean } = {}): Availability {
  if (memo && !options.refresh) return memo;
  memo = check();
  return memo;
}

function check(): Availability {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { ok: false, reason: `the test node needs linux/x64 (this is ${process.platform}/${process.arch})` };
  }
  const missing = missingRequirements();
  if (missing.length > 0) return { ok: false, reason: describeMissing(missing) };
  if (!fs.existsSync(process.execPath)) return { ok: false, reason: `node binary ${process.execPath} not found` };
  const root = cacheRoot();
  const kernel = resolveKernelPackage(path.join(root, 'kernel', 'resolved.json'));
  if ('error' in kernel && !hasCachedKernel(root)) {
    return { ok: false, reason: `the guest kernel package is not reachable: ${kernel.error}` };
  }
  return { ok: true };
}
