import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Page, PageQuery, Text, Timestamp, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { listAuditEvents, verifyAuditChain } from './service.js';
import type { auditEvents } from './tables.js';

const EventView = Type.Object({
  seq: Type.Integer(),
  occurredAt: Timestamp,
  actor: Type.Object({
    userId: Type.Union([Uuid, Type.Null()]),
    partyId: Type.Union([Uuid, Type.Null()]),
    role: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
  }),
  action: Type.String(),
  subject: Type.Object({ type: Type.String(), id: Type.String() }),
  payload: Type.Unknown(),
  prevHash: Type.String(),
  hash: Type.String(),
});

const VerificationView = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer({ description: 'Events recomputed' }),
  head: Type.Union([Type.Object({ seq: Type.Integer(), hash: Type.String() }), Type.Null()]),
  firstBadSeq: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
});

const toView = (e: typeof auditEvents.$inferSelect) => ({
  seq: e.seq,
  occurredAt: e.occurredAt.toISOString(),
  actor: { userId: e.actorUserId, partyId: e.actorPartyId, role: e.actorRole, ip: e.ip, requestId: e.requestId },
  action: e.action,
  subject: { type: e.subjectType, id: e.subjectId },
  payload: e.payload,
  prevHash: e.prevHash,
  hash: e.hash,
});

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/audit/events', {
    config: { auth: ['operator'], access: 'none' },
    schema: {
      tags: ['audit'],
      summary: 'List audit events, newest first unless order=asc',
      querystring: Type.Object(
        {
          ...PageQuery,
          order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' }),
          action: Type.Optional(Type.String({ maxLength: 100, pattern: '^[a-z_]+(\\.[a-z_]+)*(\\.\\*)?$', description: 'An action, or a family such as `account.*`' })),
          subjectType: Type.Optional(Text({ maxLength: 50 })),
          subjectId: Type.Optional(Text({ maxLength: 100 })),
          actorUserId: Type.Optional(Uuid),
          actorPartyId: Type.Optional(Uuid),
          from: Type.Optional(Timestamp),
          to: Type.Optional(Timestamp),
        },
        { additionalProperties: false },
      ),
      response: { 200: Page(EventView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { cursor, limit, from, to, ...filters } = request.query;
    const afterSeq = decodeCursor(cursor, Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }));
    const rows = await listAuditEvents(app.db, {
      ...filters,
      from: from ? new Date(from) : undefined,
      to: to ? new Date(to) : undefined,
      afterSeq,
      limit: limit + 1,
    });
    return pageOf(rows, limit, toView, (e) => e.seq);
  });

  app.post('/audit/verify', {
    config: { auth: ['operator'], access: 'none' },
    schema: {
      tags: ['audit'],
      summary: 'Recompute the whole chain and name the first event that does not match',
      response: { 200: VerificationView },
    },
  }, async () => verifyAuditChain(app.db));
};

export default auditRoutes;
