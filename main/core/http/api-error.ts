import { Type } from 'typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { HookboxError, ErrorCode } from '../errors.ts';
import { RequestValidationError } from './validation.ts';
import { redactUrl } from '../security/redact.ts';

/** Every error the API returns: `{success:false, error, message}` (+ the field when one is wrong). */
export const ApiErrorBody = Type.Object({
  success: Type.Literal(false),
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});

/** A body that is not JSON at all (empty, malformed, poisoned) or nests past the depth limit. */
export class InvalidBodyError extends Error {
  readonly statusCode = 400;
  readonly code: 'invalid_json' | 'json_too_deep';

  constructor(message: string, code: 'invalid_json' | 'json_too_deep' = 'invalid_json') {
    super(message);
    this.code = code;
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.NotRunning]: 503,
};

// 4xx errors show their real message (the caller can act on it); 5xx details stay in the log.
export function installErrorHandlers(app: FastifyInstance, maxBodyBytes: number): void {
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send({ success: false, error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof RequestValidationError) {
      return reply.code(400).send({ success: false, error: error.code, message: error.message, field: error.field });
    }
    if (error instanceof InvalidBodyError) {
      return reply.code(400).send({ success: false, error: error.code, message: error.message });
    }
    if (error instanceof HookboxError) {
      const status = STATUS_BY_CODE[error.code] ?? 400;
      return reply.code(status).send({ success: false, error: error.code, message: error.message });
    }
    const fastifyError = error as FastifyError;
    switch (fastifyError.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send({
          success: false,
          error: 'body_too_large',
          message: `request body is larger than the limit of ${maxBodyBytes} bytes`,
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send({ success: false, error: 'unsupported_media_type', message: fastifyError.message });
      default:
        break;
    }
    const status = fastifyError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ success: false, error: fastifyError.code ?? 'bad_request', message: error.message });
    }
    request.log.error(
      { err: error, reqId: request.id, method: request.method, url: redactUrl(request.url) },
      'request failed',
    );
    return reply
      .code(500)
      .send({ success: false, error: 'internal_error', message: 'internal error; see the Hookbox log' });
  });
}
