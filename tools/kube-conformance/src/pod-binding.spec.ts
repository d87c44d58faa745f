/**
 * pods/binding, the scheduler's write: the sandbox's scheduler stand-in binds pods with it, so
 * the test server must answer as kube-apiserver does (spec.nodeName and PodScheduled set, a
 * second binding refused with 409).
 */
import { useCluster } from './fixture';
import { condition, expectOk, expectStatus, resourcePath } from './kube';

const cluster = useCluster();
let ns: string;

beforeAll(async () => {
  ns = await cluster().createNamespace('binding');
});

const pods = (name?: string) => resourcePath('v1', 'pods', ns, name);
const binding = (name: string, node: string) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } });

describe('pods/binding', () => {
  it('puts the pod on the node with PodScheduled True, and refuses a second binding with a Conflict', async () => {
    const c = cluster();
    const name = c.name('bound');
    const node = c.name('no-such-node');
    expectOk(await c.api.post(pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } }), 201);
    try {
      expectOk(await c.api.post(`${pods(name)}/binding`, binding(name, node)), 201);
      const bound = expectOk(await c.api.get(pods(name)));
      expect(bound.spec.nodeName).toBe(node);
      expect(condition(bound, 'PodScheduled')?.status).toBe('True');
      const again = expectStatus(await c.api.post(`${pods(name)}/binding`, binding(name, `${node}-2`)), 409, 'Conflict');
      expect(again.message).toBe(`Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${node}"`);
    } finally {
      // no kubelet runs on that node to finish a graceful delete
      await c.api.delete(pods(name), { query: { gracePeriodSeconds: 0 } });
    }
  });
});
