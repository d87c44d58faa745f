import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the vendored csi.proto is at run time: beside the compiled library (dist/proto/,
 * copied there by the build, which is what a deployed image ships), else in the
 * repository's third_party/csi/ (jest runs the sources, src/ has no copy).
 */
export function csiProtoPath(): string {
  const candidates = [join(__dirname, 'proto', 'csi.proto'), join(__dirname, '..', '..', '..', 'third_party', 'csi', 'csi.proto')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`csi.proto not found: looked in ${candidates.join(' and ')}`);
  return found;
}
