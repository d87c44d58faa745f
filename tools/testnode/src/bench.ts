/**
 * Boot-time benchmark of the test node (speed goals live here, never in tests):
 *   node tools/testnode/dist/bench.js [--cold] [--runs N]
 * --cold builds the kernel and initramfs into a fresh temporary cache first.
 * Prints one JSON line per run: image, prepare, boot to control ready, and to an
 * HTTP service in the guest answering through its forwarded port.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestNode } from './testnode';

async function main(argv: readonly string[]): Promise<void> {
  const cold = argv.includes('--cold');
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
  const cacheDir = cold ? fs.mkdtempSync(path.join(os.tmpdir(), 'testnode-bench-cache-')) : undefined;
  const web = fs.mkdtempSync(path.join(os.tmpdir(), 'testnode-bench-web-'));
  fs.writeFileSync(path.join(web, 'server.js'), "require('http').createServer((q, s) => s.end('ok')).listen(8080, '0.0.0.0');\n");
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
      const node = await startTestNode({
        cacheDir,
        disks: [{ sizeBytes: 8 * 1024 ** 3 }],
        volumeGroups: [{ name: 'myvg1', disks: [0], thinPools: [{ name: 'pool0', sizeBytes: 4 * 1024 ** 3 }] }],
        shares: [{ hostDir: web, guestDir: '/mnt/web' }],
        services: [{ name: 'web', argv: ['node', '/mnt/web/server.js'] }],
        forwards: [8080],
      });
      const ready = Date.now() - t0;
      await node.waitForHttp(8080, '/');
      const http = Date.now() - t0;
      await node.stop();
      process.stdout.write(
        JSON.stringify({ run: i + 1, ...node.timings, startToReadyMs: ready, startToHttpMs: http }) + '\n',
      );
    }
  } finally {
    fs.rmSync(web, { recursive: true, force: true });
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
