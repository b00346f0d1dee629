import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';
import { installValidation, jsonDepth, MAX_JSON_DEPTH } from '../lib/validation.js';

const methodsWithBody = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Routes that take no body still meet clients that send `Content-Type: application/json` with an
 * empty body, or `{}`: both are accepted. Anything else in the body of such a route is refused,
 * as an unknown member would be.
 */
const refuseUnexpectedBody: preValidationHookHandler = async (request) => {
  const body = request.body as unknown;
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  throw new AppError('validation-failed', { en: 'this operation takes no request body', zh: '该操作不接受请求正文' }, { errors: [{ path: '/body', message: 'must be empty' }] });
};

/**
 * Input handling for every route: the validators of lib/validation.ts, and the JSON body parser.
 * Bodies nesting deeper than MAX_JSON_DEPTH are refused before parsing, so no later recursion
 * (validation, canonical JSON, jsonb) can overflow the stack.
 */
export default fp(async function input(app: FastifyInstance) {
  installValidation(app);

  const parseJson = app.getDefaultJsonParser('error', 'error');
  // JSON text is UTF-8 (RFC 8259 §8.1). Bytes that are not are refused, not replaced by U+FFFD,
  // which would store something the client never sent.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, bytes, done) => {
    let text: string;
    try {
      text = utf8.decode(bytes as Buffer);
    } catch {
      return done(new AppError('bad-request', { en: 'the JSON body is not valid UTF-8', zh: 'JSON 正文不是有效的 UTF-8' }), undefined);
    }
    if (text.length === 0 || text.trim().length === 0) return done(null, undefined);
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return done(new AppError('bad-request', { en: `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`, zh: `JSON 正文嵌套超过 ${MAX_JSON_DEPTH} 层` }), undefined);
    }
    parseJson(request, text, done);
  });

  app.addHook('onRoute', (route) => {
    // A route that declares no query parameters takes none: an unknown one is refused as it would
    // be where the query schema is declared (closed), not silently ignored.
    if (!route.schema?.hide && !route.schema?.querystring) {
      route.schema = { ...route.schema, querystring: { type: 'object', properties: {}, additionalProperties: false } };
    }
    const methods = ([] as string[]).concat(route.method);
    if (route.schema?.body || route.config?.upload || !methods.some((m) => methodsWithBody.has(m))) return;
    route.preValidation = [refuseUnexpectedBody, ...(route.preValidation ? [route.preValidation].flat() : [])];
  });
});
