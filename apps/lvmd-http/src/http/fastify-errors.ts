import type { FastifyError } from 'fastify';
import { ApiError, toApiError } from '../errors';

/** Fastify's own errors (validation, content type, body size, bad URLs) become problems naming the field. */
export function fromFastifyError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation && error.validation.length > 0) {
    const v = error.validation[0]!;
    const where = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
    const params = (v.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const leaf = params.missingProperty ?? params.additionalProperty;
    const field = [where, path, leaf].filter((p) => p !== undefined && p !== '').join('.');
    const what = params.additionalProperty ? `unknown field ${field}` : `${field} ${v.message ?? 'is invalid'}`;
    return new ApiError('invalid-field', what, field);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('body-too-large', error.message, 'body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('unsupported-media-type', error.message, 'headers.content-type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid-field', 'the request body is empty; a JSON object is required', 'body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('invalid-field', `the request body is not valid JSON: ${error.message}`, 'body');
    case 'FST_ERR_BAD_URL':
      return new ApiError('invalid-field', 'the URL has a malformed percent-escape', 'url');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError('uri-too-long', 'a path segment of the URL is longer than 2048 characters', 'url');
  }
  if (error.code?.startsWith('FST_ERR_CTP')) return new ApiError('invalid-field', error.message, 'body');
  if (error.statusCode === 415) return new ApiError('unsupported-media-type', error.message, 'headers.content-type');
  // Any other refusal of Fastify's (a 4xx of a rule we have not mapped yet) is the
  // client's fault and says so; only errors that are not refusals are internal.
  if (error.code?.startsWith('FST_ERR') && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('invalid-field', error.message, 'request');
  }
  return toApiError(error);
}
