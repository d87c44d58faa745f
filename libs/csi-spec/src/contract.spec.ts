import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsiContract } from './contract';
import { AccessMode, ControllerRpcType } from './enums';
import type { CreateVolumeRequest, CreateVolumeRequest__Output } from './generated/index';
import { csiProtoPath } from './proto-path';

const contract = CsiContract.load();
const protoText = readFileSync(csiProtoPath(), 'utf8');

describe('CsiContract', () => {
  it('loads the vendored csi.proto of the repository when run from the sources', () => {
    expect(csiProtoPath()).toBe(join(__dirname, '../../../third_party/csi/csi.proto'));
  });

  it('serves the RPCs of csi.proto, service by service', () => {
    for (const [service, definition] of Object.entries(contract.services)) {
      const declared = [...protoText.matchAll(new RegExp(`^service ${service} \\{([\\s\\S]*?)^\\}`, 'gm'))]
        .flatMap((m) => [...m[1]!.matchAll(/^\s*rpc\s+(\w+)/gm)].map((r) => r[1]))
        .sort();
      expect(declared.length).toBeGreaterThan(0);
      expect(Object.keys(definition).sort()).toEqual(declared);
    }
    expect(contract.method('Controller', 'CreateVolume')).toMatchObject({
      path: '/csi.v1.Controller/CreateVolume',
      requestType: 'csi.v1.CreateVolumeRequest',
      responseType: 'csi.v1.CreateVolumeResponse',
      responseStream: false,
      alpha: false,
    });
    expect(contract.method('Controller', 'GetSnapshot').alpha).toBe(true);
    expect(contract.method('SnapshotMetadata', 'GetMetadataDelta')).toMatchObject({ alpha: true, responseStream: true });
    expect(() => contract.method('Node', 'NodeFly')).toThrow('CSI has no RPC Node/NodeFly');
  });

  it('finds every field csi.proto marks csi_secret, from the proto options', () => {
    const marked = protoText.match(/\(csi_secret\)\s*=\s*true/g) ?? []; // also inside [(csi_secret) = true, (alpha_field) = true]
    const found = [...contract.secretFields.values()].flat();
    expect(marked.length).toBeGreaterThan(15);
    expect(found).toHaveLength(marked.length);
    expect(contract.secretFields.get('csi.v1.CreateVolumeRequest')).toEqual(['secrets']);
    expect(contract.secretFields.get('csi.v1.NodePublishVolumeRequest')).toEqual(['secrets']);
    expect(contract.secretFields.has('csi.v1.NodeUnpublishVolumeRequest')).toBe(false);
  });

  it('decodes requests the way the generated types say: proto field names, int64 as strings, enum names, defaults, oneof names', () => {
    const def = contract.services.Controller.CreateVolume;
    const sent: CreateVolumeRequest = {
      name: 'pvc-1',
      capacity_range: { required_bytes: '9007199254740993' }, // 2^53 + 1: exact only as a string
      volume_capabilities: [{ mount: { fs_type: 'xfs' }, access_mode: { mode: 'SINGLE_NODE_WRITER' } }],
      secrets: { password: 'hunter2' },
    };
    const received: CreateVolumeRequest__Output = def.requestDeserialize(def.requestSerialize(sent));
    expect(received.capacity_range).toEqual({ required_bytes: '9007199254740993', limit_bytes: '0' });
    expect(received.volume_capabilities[0]).toMatchObject({
      access_type: 'mount',
      mount: { fs_type: 'xfs', mount_flags: [], volume_mount_group: '' },
      access_mode: { mode: AccessMode.SINGLE_NODE_WRITER },
    });
    expect(received.volume_content_source).toBeNull();
    expect(received.parameters).toEqual({});
    expect(received.secrets).toEqual({ password: 'hunter2' });
  });

  it('encodes enum names and numbers alike in responses', () => {
    const def = contract.services.Controller.ControllerGetCapabilities;
    const bytes = def.responseSerialize({
      capabilities: [{ rpc: { type: ControllerRpcType.CREATE_DELETE_VOLUME } }, { rpc: { type: 5 } }],
    });
    expect(def.responseDeserialize(bytes).capabilities.map((c) => c.rpc?.type)).toEqual(['CREATE_DELETE_VOLUME', 'CREATE_DELETE_SNAPSHOT']);
  });

  it('strips the secrets of a request and nothing else', () => {
    const request = {
      name: 'pvc-1',
      parameters: { 'csi.example.com/device-class': 'ssd' },
      secrets: { password: 'hunter2', token: 's3cr3t' },
      volume_capabilities: [{ access_type: 'block', block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } }],
    };
    const stripped = contract.stripSecrets('csi.v1.CreateVolumeRequest', request);
    expect(stripped).toEqual({ ...request, secrets: '***stripped***' });
    expect(JSON.stringify(stripped)).not.toMatch(/hunter2|s3cr3t/);
    expect(request.secrets.password).toBe('hunter2'); // the handler's request is not touched
    // none sent: shown as none
    expect(contract.stripSecrets('csi.v1.DeleteVolumeRequest', { volume_id: 'v', secrets: {} })).toEqual({ volume_id: 'v', secrets: {} });
  });
});
