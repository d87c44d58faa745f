import type { RunningTestApiServer } from '../index';
import { client, start } from '../test-support/http';

const PODS = '/api/v1/namespaces/default/pods';
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
const binding = (name: string, node: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Binding',
  metadata: { name, ...extra },
  target: { apiVersion: 'v1', kind: 'Node', name: node },
});

describe('pods/binding (the scheduler stand-in binds pods with it)', () => {
  let server: RunningTestApiServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await start({});
    api = client(server);
  });
  afterAll(() => server.close());

  test('sets spec.nodeName and PodScheduled in one write, answering 201 Success', async () => {
    await api.post(PODS, pod('bind-1'));
    const r = await api.post(`${PODS}/bind-1/binding`, binding('bind-1', 'worker-1', { annotations: { 'example.com/why': 'test' } }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Success' });
    const g = (await api.get(`${PODS}/bind-1`)).body;
    expect(g.spec.nodeName).toBe('worker-1');
    expect(g.metadata.annotations).toEqual({ 'example.com/why': 'test' });
    expect(g.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]);
    const onNode = (await api.get(`${PODS}?fieldSelector=spec.nodeName%3Dworker-1`)).body;
    expect(onNode.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['bind-1']);
  });

  test('a pod already on a node answers 409 Conflict naming the node', async () => {
    await api.post(PODS, pod('bind-2'));
    expect((await api.post(`${PODS}/bind-2/binding`, binding('bind-2', 'worker-1'))).status).toBe(201);
    const again = await api.post(`${PODS}/bind-2/binding`, binding('bind-2', 'worker-2'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on pods/binding "bind-2": pod bind-2 is already assigned to node "worker-1"' });
    expect((await api.get(`${PODS}/bind-2`)).body.spec.nodeName).toBe('worker-1');
  });

  test('refuses a missing pod, a missing target, a foreign target kind, a name mismatch and other verbs', async () => {
    expect((await api.post(`${PODS}/nope/binding`, binding('nope', 'worker-1'))).status).toBe(404);
    await api.post(PODS, pod('bind-3'));
    const noTarget = await api.post(`${PODS}/bind-3/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-3' }, target: {} });
    expect(noTarget.status).toBe(422);
    expect(noTarget.body.message).toContain('target.name');
    const kind = await api.post(`${PODS}/bind-3/binding`, { ...binding('bind-3', 'x'), target: { kind: 'Pod', name: 'x' } });
    expect(kind.status).toBe(422);
    expect(kind.body.message).toContain('target.kind');
    expect((await api.post(`${PODS}/bind-3/binding`, binding('other', 'worker-1'))).status).toBe(400);
    expect((await api.put(`${PODS}/bind-3/binding`, binding('bind-3', 'worker-1'))).status).toBe(405);
    expect((await api.get(`${PODS}/bind-3`)).body.spec.nodeName).toBeUndefined();
  });
});
