import { status } from '@grpc/grpc-js';
import { pluginCapabilities } from '@copse/csi-spec';
import { Harness, unary } from '../test/harness';
import { CsiError } from './errors';
import { identityService } from './identity';

const identity = identityService({ name: 'csi.example.com', vendorVersion: '1', capabilities: pluginCapabilities({ services: [] }), ready: () => true });
const SECRETS = { password: 'hunter2-PASSWORD', token: 'tok-9f8e7d-TOKEN' };
const leaks = (text: string) => /hunter2|tok-9f8e7d/.test(text);

describe('call logs never carry a secret', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('strips the secrets of every request at every level, on success, on a refusal and on an unexpected failure', async () => {
    await h.start({
      identity,
      controller: {
        CreateVolume: async (r) => ({ volume: { volume_id: `id-${r.name}`, capacity_bytes: 1024, volume_context: { name: r.name } } }),
        DeleteVolume: async () => {
          throw CsiError.notFound('volume gone');
        },
        CreateSnapshot: async () => {
          throw new Error('unexpected');
        },
      },
      node: { NodePublishVolume: async () => ({}) },
    });
    const c = h.controller();
    await unary((cb) =>
      c.CreateVolume(
        {
          name: 'pvc-1',
          secrets: SECRETS,
          parameters: { 'csi.storage.k8s.io/fstype': 'xfs' },
          volume_capabilities: [{ mount: { fs_type: 'xfs' }, access_mode: { mode: 'SINGLE_NODE_WRITER' } }],
        },
        cb,
      ),
    );
    await expect(unary((cb) => c.DeleteVolume({ volume_id: 'v', secrets: SECRETS }, cb))).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(unary((cb) => c.CreateSnapshot({ name: 's', source_volume_id: 'v', secrets: SECRETS }, cb))).rejects.toMatchObject({
      code: status.INTERNAL,
    });
    await unary((cb) =>
      h.node().NodePublishVolume(
        {
          volume_id: 'v',
          target_path: '/mnt/t',
          secrets: SECRETS,
          volume_capability: { block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } },
        },
        cb,
      ),
    );

    // the handlers saw the secrets; the log did not
    const all = h.raw.join('');
    expect(h.raw.length).toBeGreaterThanOrEqual(8); // a start line (debug) and an end line per call
    expect(leaks(all)).toBe(false);
    for (const method of ['CreateVolume', 'DeleteVolume', 'CreateSnapshot', 'NodePublishVolume']) {
      const [line] = h.finished(method);
      expect(line).toBeDefined();
      expect((line!.request as { secrets: unknown }).secrets).toBe('***stripped***');
    }
    expect(h.finished('CreateVolume')[0]).toMatchObject({
      request: { name: 'pvc-1', parameters: { 'csi.storage.k8s.io/fstype': 'xfs' } },
      response: { volume: { volume_id: 'id-pvc-1' } },
    });
    const started = h.lines.filter((l) => l.msg === 'CreateVolume started');
    expect(started).toHaveLength(1);
    expect((started[0]!.request as { secrets: unknown }).secrets).toBe('***stripped***');
  });
});
