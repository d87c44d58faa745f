/**
 * Small helpers over the raw client: resource paths, Status assertions, and waits that watch
 * (list, then watch from the list's resourceVersion) rather than poll.
 */
import type { ApiClient, Response, WatchEvent } from './http';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = any;

/** The path of a collection or object: core ('v1') or 'group/version'; namespace optional. */
export function resourcePath(apiVersion: string, plural: string, namespace?: string, name?: string): string {
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = namespace ? `/namespaces/${namespace}` : '';
  return `${root}${ns}/${plural}${name ? `/${name}` : ''}`;
}

export const MERGE = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC = 'application/strategic-merge-patch+json';
export const APPLY = 'application/apply-patch+yaml';

/**
 * Asserts a failure answered with a metav1.Status: HTTP code, status Failure, reason, and the
 * same code in the body. Returns the Status for further checks.
 */
export function expectStatus(res: Response, code: number, reason: string): Obj {
  const summary = `${res.status} ${res.text.slice(0, 500)}`;
  if (res.status !== code) throw new Error(`expected HTTP ${code} (${reason}), got ${summary}`);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
  expect(typeof res.json.message).toBe('string');
  return res.json;
}

/** Asserts a success code and returns the body. */
export function expectOk(res: Response, code = 200): Obj {
  if (res.status !== code) throw new Error(`expected HTTP ${code}, got ${res.status} ${res.text.slice(0, 800)}`);
  return res.json;
}

/** The object's field at a dotted path, for messages. */
export function causeFields(status: Obj): string[] {
  return ((status?.details?.causes ?? []) as Obj[]).map((c) => c.field as string);
}

/**
 * Waits until the named object satisfies the predicate (called with undefined once it does
 * not exist), by listing it and watching from the list's resourceVersion.
 */
export async function waitForObject(
  api: ApiClient,
  collectionPath: string,
  name: string,
  predicate: (obj: Obj | undefined) => boolean,
  timeoutMs = 30_000,
): Promise<Obj | undefined> {
  const fieldSelector = `metadata.name=${name}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = expectOk(await api.get(collectionPath, { query: { fieldSelector } }));
    let current: Obj | undefined = list.items[0];
    if (predicate(current)) return current;
    const watch = await api.watch(collectionPath, {
      fieldSelector,
      resourceVersion: list.metadata.resourceVersion,
      timeoutSeconds: Math.max(1, Math.ceil((deadline - Date.now()) / 1000)),
    });
    try {
      for (;;) {
        let event: WatchEvent;
        try {
          event = await watch.next(Math.max(1, deadline - Date.now()));
        } catch {
          if (Date.now() >= deadline) throw new Error(`timed out waiting for ${collectionPath}/${name}: last seen ${JSON.stringify(current)}`);
          break; // the server ended the watch early: list and watch again
        }
        if (event.type === 'ERROR') break; // e.g. 410: list and watch again
        if (event.type === 'BOOKMARK') continue;
        current = event.type === 'DELETED' ? undefined : event.object;
        if (predicate(current)) return current;
      }
    } finally {
      watch.close();
    }
  }
}

/** Waits until the named object no longer exists. */
export async function waitForDeletion(api: ApiClient, collectionPath: string, name: string, timeoutMs = 60_000): Promise<void> {
  await waitForObject(api, collectionPath, name, (obj) => obj === undefined, timeoutMs);
}

/** The condition of the given type from status.conditions. */
export function condition(obj: Obj | undefined, type: string): Obj | undefined {
  return ((obj?.status?.conditions ?? []) as Obj[]).find((c) => c.type === type);
}

/** A metav1 Time: RFC 3339, UTC, whole seconds (what the apiserver writes). */
export const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** A UID as the apiserver generates it (RFC 4122, lowercase). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
