import { status } from '@grpc/grpc-js';
import { Harness, unary } from '../test/harness';
import { CsiError } from './errors';
import { identityService } from './identity';

describe('identityService', () => {
  it('refuses a name the spec does not allow, and an empty version, at construction', () => {
    const base = { vendorVersion: '1', capabilities: [], ready: () => true };
    expect(() => identityService({ ...base, name: 'TopoLVM_io' })).toThrow(/is not a CSI plugin name/);
    expect(() => identityService({ ...base, name: 'csi.example.com', vendorVersion: '' })).toThrow(/vendor version/);
  });

  describe('Probe over the wire', () => {
    let h: Harness;
    beforeEach(() => {
      h = new Harness();
    });
    afterEach(() => h.close());

    it('answers readiness as the app judges it, and an unhealthy plugin with the code it chose', async () => {
      let state: 'starting' | 'ready' | 'broken' = 'starting';
      let signalSeen: AbortSignal | undefined;
      await h.start({
        identity: identityService({
          name: 'csi.example.com',
          vendorVersion: '1',
          manifest: { commit: 'abc' },
          capabilities: [],
          ready: (signal) => {
            signalSeen = signal;
            if (state === 'broken') throw CsiError.failedPrecondition('lvmd is not reachable at /run/topolvm/lvmd.sock');
            return state === 'ready';
          },
        }),
      });
      const c = h.identity();
      expect(await unary((cb) => c.Probe({}, cb))).toEqual({ ready: { value: false } });
      expect(signalSeen).toBeInstanceOf(AbortSignal);
      state = 'ready';
      expect(await unary((cb) => c.Probe({}, cb))).toEqual({ ready: { value: true } });
      state = 'broken';
      await expect(unary((cb) => c.Probe({}, cb))).rejects.toMatchObject({
        code: status.FAILED_PRECONDITION,
        details: 'lvmd is not reachable at /run/topolvm/lvmd.sock',
      });
      expect(await unary((cb) => c.GetPluginInfo({}, cb))).toEqual({ name: 'csi.example.com', vendor_version: '1', manifest: { commit: 'abc' } });
    });
  });
});
