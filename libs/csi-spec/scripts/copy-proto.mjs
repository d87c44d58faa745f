// Puts the vendored CSI contract (csi.proto and its LICENSE) beside the compiled library,
// in dist/proto/, so that a deployed image that ships dist/ finds it without the
// repository around it. src/proto-path.ts looks there first.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, '../../third_party/csi');
const to = join(root, 'dist/proto');
mkdirSync(to, { recursive: true });
for (const name of ['csi.proto', 'LICENSE']) copyFileSync(join(from, name), join(to, name));
