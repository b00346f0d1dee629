import type { FastifyInstance } from 'fastify';

/**
 * Upload routes take the raw request body as a stream (any media type) so files go straight to
 * storage. The pass-through parser lives only in this scope: everywhere else a body that is not
 * JSON is still answered 415.
 *
 *   await registerUploadRoutes(app, async (scope) => { scope.put('/x/:id/file', ..., handler) });
 *
 * In the handler, `request.body` is the Readable to hand to `app.blobs.put`, and
 * `request.headers['content-type']` the declared media type.
 */
export async function registerUploadRoutes(app: FastifyInstance, routes: (scope: FastifyInstance) => Promise<void>) {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    await routes(scope);
  });
}
