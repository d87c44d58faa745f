/** The test server through @kubernetes/client-node, as the project's controllers use it. */
import * as k8s from '@kubernetes/client-node';
import type { RunningTestApiServer } from './index';
import { LV_CRD, lv, start } from './test-support/http';

describe('client-node against kube-test-apiserver', () => {
  let server: RunningTestApiServer;
  let kc: k8s.KubeConfig;

  beforeAll(async () => {
    server = await start({ crds: [LV_CRD] });
    kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfigYaml());
  });
  afterAll(() => server.close());

  test('CRUD of built-in and custom objects, with typed errors', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cn-1' }, data: { a: 'b' } } });
    expect(cm.metadata?.uid).toBeTruthy();
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await custom.createClusterCustomObject({ group: 'topolvm.cybozu.com', version: 'v1', plural: 'logicalvolumes', body: lv('cn-lv') });
    const got = (await custom.getClusterCustomObject({ group: 'topolvm.cybozu.com', version: 'v1', plural: 'logicalvolumes', name: 'cn-lv' })) as { spec: { nodeName: string } };
    expect(got.spec.nodeName).toBe('node1');
    await expect(core.readNamespacedConfigMap({ name: 'missing', namespace: 'default' })).rejects.toMatchObject({ code: 404 });
  });

  test('makeInformer lists, watches and sees add, update and delete', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const path = '/apis/topolvm.cybozu.com/v1/logicalvolumes';
    const informer = k8s.makeInformer<k8s.KubernetesObject>(kc, path, () =>
      custom.listClusterCustomObject({ group: 'topolvm.cybozu.com', version: 'v1', plural: 'logicalvolumes' }) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>,
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    await informer.start();
    try {
      await custom.createClusterCustomObject({ group: 'topolvm.cybozu.com', version: 'v1', plural: 'logicalvolumes', body: lv('inf-1') });
      await custom.patchClusterCustomObject(
        { group: 'topolvm.cybozu.com', version: 'v1', plural: 'logicalvolumes', name: 'inf-1', body: { metadata: { labels: { x: 'y' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await custom.deleteClusterCustomObject({ group: 'topolvm.cybozu.com', version: 'v1', plural: 'logicalvolumes', name: 'inf-1' });
      const deadline = Date.now() + 5000;
      while (!seen.includes('delete:inf-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen.filter((s) => s.endsWith(':inf-1'))).toEqual(['add:inf-1', 'update:inf-1', 'delete:inf-1']);
      expect(informer.list().some((o) => o.metadata?.name === 'cn-lv')).toBe(true);
    } finally {
      await informer.stop();
    }
  });
});
