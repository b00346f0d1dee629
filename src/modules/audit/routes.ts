import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { assertCanAccess } from '../../lib/authz.js';
import { IdParams, Page, PageQuery, Text, Timestamp, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { seesPeopleOf, seesWhereaboutsOf, viewerOf, type Viewer } from '../../lib/viewer.js';
import { actorOf } from '../../plugins/auth.js';
import auditLogRoutes from './log-routes.js';
import { listAuditEvents, type AuditEventRow } from './service.js';

const EventView = Type.Object({
  id: Uuid,
  seq: Type.Integer({ description: 'Order of writing; the log order is leafIndex' }),
  leafIndex: Type.Union([Type.Integer(), Type.Null()], { description: 'Place in the verifiable log; null for the moment before the sequencer integrates it' }),
  occurredAt: Timestamp,
  actor: Type.Object({
    userId: Type.Union([Uuid, Type.Null()], { description: 'Which person acted: null for a person of another party than the reader’s' }),
    partyId: Type.Union([Uuid, Type.Null()]),
    role: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
  }),
  action: Type.String(),
  subject: Type.Object({ type: Type.String(), id: Type.String() }),
  parties: Type.Array(Uuid, { description: 'The parties the event concerns; they may fetch its receipt' }),
  payload: Type.Unknown(),
});

/**
 * An event as the viewer may see it: the one place that decides it. Operators see everything. A
 * party sees which of its own people acted, and from where; of another party's people only the
 * party and the role; the address and request of no one but its own (nor a payload field that
 * holds one, `ip`).
 */
const eventView = (e: AuditEventRow, viewer: Viewer) => {
  const whereabouts = seesWhereaboutsOf(viewer, e.actorPartyId);
  return {
    id: e.id,
    seq: e.seq,
    leafIndex: e.leafIndex,
    occurredAt: e.occurredAt.toISOString(),
    actor: {
      userId: seesPeopleOf(viewer, e.actorPartyId) ? e.actorUserId : null,
      partyId: e.actorPartyId,
      role: e.actorRole,
      ip: whereabouts ? e.ip : null,
      requestId: whereabouts ? e.requestId : null,
    },
    action: e.action,
    subject: { type: e.subjectType, id: e.subjectId },
    parties: e.partyIds,
    payload: whereabouts ? e.payload : withoutPersonalFields(e.payload),
  };
};

/** Payload fields that say where a person acted from. */
const personalPayloadFields = ['ip'];

function withoutPersonalFields(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !personalPayloadFields.includes(key)));
}

const staffViewer: Viewer = { partyId: null, staff: true };

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
    return pageOf(rows, limit, (e) => eventView(e, staffViewer), (e) => e.seq);
  });

  app.get('/parties/:id/audit-events', {
    config: { auth: 'authenticated', access: { resource: 'party', staff: ['operator'] } },
    schema: {
      tags: ['audit'],
      summary: 'The events that concern a party, newest first: its members keep their receipts with these ids',
      params: IdParams,
      querystring: Type.Object(
        {
          ...PageQuery,
          action: Type.Optional(Type.String({ maxLength: 100, pattern: '^[a-z_]+(\\.[a-z_]+)*(\\.\\*)?$', description: 'An action, or a family such as `listing.*`' })),
          subjectId: Type.Optional(Text({ maxLength: 100 })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Page(EventView), ...problemResponses(400) },
    },
  }, async (request) => {
    const actor = actorOf(request);
    assertCanAccess(actor, { partyId: request.params.id }, { en: 'party', zh: '主体' }, ['operator']);
    const { cursor, limit, ...filters } = request.query;
    const afterSeq = decodeCursor(cursor, Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }));
    const rows = await listAuditEvents(app.db, { ...filters, partyId: request.params.id, order: 'desc', afterSeq, limit: limit + 1 });
    const viewer = viewerOf(actor);
    return pageOf(rows, limit, (e) => eventView(e, viewer), (e) => e.seq);
  });

  await app.register(auditLogRoutes);
};
export default auditRoutes;
