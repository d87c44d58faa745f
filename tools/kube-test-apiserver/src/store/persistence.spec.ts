import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, LV_CRD, lv, start } from '../test-support/http';

describe('data file', () => {
  test('objects, CRDs and the revision counter survive a restart; older revisions answer 410', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kta-data-'));
    const dataFile = join(dir, 'data.json');
    try {
      const first = await start({ dataFile, crds: [LV_CRD] });
      const created = (await client(first).post('/apis/topolvm.cybozu.com/v1/logicalvolumes', lv('kept'))).body;
      await first.close();
      expect(JSON.parse(readFileSync(dataFile, 'utf8')).format).toBe('kube-test-apiserver/v1');
      const second = await start({ dataFile });
      try {
        const api = client(second);
        const got = await api.get('/apis/topolvm.cybozu.com/v1/logicalvolumes/kept');
        expect(got.body.metadata.uid).toBe(created.metadata.uid);
        const list = await api.get('/apis/topolvm.cybozu.com/v1/logicalvolumes');
        expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata.resourceVersion));
        const next = await api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'after' } });
        expect(Number(next.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
