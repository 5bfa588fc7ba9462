/**
 * The API's one error shape, `{ error: { code, message } }` (docs/api.md), and
 * how errors from Fastify and from the provisioning operations map to HTTP
 * statuses. Messages say what to do; a bug answers 500 with a generic message
 * and goes to the log with its stack.
 */
import type { FastifyError } from 'fastify';
import { InvalidNameError, ProvisioningError } from '../../provisioning/index.js';
import type { ErrorBody } from './schemas.js';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, hint: string) =>
  new ApiError(404, 'not_found', `${what} not found: ${hint}`);

const CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/**
 * SQLSTATEs (and the condition names some operations use) by HTTP status:
 * what is missing → 404; what conflicts with the state of things → 409; a
 * value the server refused → 400.
 */
const BY_SQLSTATE: Record<string, number> = {
  '42704': 404,
  undefined_object: 404,
  '55006': 409,
  object_in_use: 409,
  '55000': 409,
  object_not_in_prerequisite_state: 409,
  '42P04': 409,
  duplicate_database: 409,
  '42710': 409,
  duplicate_object: 409,
  '23505': 409,
  '3D000': 409,
  invalid_catalog_name: 409,
  '42501': 409,
  '55P03': 409,
  DV002: 409,
  // A limit the admin set (snapshots per database, snapshot bytes).
  '54000': 409,
  program_limit_exceeded: 409,
  '22023': 400,
  '22P02': 400,
  '22001': 400,
};

/** Fastify's validation errors, in words that name the field. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  const where = error.validationContext ?? 'request';
  if (!first) return error.message;
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties') {
    return `unknown field ${JSON.stringify(params.additionalProperty)} in the ${where}: see /api/v1/openapi.json for the fields this request takes`;
  }
  const path = first.instancePath ? first.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
  const subject = path ? `${where} field ${JSON.stringify(path)}` : where;
  return `${subject} ${first.message ?? 'is invalid'}: see /api/v1/openapi.json for the request schema`;
}

/** The status and body for any error a handler or Fastify threw. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody; bug: boolean } {
  const body = (status: number, code: string, message: string, bug = false) => ({
    status,
    body: { error: { code, message } },
    bug,
  });
  if (error instanceof ApiError) return body(error.statusCode, error.code, error.message);
  if (error instanceof InvalidNameError) return body(400, 'invalid_name', error.message);
  if (error instanceof ProvisioningError) {
    const status = (error.code && BY_SQLSTATE[error.code]) || 500;
    return body(status, status === 500 ? 'operation_failed' : CODES[status]!, error.message);
  }
  const fastify = error as FastifyError;
  if (fastify.validation) return body(400, 'invalid_request', validationMessage(fastify));
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return body(
      413,
      'payload_too_large',
      'the request body is too large: send less (request bodies are small JSON objects)',
    );
  }
  if (fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return body(
      415,
      'unsupported_media_type',
      'send the body as JSON with Content-Type: application/json',
    );
  }
  if (fastify.statusCode === 400 || error instanceof SyntaxError) {
    return body(
      400,
      'invalid_json',
      `the body is not valid JSON (${fastify.message}): send one JSON object`,
    );
  }
  if (fastify.statusCode && fastify.statusCode < 500 && CODES[fastify.statusCode]) {
    return body(fastify.statusCode, CODES[fastify.statusCode]!, fastify.message);
  }
  return body(
    500,
    'internal_error',
    'DevDB hit an unexpected error; the server log has the details',
    true,
  );
}
