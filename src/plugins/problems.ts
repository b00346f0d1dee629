import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, problemKinds, problemType, type ProblemCode } from '../lib/errors.js';
import { Problem } from '../lib/http.js';

const byStatus: Partial<Record<number, ProblemCode>> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  503: 'unavailable',
};

/** PostgreSQL error classes that only bad input can cause, as a safety net under the services' own checks. */
const byPgCode: Record<string, ProblemCode> = {
  '23505': 'conflict',
  '22P02': 'validation-failed',
  '22001': 'validation-failed',
  '22003': 'validation-failed',
  '22007': 'validation-failed',
  '22008': 'validation-failed',
};

function pgCodeOf(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ProblemCode,
  detail?: string,
  extensions: Record<string, unknown> = {},
) {
  const { status, title } = problemKinds[code];
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({
      ...extensions,
      type: problemType(code),
      title,
      status,
      ...(detail === undefined ? {} : { detail }),
      instance: request.url.split('?')[0],
      requestId: request.id,
    });
}

/**
 * Every error leaves as application/problem+json (RFC 9457) with a stable type. Messages of
 * server errors stay in the log with the request id; the client sees only the id.
 */
export default fp(async function problems(app: FastifyInstance) {
  app.addSchema(Problem);

  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, 'not-found', `no route ${request.method} ${request.url.split('?')[0]}`));

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, err.message);
      return sendProblem(request, reply, err.code, err.detail, err.extensions);
    }
    if ('validation' in err && err.validation) {
      const errors = err.validation.map((v) => ({
        path: `/${err.validationContext ?? ''}${v.instancePath}`.replace(/\/$/, ''),
        message: v.message ?? 'is not valid',
      }));
      return sendProblem(request, reply, 'validation-failed', err.message, { errors });
    }
    const pgCode = pgCodeOf(err);
    if (pgCode && byPgCode[pgCode]) {
      request.log.warn({ pgCode }, 'database rejected input the service did not check');
      return sendProblem(request, reply, byPgCode[pgCode]);
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    const code = byStatus[status];
    if (status < 500 && code) return sendProblem(request, reply, code, err.message);
    request.log.error({ err }, 'request failed');
    return sendProblem(request, reply, code === 'unavailable' ? 'unavailable' : 'internal');
  });
});
