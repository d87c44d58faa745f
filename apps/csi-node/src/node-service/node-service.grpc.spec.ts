// The Node service behind the real gRPC server on a unix socket, with the locks and the
// error translation main.ts wires: what kubelet sees.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { callUnary, csiClient, CsiServer, identityService, NODE_LOCKS, withLocks } from '@copse/csi-grpc';
import { CsiContract, type NodeClient } from '@copse/csi-spec';
import { FsCommandError } from '@copse/fs-exec';
import { nameSet } from '@copse/k8s-crd';
import pino from 'pino';
import { FakeHost } from '../../test/fake-host';
import { FakeVolumes, mountCap, publishRequest } from '../../test/fixture';
import { nodeErrorToCsi } from './errors';
import { createNodeService } from './node-service';
import { PublishedTargets } from './published';

describe('the Node service over gRPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-node-'));
  const socket = join(dir, 'csi.sock');
  const contract = CsiContract.load();
  const host = new FakeHost();
  const volumes = new FakeVolumes();
  let server: CsiServer;
  let client: NodeClient;

  beforeAll(async () => {
    const core = createNodeService({ nodeName: 'node-1', names: nameSet(), volumes, host, published: new PublishedTargets() });
    server = await CsiServer.start({
      endpoint: `unix://${socket}`,
      identity: identityService({ name: nameSet().driverName, vendorVersion: 'test', capabilities: [], ready: () => true }),
      node: withLocks(core, NODE_LOCKS),
      mapError: nodeErrorToCsi,
      log: pino({ level: 'silent' }),
      contract,
    });
    client = csiClient('Node', socket, contract);
    host.addDevice('/dev/vg0/v1', { rdev: { major: 253, minor: 1 }, sizeBytes: 1 << 26, fsType: 'ext4', fsSizeBytes: 1 << 26 });
    volumes.volumes.set('v1', { id: 'v1', deviceClass: 'thin', devicePath: '/dev/vg0/v1', sizeBytes: 1 << 26, active: true, complete: true, readOnly: false, healthy: true });
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
    const slowVolumes = volumes.get.bind(volumes);
    volumes.get = async (id) => {
      await gate;
      return slowVolumes(id);
    };
    const target = join(dir, 'pods/p3/mount');
    const first = callUnary((cb) => client.NodePublishVolume(publishRequest('v1', target, mountCap()), cb));
    await new Promise((r) => setTimeout(r, 100));
    const second = await failure(callUnary((cb) => client.NodePublishVolume(publishRequest('v1', target, mountCap()), cb)));
    release();
    expect(second).toMatchObject({ code: status.ABORTED, details: 'an operation with the given volume ID v1 already exists' });
    expect(await first).toEqual({});
    volumes.get = slowVolumes;
  });
});
