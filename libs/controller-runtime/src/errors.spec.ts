import { ApiException } from '@kubernetes/client-node';
import {
  AlreadyExistsError,
  ApiError,
  ConflictError,
  GoneError,
  InvalidError,
  NotFoundError,
  apiCall,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  toApiError,
} from './errors';

function status(code: number, reason: string, message: string, details?: object) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message, details };
}

describe('typed API errors', () => {
  it('builds them from the Status body client-node puts in ApiException', () => {
    const body = JSON.stringify(status(404, 'NotFound', 'widgets.example.com "x" not found', { name: 'x', kind: 'logicalvolumes' }));
    const err = toApiError(new ApiException(404, 'Unknown API Status Code!', body, {}));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ code: 404, reason: 'NotFound', message: 'widgets.example.com "x" not found' });
    expect(err?.details?.name).toBe('x');
  });

  it('tells AlreadyExists from Conflict though both are 409', () => {
    const exists = new ApiException(409, '', JSON.stringify(status(409, 'AlreadyExists', 'exists')), {});
    const conflict = new ApiException(409, '', JSON.stringify(status(409, 'Conflict', 'the object has been modified')), {});
    expect(toApiError(exists)).toBeInstanceOf(AlreadyExistsError);
    expect(toApiError(conflict)).toBeInstanceOf(ConflictError);
    expect([isAlreadyExists(exists), isConflict(exists)]).toEqual([true, false]);
    expect([isAlreadyExists(conflict), isConflict(conflict)]).toEqual([false, true]);
  });

  it('keeps the field causes of Invalid', () => {
    const body = status(422, 'Invalid', 'LogicalVolume "x" is invalid', {
      causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "RW"', field: 'spec.accessType' }],
    });
    const err = toApiError(new ApiException(422, '', JSON.stringify(body), {}));
    expect(err).toBeInstanceOf(InvalidError);
    expect(err?.causes).toEqual([{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "RW"', field: 'spec.accessType' }]);
    expect(isInvalid(err)).toBe(true);
  });

  it('reads a watch ERROR event object and Watch\'s statusCode errors', () => {
    expect(toApiError(status(410, 'Expired', 'too old resource version: 1 (5)'))).toBeInstanceOf(GoneError);
    expect(isGone(status(410, 'Gone', 'gone'))).toBe(true);
    const watchError = Object.assign(new Error('Gone'), { statusCode: 410 });
    expect(isGone(watchError)).toBe(true);
    expect(isForbidden(Object.assign(new Error('Forbidden'), { statusCode: 403 }))).toBe(true);
  });

  it('falls back to the HTTP code when the body is not a Status, as client-go does', () => {
    const err = toApiError(new ApiException(404, 'Unknown API Status Code!', '404 page not found', {}));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err?.message).toContain('404 page not found');
    expect(isNotFound(new ApiException(404, '', undefined, {}))).toBe(true);
    expect(toApiError(new ApiException(418, '', 'teapot', {}))).toBeInstanceOf(ApiError);
  });

  it('leaves what is not an API answer alone', async () => {
    expect(toApiError(new Error('ECONNREFUSED'))).toBeUndefined();
    expect(toApiError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
    expect(isNotFound(undefined)).toBe(false);
    const network = new Error('socket hang up');
    await expect(apiCall(() => Promise.reject(network))).rejects.toBe(network);
    await expect(apiCall(() => Promise.reject(new ApiException(409, '', JSON.stringify(status(409, 'Conflict', 'modified')), {})))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});
