/** Raw HTTP helpers for the server's own tests (undici through Node's fetch). */
import { startTestApiServer, type RunningTestApiServer, type TestApiServerOptions } from '../index';

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export async function start(options: TestApiServerOptions = {}): Promise<RunningTestApiServer> {
  return startTestApiServer({ logLevel: 'silent', ...options });
}

export function client(server: RunningTestApiServer, token?: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(server.url + path, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
  return {
    get: (p: string, headers?: Record<string, string>) => call('GET', p, undefined, headers),
    post: (p: string, b: unknown, headers?: Record<string, string>) => call('POST', p, b, headers),
    put: (p: string, b: unknown, headers?: Record<string, string>) => call('PUT', p, b, headers),
    patch: (p: string, b: unknown, contentType: string) => call('PATCH', p, b, { 'content-type': contentType }),
    del: (p: string, b?: unknown) => call('DELETE', p, b),
    call,
  };
}

/** Reads a watch stream until `count` events arrived or the stream ended. */
export async function watchEvents(url: string, count: number, timeoutMs = 5000, headers: Record<string, string> = {}): Promise<{ type: string; object: any }[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const events: { type: string; object: any }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    const res = await fetch(url, { signal: ac.signal, headers });
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    while (events.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) events.push(JSON.parse(line));
      }
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}

export const LV_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'logicalvolumes.topolvm.cybozu.com' },
  spec: {
    group: 'topolvm.cybozu.com',
    names: { kind: 'LogicalVolume', listKind: 'LogicalVolumeList', plural: 'logicalvolumes', singular: 'logicalvolume' },
    scope: 'Cluster',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        selectableFields: [{ jsonPath: '.spec.nodeName' }],
        additionalPrinterColumns: [
          { name: 'Node', type: 'string', jsonPath: '.spec.nodeName' },
          { name: 'Size', type: 'string', jsonPath: '.spec.size' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                required: ['name', 'nodeName', 'size'],
                properties: {
                  name: { type: 'string' },
                  nodeName: { type: 'string' },
                  deviceClass: { type: 'string', default: 'ssd' },
                  size: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
                  accessType: { type: 'string', enum: ['ro', 'rw'] },
                },
              },
              status: { type: 'object', properties: { volumeID: { type: 'string' }, code: { type: 'integer' } } },
            },
          },
        },
      },
    ],
  },
};

export function lv(name: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'topolvm.cybozu.com/v1', kind: 'LogicalVolume', metadata: { name }, spec: { name, nodeName: 'node1', size: '1Gi', ...spec } };
}
