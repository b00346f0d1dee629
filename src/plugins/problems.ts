import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import fp from 'fastify-plugin';
import { AppError, problemKinds, problemType, type Localized, type ProblemCode } from '../lib/errors.js';
import { Problem } from '../lib/http.js';
import { contentLanguage, preferredLanguage, type Language } from '../lib/languages.js';
import { problemTitle } from '../lib/problem-titles.js';

/** ajv-i18n's Chinese messages for ajv's errors (CommonJS, whose typings declare an ES default export it lacks). */
const localizeZh = createRequire(import.meta.url)('ajv-i18n/localize/zh') as (errors: ErrorObject[]) => void;

const byStatus: Partial<Record<number, ProblemCode>> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  431: 'headers-too-large',
  503: 'unavailable',
};

/**
 * A safety net under the schemas, never the first line: PostgreSQL's data exceptions (class 22:
 * a NUL in text, a date out of range, a number that overflows) and unique violations can only come
 * from input the service let through, so they are the client's 400 or 409, not a 500.
 */
function problemForPgCode(code: string): ProblemCode | undefined {
  if (code === '23505') return 'conflict';
  if (code.startsWith('22')) return 'validation-failed';
  return undefined;
}

/** The errors an error wraps (`cause`), outermost first. */
function chainOf(err: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) chain.push(e as Record<string, unknown>);
  return chain;
}

const pgCodeOf = (err: unknown) => chainOf(err).map((e) => e.code).find((c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c));

const framesOf = (stack: unknown) => (typeof stack === 'string' ? stack.split('\n').filter((line) => line.startsWith('    at ')).join('\n') : '');

/**
 * How errors are written to the log. A failed statement's error carries its parameters and, in
 * PostgreSQL's `detail`, row values (password hashes, e-mail addresses, sealed identity numbers):
 * only the SQL text, the condition code and the names of the table, column and constraint are
 * kept, and the stack without its message. Other errors are logged as pino does.
 */
export function errorForLog(err: unknown): { type: string; message: string; stack: string; [key: string]: unknown } {
  const chain = chainOf(err);
  const fromDatabase = chain.some((e) => 'params' in e || 'parameters' in e) || pgCodeOf(err) !== undefined;
  if (!fromDatabase) {
    if (!(err instanceof Error)) return { type: typeof err, message: String(err), stack: '' };
    return { type: err.name, message: err.message, stack: err.stack ?? '', ...('code' in err ? { code: (err as { code: unknown }).code } : {}) };
  }
  const outer = chain[0]!;
  const pg = chain.find((e) => typeof e.code === 'string') ?? {};
  const pick = (...names: string[]) => names.map((n) => pg[n]).find((v) => typeof v === 'string');
  return {
    type: typeof outer.name === 'string' ? outer.name : 'DatabaseError',
    message: 'a database statement failed (parameters and row values are not logged)',
    code: pgCodeOf(err),
    query: typeof outer.query === 'string' ? outer.query : undefined,
    table: pick('table_name', 'table'),
    column: pick('column_name', 'column'),
    constraint: pick('constraint_name', 'constraint'),
    routine: pick('routine'),
    stack: framesOf(outer.stack),
  };
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ProblemCode,
  detail?: Localized,
  extensions: Record<string, unknown> = {},
) {
  const { status } = problemKinds[code];
  const language = preferredLanguage(request.headers['accept-language']);
  const title = problemTitle(code, language);
  const vary = reply.getHeader('vary');
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .header('content-language', contentLanguage[language])
    .header('vary', vary ? `${String(vary)}, Accept-Language` : 'Accept-Language')
    .send({
      ...extensions,
      type: problemType(code),
      title,
      status,
      ...(detail === undefined ? {} : { detail: detail[language] }),
      instance: request.url.split('?')[0],
      requestId: request.id,
    });
}

/**
 * What a request's schema found wrong, each with where (`/body/name`) and what, in the caller's
 * language: ajv's own English, or its Chinese from ajv-i18n.
 */
function validationErrors(err: FastifyError, language: Language) {
  const found = (err.validation ?? []) as ErrorObject[];
  const errors = language === 'zh' ? found.map((v) => ({ ...v })) : found;
  if (language === 'zh') localizeZh(errors);
  return errors.map((v) => ({
    path: `/${err.validationContext ?? ''}${v.instancePath}`.replace(/\/$/, ''),
    message: v.message ?? (language === 'zh' ? '无效' : 'is not valid'),
  }));
}

/** The Chinese of the client errors Fastify raises itself, by their code; others name their code. */
const frameworkDetailsZh: Partial<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: '请求正文超过大小上限',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: '不支持该 Content-Type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: '请求正文的大小与 Content-Length 不符',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Content-Type 为 application/json 时，请求正文不能为空',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Content-Type 为 application/json，但请求正文不是有效的 JSON',
};

/** Errors Fastify meets before a route runs (a malformed URL, a path segment over the length limit). */
export function frameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(request, reply, 'uri-too-long', { en: 'a path segment is longer than 100 characters', zh: '路径中有一段超过 100 个字符' });
  }
  if (err.code === 'FST_ERR_BAD_URL') {
    return sendProblem(request, reply, 'bad-request', { en: 'the URL is not valid (a malformed percent-escape?)', zh: 'URL 无效（百分号转义格式有误？）' });
  }
  request.log.error({ err }, 'framework error');
  return sendProblem(request, reply, 'internal');
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers over the size limit, a
 * request line that is not HTTP). There is no request to answer through, so the problem document
 * is written to the socket, which is then closed: the client is told so with `Connection: close`.
 */
export function clientError(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ProblemCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'headers-too-large' : 'bad-request';
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : problemKinds[code].status;
  const body = JSON.stringify({ type: problemType(code), title: status === 408 ? 'The request took too long to arrive' : problemKinds[code].title, status });
  this.log.debug({ err: errorForLog(err) }, 'client error');
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  } else {
    socket.destroy();
  }
}

/**
 * Every error leaves as application/problem+json (RFC 9457) with a stable type. Messages of
 * server errors stay in the log with the request id; the client sees only the id.
 */
export default fp(async function problems(app: FastifyInstance) {
  app.addSchema(Problem);

  app.setNotFoundHandler((request, reply) => {
    const route = `${request.method} ${request.url.split('?')[0]}`;
    return sendProblem(request, reply, 'not-found', { en: `no route ${route}`, zh: `没有路由 ${route}` });
  });

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, err.message);
      return sendProblem(request, reply, err.code, err.detail, err.extensions);
    }
    if ('validation' in err && err.validation) {
      const language = preferredLanguage(request.headers['accept-language']);
      const errors = validationErrors(err, language);
      // Already in the caller's language, so both members carry the one text.
      const detail = language === 'zh' ? errors.map((e) => `${e.path.slice(1)}：${e.message}`).join('；') : err.message;
      return sendProblem(request, reply, 'validation-failed', { en: detail, zh: detail }, { errors });
    }
    const pgCode = pgCodeOf(err);
    const byPg = pgCode ? problemForPgCode(pgCode) : undefined;
    if (byPg) {
      request.log.warn({ err }, 'database refused input the service did not check');
      return sendProblem(request, reply, byPg);
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    const code = byStatus[status];
    if (status < 500 && code) return sendProblem(request, reply, code, { en: err.message, zh: frameworkDetailsZh[err.code] ?? `该请求无法处理（${err.code ?? `HTTP ${status}`}）` });
    request.log.error({ err }, 'request failed');
    return sendProblem(request, reply, code === 'unavailable' ? 'unavailable' : 'internal');
  });
});
