import { status } from '@grpc/grpc-js';
import { codeName, CsiError, errorToStatus } from './errors';

describe('errorToStatus', () => {
  const id = '0b5c2c8e-0000-4000-8000-000000000000';

  it('keeps a CsiError as it is', () => {
    expect(errorToStatus(CsiError.outOfRange('too small'), id)).toEqual({ code: status.OUT_OF_RANGE, details: 'too small', unexpected: false });
  });

  it("uses the app's translation of its domain errors before anything else", () => {
    class Domain extends Error {}
    const mapError = (e: unknown) => (e instanceof Domain ? CsiError.resourceExhausted('pool vg0/pool0 is 96% full') : undefined);
    expect(errorToStatus(new Domain('x'), id, undefined, mapError)).toMatchObject({ code: status.RESOURCE_EXHAUSTED, details: 'pool vg0/pool0 is 96% full' });
    expect(errorToStatus(new Error('x'), id, undefined, mapError)).toMatchObject({ code: status.INTERNAL, unexpected: true });
  });

  it("answers what followed an abort (an AbortError from a child process) with the abort's reason", () => {
    const c = new AbortController();
    c.abort(new CsiError(status.DEADLINE_EXCEEDED, 'the call reached its deadline'));
    const abortError = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(errorToStatus(abortError, id, c.signal)).toEqual({ code: status.DEADLINE_EXCEEDED, details: 'the call reached its deadline', unexpected: false });
    // a handler's own CsiError still wins
    expect(errorToStatus(CsiError.notFound('gone'), id, c.signal).code).toBe(status.NOT_FOUND);
  });

  it('hides anything else behind INTERNAL with the request id', () => {
    expect(errorToStatus(new TypeError('cannot read properties of undefined'), id)).toEqual({
      code: status.INTERNAL,
      details: `internal error (request id ${id}): see the plugin's log`,
      unexpected: true,
    });
    expect(errorToStatus('a string', id).code).toBe(status.INTERNAL);
  });

  it('names codes as the spec does', () => {
    expect(codeName(status.NOT_FOUND)).toBe('NOT_FOUND');
    expect(codeName(status.OK)).toBe('OK');
  });
});
