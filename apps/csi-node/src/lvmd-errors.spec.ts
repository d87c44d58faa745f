import { CsiError, GrpcStatus } from '@copse/csi-grpc';
import { ERROR_CODES, LvmdClientError, type ErrorCode } from '@copse/lvmd-api';
import { lvmdErrorToCsi, lvmdFailure } from './lvmd-errors';

function problem(code: ErrorCode, detail = 'it went wrong'): LvmdClientError {
  const info = ERROR_CODES[code];
  return new LvmdClientError(info.status, code, { type: `urn:copse:lvmd:problem:${code}`, title: info.title, status: info.status, code, detail });
}

describe('lvmdFailure', () => {
  it.each([
    ['invalid-field', GrpcStatus.INVALID_ARGUMENT, 'final'],
    ['not-found', GrpcStatus.NOT_FOUND, 'final'],
    ['conflict', GrpcStatus.ALREADY_EXISTS, 'final'],
    ['no-space', GrpcStatus.RESOURCE_EXHAUSTED, 'final'],
    ['out-of-range', GrpcStatus.OUT_OF_RANGE, 'final'],
    ['unsupported-for-thick', GrpcStatus.UNIMPLEMENTED, 'final'],
    ['lvm-failed', GrpcStatus.INTERNAL, 'final'],
    ['unavailable', GrpcStatus.UNAVAILABLE, 'transient'],
    ['too-many-connections', GrpcStatus.UNAVAILABLE, 'transient'],
    ['request-timeout', GrpcStatus.UNAVAILABLE, 'transient'],
    ['unauthorized', GrpcStatus.UNAUTHENTICATED, 'transient'],
  ] as const)('maps %s to %s (%s)', (code, grpc, kind) => {
    const f = lvmdFailure(problem(code));
    expect(f).toEqual({ kind, code: grpc, message: 'lvmd-http: it went wrong', problem: code });
  });

  it('maps every code of the registry to the gRPC code the registry names', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(GrpcStatus[lvmdFailure(problem(code as ErrorCode)).code]).toBe(info.grpc);
    }
  });

  it('treats a refused or broken connection as UNAVAILABLE and transient, looking through causes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(lvmdFailure(refused)).toMatchObject({ kind: 'transient', code: GrpcStatus.UNAVAILABLE });
    const wrapped = new Error('fetch failed', { cause: Object.assign(new Error('no socket'), { code: 'ENOENT' }) });
    expect(lvmdFailure(wrapped)).toMatchObject({ kind: 'transient', code: GrpcStatus.UNAVAILABLE });
    expect(lvmdFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toMatchObject({ kind: 'transient', code: GrpcStatus.CANCELLED });
    expect(lvmdFailure(new TypeError('bug'))).toMatchObject({ kind: 'transient', code: GrpcStatus.INTERNAL });
  });
});

describe('lvmdErrorToCsi', () => {
  it('turns lvmd-http answers and network failures into CsiErrors, and leaves other errors alone', () => {
    const e = lvmdErrorToCsi(problem('not-found', 'no LV x'));
    expect(e).toBeInstanceOf(CsiError);
    expect(e).toMatchObject({ code: GrpcStatus.NOT_FOUND, message: 'lvmd-http: no LV x' });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' });
    expect(lvmdErrorToCsi(new TypeError('fetch failed', { cause: refused }))).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    expect(lvmdErrorToCsi(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    expect(lvmdErrorToCsi(new Error('something else'))).toBeUndefined();
  });

  it("leaves the server's own file errors alone: an ENOENT from mkdir is not lvmd-http being down", () => {
    expect(lvmdErrorToCsi(Object.assign(new Error('ENOENT: mkdir /target'), { code: 'ENOENT', syscall: 'mkdir' }))).toBeUndefined();
  });
});
