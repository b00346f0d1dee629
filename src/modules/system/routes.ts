import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, problemKinds, problemType, type ProblemCode } from '../../lib/errors.js';
import { problemResponses } from '../../lib/http.js';

const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    config: { auth: 'public', access: 'none' },
    schema: { tags: ['system'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/ready', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags: ['system'],
      summary: 'The database answers and every migration is applied',
      response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }), ...problemResponses(503) },
    },
  }, async () => {
    if (!(await app.database.isReady())) throw new AppError('unavailable', 'the database is not reachable or not migrated');
    return { status: 'ready' as const, database: app.database.kind };
  });

  app.get('/problems/:code', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags: ['system'],
      summary: 'What an error type means',
      params: Type.Object({ code: Type.String({ maxLength: 64, pattern: '^[a-z0-9-]+$' }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer() }), ...problemResponses(404) },
    },
  }, async (request) => {
    const code = request.params.code as ProblemCode;
    if (!Object.hasOwn(problemKinds, code)) throw new AppError('not-found', `no error type ${request.params.code}`);
    return { type: problemType(code), ...problemKinds[code] };
  });
};

export default systemRoutes;
