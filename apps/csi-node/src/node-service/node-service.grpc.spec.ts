// The Node service as app.ts wires it (createNodeService: locks, error translation), behind
// the real gRPC server on a unix socket with app.ts's mapError: what kubelet sees.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { callUnary, csiClient, CsiServer, identityService } from '@copse/csi-grpc';
import { CsiContract, type NodeClient } from '@copse/csi-spec';
import { FsCommandError } from '@copse/fs-exec';
import { nameSet } from '@copse/k8s-crd';
import pino from 'pino';
import { FakeHost } from '../../test/fake-host';
import { LvmdClientError, type LogicalVolume } from '@copse/lvmd-api';
import { lvmdErrorToCsi } from '../lvmd-errors';
import { mountCap, publishRequest } from '../../test/fixture';
import { createNodeService } from './wire';

const lv = (name: string): LogicalVolume => ({
  name,
  uuid: 'u',
  deviceClass: 'thin',
  volumeGroup: 'vg0',
  type: 'thin',
  thinPool: 'pool0',
  sizeBytes: 1 << 26,
  tags: [],
  state: 'ready',
  origin: '',
  active: true,
  accessType: 'rw',
  activationSkip: false,
  devicePath: `/dev/vg0/${name}`,
  health: { healthy: true },
});

/** lvmd-http as the Node service sees it: v1 exists, "down" is unreachable, the rest is not found. */
class FakeLvmd {
  gate: Promise<void> = Promise.resolve();
  async getLogicalVolume(name: string): Promise<LogicalVolume> {
    await this.gate;
    if (name === 'v1') return lv('v1');
    if (name === 'down') throw Object.assign(new Error('connect ECONNREFUSED /run/lvmd/lvmd.sock'), { code: 'ECONNREFUSED', syscall: 'connect' });
    if (name === 'busy') throw new LvmdClientError(409, 'in-use', { type: 't', title: 'In use', status: 409, code: 'in-use', detail: 'busy is open' });
    throw new LvmdClientError(404, 'not-found', { type: 't', title: 'Not found', status: 404, code: 'not-found' });
  }
}

describe('the Node service over gRPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-node-'));
  const socket = join(dir, 'csi.sock');
  const contract = CsiContract.load();
  const host = new FakeHost();
  const lvmd = new FakeLvmd();
  let server: CsiServer;
  let client: NodeClient;

  beforeAll(async () => {
    const node = createNodeService({ nodeName: 'node-1', names: nameSet(), lvmd, host, log: pino({ level: 'silent' }) });
    server = await CsiServer.start({
      endpoint: `unix://${socket}`,
      identity: identityService({ name: nameSet().driverName, vendorVersion: 'test', capabilities: [], ready: () => true }),
      node,
      mapError: lvmdErrorToCsi,
      log: pino({ level: 'silent' }),
      contract,
    });
    client = csiClient('Node', socket, contract);
    host.addDevice('/dev/vg0/v1', { rdev: { major: 253, minor: 1 }, sizeBytes: 1 << 26, fsType: 'ext4', fsSizeBytes: 1 << 26 });
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(1000, 1000);
    rmSync(dir, { recursive: true, force: true });
  });

  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: ServiceError) => ({ code: e.code, details: e.details }));

  it('answers info and capabilities, and UNIMPLEMENTED for staging', async () => {
    expect(await callUnary((cb) => client.NodeGetInfo({}, cb))).toMatchObject({ node_id: 'node-1' });
    expect(await failure(callUnary((cb) => client.NodeStageVolume({ volume_id: 'v1' }, cb)))).toMatchObject({ code: status.UNIMPLEMENTED });
  });

  it('publishes, refuses a conflicting publish and maps a failed mount to INTERNAL with what mount said', async () => {
    const target = join(dir, 'pods/p1/mount');
    expect(await callUnary((cb) => client.NodePublishVolume(publishRequest('v1', target, mountCap()), cb))).toEqual({});
    expect(await failure(callUnary((cb) => client.NodePublishVolume(publishRequest('v1', target, mountCap(), true), cb)))).toMatchObject({ code: status.ALREADY_EXISTS });
    host.failNextMount = new FsCommandError(['mount', '-t', 'ext4'], { exitCode: 32, stdout: '', stderr: 'mount: /x: can\'t read superblock on /dev/vg0/v1.\n' });
    expect(await failure(callUnary((cb) => client.NodePublishVolume(publishRequest('v1', join(dir, 'pods/p2/mount'), mountCap()), cb)))).toEqual({
      code: status.INTERNAL,
      details: "mount failed (exit code 32): mount: /x: can't read superblock on /dev/vg0/v1.",
    });
    expect(await failure(callUnary((cb) => client.NodePublishVolume(publishRequest('gone', target, mountCap()), cb)))).toMatchObject({ code: status.NOT_FOUND });
  });

  it('refuses a second call on the same volume id while the first runs (ABORTED)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    lvmd.gate = gate;
    const target = join(dir, 'pods/p3/mount');
    const first = callUnary((cb) => client.NodePublishVolume(publishRequest('v1', target, mountCap()), cb));
    await new Promise((r) => setTimeout(r, 100));
    const second = await failure(callUnary((cb) => client.NodePublishVolume(publishRequest('v1', target, mountCap()), cb)));
    release();
    expect(second).toMatchObject({ code: status.ABORTED, details: 'an operation with the given volume ID v1 already exists' });
    expect(await first).toEqual({});
    lvmd.gate = Promise.resolve();
  });

  it("answers lvmd-http's failures with their codes: UNAVAILABLE when it cannot be reached, the problem's code when it answers", async () => {
    const target = join(dir, 'pods/p4/mount');
    expect(await failure(callUnary((cb) => client.NodePublishVolume(publishRequest('down', target, mountCap()), cb)))).toMatchObject({
      code: status.UNAVAILABLE,
      details: expect.stringMatching(/^lvmd-http unreachable \(ECONNREFUSED\)/),
    });
    expect(await failure(callUnary((cb) => client.NodePublishVolume(publishRequest('busy', target, mountCap()), cb)))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: 'lvmd-http: busy is open',
    });
  });
});
