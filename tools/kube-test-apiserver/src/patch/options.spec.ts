import { fieldManagerFor, managerFromUserAgent, patchTypeFromContentType, resetFieldsFor, validateFieldManager, validatePatchOptions } from './options';
import { PatchError } from './errors';

const thrown = (f: () => unknown): PatchError => {
  try {
    f();
  } catch (e) {
    return e as PatchError;
  }
  throw new Error('expected an error');
};

describe('patchTypeFromContentType', () => {
  it.each([
    ['application/json-patch+json', 'json'],
    ['application/merge-patch+json; charset=utf-8', 'merge'],
    ['application/strategic-merge-patch+json', 'strategic'],
    ['application/apply-patch+yaml', 'apply'],
  ])('%s is %s', (ct, want) => {
    expect(patchTypeFromContentType(ct, { strategic: true })).toBe(want);
  });

  it('answers 415 with the accepted types, without strategic merge patch for custom resources', () => {
    const err = thrown(() => patchTypeFromContentType('application/strategic-merge-patch+json', { strategic: false }));
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      reason: 'UnsupportedMediaType',
      code: 415,
    });
    expect(thrown(() => patchTypeFromContentType(undefined, { strategic: true })).code).toBe(415);
  });
});

describe('validatePatchOptions', () => {
  it('requires a fieldManager for apply', () => {
    const err = thrown(() => validatePatchOptions({ patchType: 'apply' }));
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      reason: 'Invalid',
      details: {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      },
      code: 422,
    });
  });

  it('forbids force outside apply', () => {
    expect(thrown(() => validatePatchOptions({ patchType: 'merge', force: 'true', fieldManager: 'x' })).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
    expect(() => validatePatchOptions({ patchType: 'apply', force: 'false', fieldManager: 'kubectl' })).not.toThrow();
  });

  it('bounds the field manager to 128 printable bytes, on create and update too', () => {
    expect(thrown(() => validatePatchOptions({ patchType: 'json', fieldManager: 'x'.repeat(129) })).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    );
    expect(thrown(() => validateFieldManager('a\u0001', 'CreateOptions')).message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\x01": invalid character U+0001 (at position 1)',
    );
    expect(() => validateFieldManager(undefined, 'UpdateOptions')).not.toThrow();
  });
});

describe('the manager of a write', () => {
  it('is the fieldManager parameter, else the User-Agent product', () => {
    expect(fieldManagerFor('kubectl-edit', 'kubectl/v1.32.4 (linux/amd64) kubernetes/abc')).toBe('kubectl-edit');
    expect(fieldManagerFor(undefined, 'kubectl/v1.32.4 (linux/amd64) kubernetes/abc')).toBe('kubectl');
    expect(fieldManagerFor('', 'node-fetch')).toBe('node-fetch');
    expect(managerFromUserAgent('bad\tagent/1')).toBe('badagent');
    expect(managerFromUserAgent('')).toBe('');
  });
});

describe('resetFieldsFor', () => {
  it('resets status on the main resource and spec on /status', () => {
    expect(resetFieldsFor({ kind: 'LogicalVolume', builtin: false, hasStatusSubresource: true })).toEqual([['status']]);
    expect(resetFieldsFor({ kind: 'LogicalVolume', builtin: false, hasStatusSubresource: true, subresource: 'status' })).toEqual([['spec']]);
    expect(resetFieldsFor({ kind: 'ConfigMap', builtin: true, hasStatusSubresource: false })).toEqual([]);
    expect(resetFieldsFor({ kind: 'Pod', builtin: true, hasStatusSubresource: true, subresource: 'status' })).toContainEqual(['metadata', 'ownerReferences']);
  });
});
