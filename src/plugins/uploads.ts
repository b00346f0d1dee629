import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';

/** What a client sends to an upload route: the raw body and what its headers say of it. */
export interface Upload {
  body: Readable;
  /** The declared media type, without parameters; `application/octet-stream` when absent. */
  mediaType: string;
  /** The declared length, when the client sent one: a length over the limit is refused unread. */
  declaredBytes: number | undefined;
}

export function uploadOf(request: FastifyRequest): Upload {
  const length = Number(request.headers['content-length']);
  return {
    body: request.body as Readable,
    mediaType: request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() || 'application/octet-stream',
    declaredBytes: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
  };
}

/** How much of a refused upload is read and dropped so the client sees the answer; past it the connection is cut. */
const DRAIN_LIMIT = 1024 * 1024;

/**
 * Upload routes take the raw request body as a stream (any media type) so files go straight to
 * storage. The pass-through parser lives only in this scope: everywhere else a body that is not
 * JSON is still answered 415.
 *
 * A refused upload (wrong party, over the limit, bad state) leaves part of the body unread. The rest
 * is drained up to a limit, so the client reads the problem document instead of a reset; past the
 * limit the connection is cut.
 *
 *   await registerUploadRoutes(app, async (scope) => { scope.post('/x/:id/file', ..., handler) });
 *
 * In the handler, `uploadOf(request)` gives the stream to hand to `app.blobs.put`.
 */
export async function registerUploadRoutes(app: FastifyInstance, routes: (scope: FastifyInstance) => Promise<void>) {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    // A request with neither a body nor a Content-Type never reaches the parser (Fastify leaves the
    // body undefined): refused here, so no handler meets a stream that is not there.
    scope.addHook('preValidation', async (request) => {
      if (request.body === undefined || request.body === null) {
        throw new AppError('validation-failed', { en: 'send the file as the request body', zh: '请将文件作为请求正文发送' }, { errors: [{ path: '/body', message: 'must be the file; the request has no body' }] });
      }
    });
    scope.addHook('onSend', async (request, reply, payload) => {
      const body = request.body as Readable | undefined;
      if (reply.statusCode >= 400 && body && typeof body.resume === 'function' && !body.readableEnded) {
        // Small leftovers are read to the end and the connection stays usable: closing a socket with
        // unread bytes in it makes the kernel reset it, and the client may lose the answer. Only a
        // body announced as too large to drain gets `Connection: close`.
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > DRAIN_LIMIT) reply.header('connection', 'close');
        let dropped = 0;
        body.on('data', (chunk: Buffer) => {
          dropped += chunk.length;
          if (dropped > DRAIN_LIMIT) body.destroy();
        });
        body.resume();
      }
      return payload;
    });
    await routes(scope);
  });
}
