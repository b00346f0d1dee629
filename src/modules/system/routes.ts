import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, problemKinds, problemType, type ProblemCode } from '../../lib/errors.js';
import { problemResponses } from '../../lib/http.js';
import { contentLanguage, preferredLanguage } from '../../lib/languages.js';
import { problemTitle } from '../../lib/problem-titles.js';

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
    if (!(await app.database.isReady())) throw new AppError('unavailable', { en: 'the database is not reachable or not migrated', zh: '数据库无法连接或尚未迁移' });
    return { status: 'ready' as const, database: app.database.kind };
  });

  app.get('/problems/:code', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags: ['system'],
      summary: 'What an error type means',
      description: 'Its title in Chinese when `Accept-Language` prefers it, else in English.',
      params: Type.Object({ code: Type.String({ maxLength: 64, pattern: '^[a-z0-9-]+$' }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer() }), ...problemResponses(404) },
    },
  }, async (request, reply) => {
    const code = request.params.code as ProblemCode;
    if (!Object.hasOwn(problemKinds, code)) throw new AppError('not-found', { en: `no error type ${request.params.code}`, zh: `没有错误类型 ${request.params.code}` });
    const language = preferredLanguage(request.headers['accept-language']);
    void reply.header('content-language', contentLanguage[language]).header('vary', 'Accept-Language');
    return { type: problemType(code), title: problemTitle(code, language), status: problemKinds[code].status };
  });
};

export default systemRoutes;
