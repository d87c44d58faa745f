import { status } from '@grpc/grpc-js';
import { CsiError } from '@copse/csi-grpc';
import { FsCommandError } from '@copse/fs-exec';
import { FsSizeParseError } from '@copse/fs-model';
import { CURRENT_API_GROUP, nameSet } from '@copse/k8s-crd';
import { LvmdClientError } from '@copse/lvmd-api';
import { CommandUnavailableError } from '@copse/process-runner';
import { FakeHost } from '../../test/fake-host';
import { ctx, FakeVolumes } from '../../test/fixture';
import { nodeErrorToCsi } from './errors';
import { nodeServiceCore } from './node-service';
import { PublishedTargets } from './published';

const service = (group = nameSet(), maxVolumesPerNode?: number) =>
  nodeServiceCore({ nodeName: 'worker-3', names: group, volumes: new FakeVolumes(), host: new FakeHost(), published: new PublishedTargets(), maxVolumesPerNode });

describe('NodeGetInfo and NodeGetCapabilities', () => {
  it("answers the node name as node id and the topology segment under the API group's key", async () => {
    expect(await service().NodeGetInfo!({}, ctx())).toEqual({
      node_id: 'worker-3',
      max_volumes_per_node: 0,
      accessible_topology: { segments: { [nameSet().topologyNodeKey]: 'worker-3' } },
    });
    const current = nameSet(CURRENT_API_GROUP);
    expect((await service(current, 250).NodeGetInfo!({}, ctx())).accessible_topology).toEqual({ segments: { [current.topologyNodeKey]: 'worker-3' } });
    expect((await service(current, 250).NodeGetInfo!({}, ctx())).max_volumes_per_node).toBe(250);
  });

  it("offers TopoLVM's node capabilities and no staging", async () => {
    expect(await service().NodeGetCapabilities!({}, ctx())).toEqual({
      capabilities: [{ rpc: { type: 'GET_VOLUME_STATS' } }, { rpc: { type: 'EXPAND_VOLUME' } }, { rpc: { type: 'VOLUME_CONDITION' } }],
    });
    expect(service().NodeStageVolume).toBeUndefined();
    expect(service().NodeUnstageVolume).toBeUndefined();
  });
});

describe('nodeErrorToCsi', () => {
  const problem = (code: 'not-found' | 'no-space' | 'unavailable' | 'unauthorized', title: string, detail?: string) =>
    new LvmdClientError(503, code, { type: 'x', title, status: 503, code, ...(detail ? { detail } : {}) });

  it.each([
    ['an lvmd-http problem, by the registry', problem('unavailable', 'lvm is not available', 'lvm timed out'), status.UNAVAILABLE, 'lvmd-http: lvm timed out'],
    ['a wrong lvmd-http token', problem('unauthorized', 'Missing or wrong bearer token'), status.UNAUTHENTICATED, 'lvmd-http: Missing or wrong bearer token'],
    [
      'a failed mount, naming the command and what it said',
      new FsCommandError(['mount', '-t', 'xfs', '/dev/a', '/t'], { exitCode: 32, stdout: '', stderr: 'mount: /t: wrong fs type, bad option, bad superblock on /dev/a.\n' }),
      status.INTERNAL,
      'mount failed (exit code 32): mount: /t: wrong fs type, bad option, bad superblock on /dev/a.',
    ],
    ['a missing program', new CommandUnavailableError(['mkfs.btrfs', '-f', '/dev/a'], Object.assign(new Error('spawn mkfs.btrfs ENOENT'), { code: 'ENOENT' })), status.INTERNAL, 'cannot run mkfs.btrfs on this node: spawn mkfs.btrfs ENOENT'],
    ['unreadable tool output', new FsSizeParseError('dumpe2fs', 'no Block size'), status.INTERNAL, 'cannot read the filesystem size from dumpe2fs: no Block size'],
    ['lvmd-http refusing connections', Object.assign(new Error('connect ECONNREFUSED /run/lvmd.sock'), { code: 'ECONNREFUSED', syscall: 'connect' }), status.UNAVAILABLE, 'lvmd-http unreachable (ECONNREFUSED): connect ECONNREFUSED /run/lvmd.sock'],
    ['an undici socket error', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), status.UNAVAILABLE, 'lvmd-http unreachable (UND_ERR_SOCKET): other side closed'],
  ])('maps %s', (_name, err, code, message) => {
    const mapped = nodeErrorToCsi(err);
    expect(mapped).toBeInstanceOf(CsiError);
    expect({ code: mapped?.code, message: mapped?.message }).toEqual({ code, message });
  });

  it('leaves errors it does not know to INTERNAL with the detail in the log only', () => {
    expect(nodeErrorToCsi(Object.assign(new Error('ENOENT: no such file, mkdir /x'), { code: 'ENOENT', syscall: 'mkdir' }))).toBeUndefined();
    expect(nodeErrorToCsi(new Error('boom'))).toBeUndefined();
    expect(nodeErrorToCsi(undefined)).toBeUndefined();
  });
});
