import { applyJsonPatch } from './json-patch';
import { PatchError } from './errors';
import type { JsonObject } from './json';

const cm = (): JsonObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', labels: { app: 'a' }, finalizers: ['x', 'y', 'z'] },
  data: { k: 'v', n: '1' },
});

describe('applyJsonPatch: the operations as evanphx/json-patch v4 applies them', () => {
  const cases: { name: string; ops: unknown[]; want: (o: JsonObject) => void }[] = [
    {
      name: 'add a new key',
      ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'db' }],
      want: (o) => expect(o.metadata).toMatchObject({ labels: { app: 'a', tier: 'db' } }),
    },
    {
      name: 'add replaces an existing key',
      ops: [{ op: 'add', path: '/data/k', value: 'w' }],
      want: (o) => expect(o.data).toEqual({ k: 'w', n: '1' }),
    },
    {
      name: 'add inserts into a list at an index and appends with -',
      ops: [
        { op: 'add', path: '/metadata/finalizers/1', value: 'i' },
        { op: 'add', path: '/metadata/finalizers/-', value: 'end' },
      ],
      want: (o) => expect((o.metadata as JsonObject).finalizers).toEqual(['x', 'i', 'y', 'z', 'end']),
    },
    {
      name: 'add at index len appends',
      ops: [{ op: 'add', path: '/metadata/finalizers/3', value: 'w' }],
      want: (o) => expect((o.metadata as JsonObject).finalizers).toEqual(['x', 'y', 'z', 'w']),
    },
    {
      name: 'add without value adds null',
      ops: [{ op: 'add', path: '/data/empty' }],
      want: (o) => expect(o.data).toEqual({ k: 'v', n: '1', empty: null }),
    },
    {
      name: 'negative indexes count from the end',
      ops: [{ op: 'remove', path: '/metadata/finalizers/-1' }],
      want: (o) => expect((o.metadata as JsonObject).finalizers).toEqual(['x', 'y']),
    },
    {
      name: 'replace of a missing key in an existing object adds it',
      ops: [{ op: 'replace', path: '/metadata/labels/new', value: 'n' }],
      want: (o) => expect((o.metadata as JsonObject).labels).toEqual({ app: 'a', new: 'n' }),
    },
    {
      name: 'remove a key and a list item',
      ops: [
        { op: 'remove', path: '/data/k' },
        { op: 'remove', path: '/metadata/finalizers/0' },
      ],
      want: (o) => {
        expect(o.data).toEqual({ n: '1' });
        expect((o.metadata as JsonObject).finalizers).toEqual(['y', 'z']);
      },
    },
    {
      name: 'move and copy',
      ops: [
        { op: 'move', from: '/data/k', path: '/data/moved' },
        { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
      ],
      want: (o) => {
        expect(o.data).toEqual({ n: '1', moved: 'v' });
        expect((o.metadata as JsonObject).annotations).toEqual({ app: 'a' });
      },
    },
    {
      name: 'copy from a missing key copies null',
      ops: [{ op: 'copy', from: '/data/nope', path: '/data/copy' }],
      want: (o) => expect(o.data).toEqual({ k: 'v', n: '1', copy: null }),
    },
    {
      name: 'test passes on an equal value, and on a missing key tested against null',
      ops: [
        { op: 'test', path: '/data/k', value: 'v' },
        { op: 'test', path: '/metadata/labels', value: { app: 'a' } },
        { op: 'test', path: '/data/absent', value: null },
        { op: 'replace', path: '/data/k', value: 'tested' },
      ],
      want: (o) => expect(o.data).toEqual({ k: 'tested', n: '1' }),
    },
    {
      name: 'keys with ~0 and ~1 escapes',
      ops: [{ op: 'add', path: '/metadata/labels/example.com~1a~0b', value: 'x' }],
      want: (o) => expect((o.metadata as JsonObject).labels).toEqual({ app: 'a', 'example.com/a~b': 'x' }),
    },
    {
      name: 'null patch body is no operation',
      ops: null as unknown as unknown[],
      want: (o) => expect(o).toEqual(cm()),
    },
  ];
  it.each(cases)('$name', ({ ops, want }) => {
    const live = cm();
    const out = applyJsonPatch(live, JSON.stringify(ops));
    want(out);
    expect(live).toEqual(cm());
  });
});

describe('applyJsonPatch: failures answer as the apiserver does', () => {
  const cases: { name: string; body: string; code: number; reason: string; detail?: string; message?: string }[] = [
    {
      name: 'test that fails',
      body: JSON.stringify([{ op: 'test', path: '/data/k', value: 'other' }]),
      code: 422,
      reason: 'Invalid',
      detail: 'testing value /data/k failed: test failed',
    },
    {
      name: 'test of a present value against null',
      body: JSON.stringify([{ op: 'test', path: '/data/k', value: null }]),
      code: 422,
      reason: 'Invalid',
      detail: 'testing value /data/k failed: test failed',
    },
    {
      name: 'remove of a missing key',
      body: JSON.stringify([{ op: 'remove', path: '/data/nope' }]),
      code: 422,
      reason: 'Invalid',
      detail: "error in remove for path: '/data/nope': Unable to remove nonexistent key: nope: missing value",
    },
    {
      name: 'add under a missing parent',
      body: JSON.stringify([{ op: 'add', path: '/spec/x', value: 1 }]),
      code: 422,
      reason: 'Invalid',
      detail: 'add operation does not apply: doc is missing path: "/spec/x": missing value',
    },
    {
      name: 'replace under a missing parent',
      body: JSON.stringify([{ op: 'replace', path: '/spec/x', value: 1 }]),
      code: 422,
      reason: 'Invalid',
      detail: 'replace operation does not apply: doc is missing path: /spec/x: missing value',
    },
    {
      name: 'replace of an index past the end',
      body: JSON.stringify([{ op: 'replace', path: '/metadata/finalizers/3', value: 'w' }]),
      code: 422,
      reason: 'Invalid',
      detail: 'replace operation does not apply: doc is missing key: /metadata/finalizers/3: missing value',
    },
    {
      name: 'add past the end of a list',
      body: JSON.stringify([{ op: 'add', path: '/metadata/finalizers/9', value: 'w' }]),
      code: 422,
      reason: 'Invalid',
      detail: "error in add for path: '/metadata/finalizers/9': Unable to access invalid index: 9: invalid index referenced",
    },
    {
      name: 'unknown op',
      body: JSON.stringify([{ op: 'frobnicate', path: '/data/k' }]),
      code: 422,
      reason: 'Invalid',
      detail: 'Unexpected kind: frobnicate',
    },
    {
      name: 'a body that is an object',
      body: JSON.stringify({ op: 'add', path: '/a', value: 1 }),
      code: 400,
      reason: 'BadRequest',
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    },
    {
      name: 'a body that is not JSON',
      body: '[{"op":',
      code: 400,
      reason: 'BadRequest',
    },
    {
      name: 'a patch that leaves a list behind',
      body: JSON.stringify([{ op: 'replace', path: '', value: [1] }]),
      code: 422,
      reason: 'Invalid',
    },
  ];
  it.each(cases)('$name', ({ body, code, reason, detail, message }) => {
    let err: unknown;
    try {
      applyJsonPatch(cm(), body);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatchError);
    const pe = err as PatchError;
    expect(pe.code).toBe(code);
    expect(pe.reason).toBe(reason);
    if (detail !== undefined) {
      expect(pe.detail).toBe(detail);
      // the apiserver does not pass the library's message on
      expect(pe.toStatus()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server rejected our request due to an error in our request',
        reason: 'Invalid',
        details: {},
        code: 422,
      });
    }
    if (message !== undefined) expect(pe.message).toBe(message);
  });

  it('refuses more than 10000 operations with 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/data/k', value: 'v' }));
    expect(() => applyJsonPatch(cm(), JSON.stringify(ops))).toThrow(
      'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    );
  });

  it('applies nothing when one operation fails (the stored object is untouched)', () => {
    const live = cm();
    expect(() =>
      applyJsonPatch(live, JSON.stringify([{ op: 'add', path: '/data/a', value: '1' }, { op: 'remove', path: '/nope' }])),
    ).toThrow(PatchError);
    expect(live).toEqual(cm());
  });
});
