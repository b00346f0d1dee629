import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Page, PageQuery, StringEnum, Timestamp, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { FIRST_YEAR, LAST_YEAR } from '../calendar/working-days.js';
import { LongText, ShortText } from '../catalog/schema.js';
import { callerOf, type PublicDataContext } from './context.js';
import { answerDemand, demandView, findDemandFor, listDemands, raiseDemand, routeDemand } from './demands.js';
import { ReceivedCursor } from './objection-views.js';
import { priorityHistory, prioritiesView, publishPriorities } from './priorities.js';
import { demandStatuses } from './objection-tables.js';

const tags = ['public-data'];
const closed = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Year = Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR });
/** A demand is reached by the party that raised it and the department it is addressed to; the bureau reads every one. */
const demandAccess = { resource: 'public-data-demand', staff: ['bureau'] } as const;

const DemandBody = Type.Object(
  {
    wantedData: LongText(4000),
    intendedUse: LongText(4000),
    departmentPartyId: Type.Optional(Uuid),
  },
  closed,
);
const DemandAnswerBody = Type.Object(
  {
    answer: StringEnum(['already_open', 'planned', 'refused'], { description: 'already_open names entryId; planned gives plannedOn; refused gives reasons' }),
    entryId: Type.Optional(Uuid),
    plannedOn: Type.Optional(IsoDate),
    reasons: Type.Optional(LongText(4000)),
  },
  closed,
);
const DemandView = Type.Object({
  id: Uuid,
  demanderPartyId: Uuid,
  wantedData: Type.String(),
  intendedUse: Type.String(),
  departmentPartyId: Nullable(Uuid),
  status: StringEnum(demandStatuses),
  year: Type.Integer(),
  entryId: Nullable(Uuid),
  plannedOn: Nullable(IsoDate),
  reasons: Nullable(Type.String()),
  receivedAt: Timestamp,
  answeredAt: Nullable(Timestamp),
});
const DemandListQuery = Type.Object({ ...PageQuery, departmentPartyId: Type.Optional(Uuid), status: Type.Optional(StringEnum(demandStatuses)), year: Type.Optional(Year) }, closed);
const PriorityItem = Type.Object({ entryId: Type.Optional(Uuid), theme: Type.Optional(ShortText(300)), note: Type.Optional(ShortText(1000)) }, closed);
const PrioritiesBody = Type.Object({ note: LongText(4000), items: Type.Array(PriorityItem, { minItems: 1, maxItems: 500 }) }, closed);
const PrioritiesVersion = Type.Object({ version: Type.Integer(), note: Type.String(), items: Type.Array(PriorityItem), publishedAt: Timestamp });
const PrioritiesView = Type.Object({ year: Type.Integer(), current: PrioritiesVersion, history: Type.Array(PrioritiesVersion, { description: 'Every version, latest first' }) });
const YearParams = Type.Object({ year: Year }, closed);

/** Shanghai Art. 10: the public's demands for data to open, the departments' answers, the bureau's yearly priorities. */
const demandRoutes: FastifyPluginAsyncTypebox<{ ctx: PublicDataContext }> = async (app, { ctx }) => {
  app.post('/public-data/demands', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Propose data that should be opened (Shanghai Art. 10), to a department or for the bureau to route; your party must be verified',
      body: DemandBody,
      response: { 201: DemandView, ...problemResponses(400, 403, 404) },
    },
  }, async (request, reply) => reply.code(201).send(demandView(await raiseDemand(ctx.db, callerOf(request), request.body))));

  app.get('/public-data/demands', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Demands: those your party raised; a department those addressed to it; the bureau every one (by department, status, year)',
      querystring: DemandListQuery,
      response: { 200: Page(DemandView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor, ...filters } = request.query;
    const rows = await listDemands(ctx.db, callerOf(request), { ...filters, after: decodeCursor(cursor, ReceivedCursor), limit: limit + 1 });
    return pageOf(rows, limit, demandView, (d) => ({ receivedAt: d.receivedAt.toISOString(), id: d.id }));
  });

  app.get('/public-data/demands/:id', {
    config: { auth: 'authenticated', access: demandAccess },
    schema: { tags, summary: 'A demand and its answer', params: IdParams, response: { 200: DemandView, ...problemResponses(400, 404) } },
  }, async (request) => demandView(await findDemandFor(ctx.db, callerOf(request), request.params.id)));

  app.post('/public-data/demands/:id/routing', {
    config: { auth: ['bureau'], access: demandAccess },
    schema: {
      tags,
      summary: 'The bureau addresses an unanswered demand to a department',
      params: IdParams,
      body: Type.Object({ departmentPartyId: Uuid }, closed),
      response: { 200: DemandView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => demandView(await routeDemand(ctx.db, callerOf(request), request.params.id, request.body.departmentPartyId)));

  app.post('/public-data/demands/:id/answer', {
    config: { auth: ['department'], access: { resource: 'public-data-demand' } },
    schema: {
      tags,
      summary: 'The department answers a demand: already open (the entry), planned (the date) or refused (the reasons)',
      params: IdParams,
      body: DemandAnswerBody,
      response: { 200: DemandView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => demandView(await answerDemand(ctx.db, callerOf(request), request.params.id, request.body)));

  app.put('/public-data/opening-priorities/:year', {
    config: { auth: ['bureau'], access: 'none' },
    schema: {
      tags,
      summary: "The bureau publishes the year's opening priorities (Shanghai Art. 10): entries or themes with a note; each publication a new version",
      params: YearParams,
      body: PrioritiesBody,
      response: { 200: PrioritiesView, ...problemResponses(400) },
    },
  }, async (request) => {
    await publishPriorities(ctx.db, callerOf(request), request.params.year, request.body);
    return prioritiesView(await priorityHistory(ctx.db, request.params.year));
  });

  app.get('/public-data/opening-priorities/:year', {
    config: { auth: 'authenticated', access: 'none' },
    schema: { tags, summary: "A year's opening priorities, the current version and every earlier one", params: YearParams, response: { 200: PrioritiesView, ...problemResponses(400, 404) } },
  }, async (request) => prioritiesView(await priorityHistory(ctx.db, request.params.year)));
};

export default demandRoutes;
