/**
 * Needs real lvm2: boots ONE test node (QEMU/TCG guest with Debian's kernel, lvm2 and
 * dm-thin) and checks thin snapshot behaviour the driver relies on, plus the test
 * node's own services and control channel. Skips locally without the host
 * dependencies (tools/testnode/install-deps.sh); fails instead when CI=true.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeWithTestNode, patternSha256, startTestNode, TestNode } from './index';

const MiB = 1024 * 1024;
const RANGE = 4 * MiB;
const A = patternSha256('A', RANGE);
const B = patternSha256('B', RANGE);

describeWithTestNode('test node with real lvm2', () => {
  let node: TestNode;
  let webDir: string;

  beforeAll(async () => {
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testnode-web-'));
    fs.writeFileSync(
      path.join(webDir, 'server.js'),
      "require('http').createServer((q, s) => s.end('pong ' + process.env.GREETING + ' ' + q.url)).listen(8080, '0.0.0.0', () => console.log('web listening on 8080'));\n",
    );
    node = await startTestNode({
      disks: [{ sizeBytes: 2048 * MiB }],
      volumeGroups: [{ name: 'vg0', disks: [0], thinPools: [{ name: 'pool0', sizeBytes: 1024 * MiB }] }],
      shares: [{ hostDir: webDir, guestDir: '/mnt/web' }],
      services: [{ name: 'web', argv: ['node', 'server.js'], cwd: '/mnt/web', env: { GREETING: 'hi' } }],
      forwards: [8080],
    });
  }, 300_000);

  afterAll(async () => {
    await node?.stop();
    fs.rmSync(webDir, { recursive: true, force: true });
  }, 60_000);

  const lvm = async (...argv: string[]) => {
    const r = await node.control.lvm(argv);
    if (r.exitCode !== 0) throw new Error(`lvm ${argv.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
    return r;
  };

  it('builds the requested volume group and thin pool on the data disk', async () => {
    const r = await lvm('lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'lv_name,lv_attr,lv_size', 'vg0');
    const lvs = (JSON.parse(r.stdout) as { report: { lv: { lv_name: string; lv_attr: string; lv_size: string }[] }[] }).report[0]?.lv;
    const pool = lvs?.find((lv) => lv.lv_name === 'pool0');
    expect(pool?.lv_attr.startsWith('t')).toBe(true);
    expect(Number(pool?.lv_size)).toBe(1024 * MiB);
    const pvs = await lvm('pvs', '--noheadings', '-o', 'pv_name,vg_name');
    expect(pvs.stdout.trim().split(/\s+/)).toEqual([node.dataDisk(0), 'vg0']);
  });

  it('thin snapshot keeps the origin data, read-only snapshot refuses writes, restore reads it back writable', async () => {
    await lvm('lvcreate', '-T', 'vg0/pool0', '-n', 'thin1', '-V', `${64 * MiB}b`, '-W', 'y', '-y');
    await node.control.writePattern('/dev/vg0/thin1', 0, RANGE, 'A');
    expect(await node.control.checksum('/dev/vg0/thin1', 0, RANGE)).toBe(A);

    await lvm('lvcreate', '-s', '-k', 'n', '-n', 'snap1', 'vg0/thin1');
    await node.control.writePattern('/dev/vg0/thin1', 0, RANGE, 'B');
    await node.control.dropCaches();
    expect(await node.control.checksum('/dev/vg0/thin1', 0, RANGE)).toBe(B);
    expect(await node.control.checksum('/dev/vg0/snap1', 0, RANGE)).toBe(A);

    await lvm('lvchange', '-p', 'r', 'vg0/snap1');
    expect(await node.control.getReadOnly('/dev/vg0/snap1')).toBe(true);
    const refused = await node.control.tryWrite('/dev/vg0/snap1');
    expect(refused.writable).toBe(false);
    expect(['EPERM', 'EROFS', 'EACCES']).toContain(refused.code);
    expect(await node.control.checksum('/dev/vg0/snap1', 0, RANGE)).toBe(A);

    await lvm('lvcreate', '-s', '-k', 'n', '-n', 'restore1', 'vg0/snap1');
    await lvm('lvchange', '-k', 'n', '-a', 'y', 'vg0/restore1');
    expect(await node.control.getReadOnly('/dev/vg0/restore1')).toBe(false);
    expect(await node.control.checksum('/dev/vg0/restore1', 0, RANGE)).toBe(A);
    expect(await node.control.tryWrite('/dev/vg0/restore1')).toEqual({ writable: true });
    await node.control.writePattern('/dev/vg0/restore1', 0, RANGE, 'C');
    expect(await node.control.checksum('/dev/vg0/restore1', 0, RANGE)).toBe(patternSha256('C', RANGE));
    expect(await node.control.checksum('/dev/vg0/snap1', 0, RANGE)).toBe(A);
    expect(await node.control.checksum('/dev/vg0/thin1', 0, RANGE)).toBe(B);
  }, 120_000);

  it('makes and mounts filesystems on thin volumes (xfs clone needs nouuid)', async () => {
    await lvm('lvcreate', '-T', 'vg0/pool0', '-n', 'fs1', '-V', `${320 * MiB}b`, '-W', 'y', '-y');
    expect((await node.control.mkfs('/dev/vg0/fs1', 'xfs')).exitCode).toBe(0);
    await lvm('lvcreate', '-s', '-k', 'n', '-n', 'fs1clone', 'vg0/fs1');
    expect((await node.control.mount('/dev/vg0/fs1', '/mnt/fs1', { fsType: 'xfs' })).exitCode).toBe(0);
    const duplicate = await node.control.mount('/dev/vg0/fs1clone', '/mnt/fs1clone', { fsType: 'xfs' });
    expect(duplicate.exitCode).not.toBe(0);
    const clone = await node.control.mount('/dev/vg0/fs1clone', '/mnt/fs1clone', { fsType: 'xfs', options: ['nouuid'] });
    expect(clone).toMatchObject({ exitCode: 0 });
    await node.control.writePattern('/mnt/fs1clone/file', 0, MiB, 'x');
    expect(await node.control.checksum('/mnt/fs1clone/file', 0, MiB)).toBe(patternSha256('x', MiB));
    expect((await node.control.umount('/mnt/fs1clone')).exitCode).toBe(0);
    expect((await node.control.umount('/mnt/fs1')).exitCode).toBe(0);
  }, 120_000);

  it('runs services reachable through the forwarded port, and kills and restarts them', async () => {
    const first = await node.waitForHttp(8080, '/ping');
    expect(first).toEqual({ status: 200, body: 'pong hi /ping' });

    const killed = await node.control.killService('web');
    expect(killed).toMatchObject({ running: false, signal: 'SIGKILL', starts: 1 });
    await expect(node.waitForHttp(8080, '/down', { timeoutMs: 1_000 })).rejects.toThrow(/did not answer/);

    expect(await node.control.startService('web')).toMatchObject({ running: true, starts: 2 });
    expect((await node.waitForHttp(8080, '/again')).body).toBe('pong hi /again');
    const logs = await node.logs();
    expect(logs).toContain('[web] web listening on 8080');
    expect(logs).toContain('--- start #2');
  }, 120_000);

  it('refuses control requests without the boot token', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: node.control.port, method: 'POST', path: '/v1/lvm', headers: { authorization: 'Bearer wrong' }, agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ argv: ['lvs'] }));
    });
    expect(status).toBe(401);
    await expect(node.control.lvm(['sh', '-c', 'true'])).rejects.toThrow(/not allowed/);
  });
});
