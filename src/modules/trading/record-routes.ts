import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Page, PageQuery, Timestamp, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { callerOf, type TradingContext } from './context.js';
import { listSecurityAssessments, recordSecurityAssessment } from './cross-border.js';
import { transactionRecord } from './record.js';
import { AssessmentBody, AssessmentView, DeliveryView, GrantView, OrderView } from './schema.js';
import { assessmentView } from './views.js';

const tags = ['trading'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Receipt = Type.String({ description: 'GET it for the event’s receipt from the verifiable log' });
const Title = Type.Object({ zh: Type.Optional(Type.String()), en: Type.Optional(Type.String()) });

const AgreementSummaryView = Type.Object({
  id: Type.String(),
  number: Type.String(),
  status: Type.String(),
  modelText: Type.Object({ kind: Type.String(), version: Type.Integer(), sha256: Type.String() }),
  contentSha256: Type.String(),
  sealedSha256: Nullable(Type.String()),
  signatures: Type.Array(
    Type.Object(
      { partyId: Type.String(), role: Type.String(), partyName: Type.String(), userId: Nullable(Type.String()), signedAt: Type.String(), auditEventId: Type.String() },
      { additionalProperties: false, description: 'Which person signed (userId) only the signing party and operators see; null for the other side' },
    ),
  ),
});

const MoneyView = Type.Object({
  payments: Type.Array(Type.Object({ id: Type.String(), rail: Type.String(), status: Type.String(), amountMinor: Type.Integer(), receivedMinor: Type.Integer(), currency: Type.String(), reference: Nullable(Type.String()), createdAt: Type.String() })),
  payouts: Type.Array(Type.Object({ id: Type.String(), rail: Type.String(), status: Type.String(), amountMinor: Type.Integer(), feeMinor: Type.Integer(), currency: Type.String(), createdAt: Type.String() })),
  refunds: Type.Array(Type.Object({ id: Type.String(), rail: Type.String(), status: Type.String(), amountMinor: Type.Integer(), currency: Type.String(), reason: Type.String(), createdAt: Type.String() })),
  balances: Type.Record(Type.String(), Type.Integer()),
});

const RecordView = Type.Object({
  order: OrderView,
  parties: Type.Object({ buyer: Type.Object({ id: Uuid, legalName: Type.String() }), provider: Type.Object({ id: Uuid, legalName: Type.String() }) }),
  revision: Type.Object({ id: Uuid, number: Type.Integer(), title: Title, licence: Type.Unknown() }),
  agreement: Nullable(AgreementSummaryView),
  money: MoneyView,
  steps: Type.Array(
    Type.Object({
      action: Type.String(),
      from: Nullable(Type.String()),
      to: Type.String(),
      at: Timestamp,
      actor: Type.Object({ role: Nullable(Type.String()), userId: Nullable(Uuid) }),
      auditEventId: Uuid,
      receipt: Receipt,
    }),
  ),
  grants: Type.Array(GrantView),
  deliveries: Type.Array(Type.Object({ ...DeliveryView.properties, receipt: Receipt })),
  downloads: Type.Array(
    Type.Object({ id: Uuid, grantId: Uuid, userId: Nullable(Uuid), rangeStart: Type.Integer(), rangeEnd: Type.Integer(), sha256: Type.String(), at: Timestamp, auditEventId: Uuid, receipt: Receipt }),
  ),
  acceptance: Type.Object({ dueAt: Nullable(Timestamp), acceptedAt: Nullable(Timestamp), automatic: Nullable(Type.Boolean()), auditEventId: Nullable(Uuid) }),
  dispute: Nullable(Type.Object({ reason: Type.String(), decision: Type.Unknown() })),
});

const AssessmentCursor = Type.Object({ id: Uuid }, { additionalProperties: false });

/** The transaction record, and the Art. 39 security assessments operators keep. */
export const recordRoutes: FastifyPluginAsyncTypebox<{ ctx: TradingContext }> = async (app, { ctx }) => {
  app.get('/orders/:id/record', {
    config: { auth: ['buyer', 'department', 'bureau', 'provider', 'operator'], access: { resource: 'order', staff: ['operator'] } },
    schema: {
      tags,
      summary: 'The whole trade: parties, terms, agreement, money, deliveries, downloads, acceptance, dispute, each step with its receipt',
      params: IdParams,
      response: { 200: RecordView, ...problemResponses(404) },
    },
  }, async (request) => transactionRecord(ctx, callerOf(request), request.params.id));

  app.post('/trading/security-assessments', {
    config: { auth: ['operator'], access: 'none' },
    schema: {
      tags,
      summary: 'Record a cross-border security assessment for an overseas buyer and a listing (Art. 39)',
      body: AssessmentBody,
      response: { 201: AssessmentView, ...problemResponses(404) },
    },
  }, async (request, reply) => reply.code(201).send(assessmentView(await recordSecurityAssessment(app.db, callerOf(request), request.body))));

  app.get('/trading/security-assessments', {
    config: { auth: ['operator', 'buyer'], access: 'none' },
    schema: {
      tags,
      summary: 'Recorded security assessments, newest first; by buyer or listing. A buyer sees those recorded for the party it acts for',
      description: 'A buyer naming another party’s buyerPartyId gets 404, as for any resource not its own.',
      querystring: Type.Object({ ...PageQuery, buyerPartyId: Type.Optional(Uuid), listingId: Type.Optional(Uuid) }, { additionalProperties: false }),
      response: { 200: Page(AssessmentView), ...problemResponses(400, 403, 404) },
    },
  }, async (request) => {
    const { limit, cursor, buyerPartyId, listingId } = request.query;
    const rows = await listSecurityAssessments(app.db, callerOf(request), { buyerPartyId, listingId, afterId: decodeCursor(cursor, AssessmentCursor)?.id, limit: limit + 1 });
    return pageOf(rows, limit, assessmentView, (a) => ({ id: a.id }));
  });
};
