/** updateWithRetry against a Kubernetes API: concurrent writers lose no update. */
import { apiCall, NotFoundError, updateWithRetry } from '@copse/controller-runtime';
import type { LogicalVolume } from '@copse/k8s-crd';
import { useCluster } from './cluster';

const cluster = useCluster();
const COUNT = 'e2e.copse.io/count';

describe('updateWithRetry', () => {
  it('re-reads and retries on 409, so two concurrent writers lose no increment', async () => {
    const c = cluster();
    const name = (await c.createLogicalVolume(c.logicalVolume('counter'))).metadata!.name!;
    const { group, version, plural } = c.names.logicalVolumes;
    let writes = 0;
    const increment = () =>
      updateWithRetry<LogicalVolume>({
        read: () => apiCall(() => c.custom.getClusterCustomObject({ group, version, plural, name })) as Promise<LogicalVolume>,
        mutate: (lv) => {
          lv.metadata!.annotations = { ...lv.metadata!.annotations, [COUNT]: String(Number(lv.metadata?.annotations?.[COUNT] ?? 0) + 1) };
          return lv;
        },
        write: (lv) => {
          writes += 1;
          return c.custom.replaceClusterCustomObject({ group, version, plural, name, body: lv }) as Promise<LogicalVolume>;
        },
        attempts: 50,
      });
    const writer = async () => {
      for (let i = 0; i < 20; i++) await increment();
    };
    await Promise.all([writer(), writer()]);
    const final = (await c.custom.getClusterCustomObject({ group, version, plural, name })) as LogicalVolume;
    expect(final.metadata?.annotations?.[COUNT]).toBe('40');
    expect(writes).toBeGreaterThan(40); // some writes met a 409 and were retried
  });

  it('writes nothing when the change is already there, and throws other errors typed at once', async () => {
    const c = cluster();
    const { group, version, plural } = c.names.logicalVolumes;
    let writes = 0;
    const read = (name: string) => () => c.custom.getClusterCustomObject({ group, version, plural, name }) as Promise<LogicalVolume>;
    const name = (await c.createLogicalVolume(c.logicalVolume('same'))).metadata!.name!;
    await updateWithRetry<LogicalVolume>({ read: read(name), mutate: () => undefined, write: async (lv) => (writes++, lv) });
    expect(writes).toBe(0);
    await expect(
      updateWithRetry<LogicalVolume>({ read: read(c.name('missing')), mutate: (lv) => lv, write: async (lv) => (writes++, lv) }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(writes).toBe(0);
  });
});
