import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Page, PageQuery, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { callerOf } from './context.js';
import { citeOutcome, correctOrder, decideOrder, fileUsageReport, issueOrder, registerOutcome } from './usage.js';
import { CitationBody, CorrectionBody, DecisionBody, OrderBody, OrderListQuery, OrderView, OutcomeBody, OutcomeView, ReportBody, ReportView, UsageDutiesQuery, UsageDutiesView, UsageView } from './usage-schema.js';
import { reportView } from './usage-reports.js';
import { IssuedCursor, listOrders, orderView, outcomeView, readOrder, usageDuties, usageOf } from './usage-views.js';

const tags = ['public-data'];
/** The request's two sides and the bureau reach its usage; the use case decides who may write what. */
const requestAccess = { resource: 'public-data-request', staff: ['bureau'] } as const;
const orderAccess = { resource: 'public-data-order', staff: ['bureau'] } as const;
const outcomeAccess = { resource: 'public-data-outcome', staff: ['bureau'] } as const;

/**
 * The user's duties under a utilization agreement (Art. 20) and their enforcement (Art. 64): usage
 * reports on the agreement's schedule, outcomes citing their source, orders to correct, decisions.
 */
const usageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/public-data/requests/:id/usage', {
    config: { auth: 'authenticated', access: requestAccess },
    schema: {
      tags,
      summary: 'The usage of an opened request’s data: the schedule of reports with each period’s status, the outcomes, the orders (Art. 20, 64)',
      params: IdParams,
      response: { 200: UsageView, ...problemResponses(400, 404) },
    },
  }, async (request) => usageOf(app.db, callerOf(request), request.params.id));

  app.post('/public-data/requests/:id/usage-reports', {
    config: { auth: 'authenticated', access: requestAccess, whileSuspended: 'duty' },
    schema: {
      tags,
      summary: 'The user reports its use of the data for one period of the agreement’s schedule (Art. 20 ¶1)',
      description: 'Once the agreement is sealed and the period has begun; each period once (already-reported). A report corrects an open order about its period.',
      params: IdParams,
      body: ReportBody,
      response: { 201: ReportView, ...problemResponses(400, 403, 404, 409) },
    },
  }, async (request, reply) => {
    return reply.code(201).send(reportView(await fileUsageReport(app.db, callerOf(request), request.params.id, request.body)));
  });

  app.post('/public-data/requests/:id/outcomes', {
    config: { auth: 'authenticated', access: requestAccess, whileSuspended: 'duty' },
    schema: {
      tags,
      summary: 'The user registers an outcome made with the data, and the citation of the data source it carries (Art. 20 ¶1)',
      description: 'An outcome without a citation is listed for the department and the bureau (GET /public-data/usage-duties) until it is cited.',
      params: IdParams,
      body: OutcomeBody,
      response: { 201: OutcomeView, ...problemResponses(400, 403, 404, 409) },
    },
  }, async (request, reply) => reply.code(201).send(outcomeView(await registerOutcome(app.db, callerOf(request), request.params.id, request.body))));

  app.put('/public-data/outcomes/:id/citation', {
    config: { auth: 'authenticated', access: outcomeAccess, whileSuspended: 'duty' },
    schema: {
      tags,
      summary: 'The user states (or corrects) the citation of the data source the outcome carries; it corrects an open order about it',
      params: IdParams,
      body: CitationBody,
      response: { 200: OutcomeView, ...problemResponses(400, 403, 404) },
    },
  }, async (request) => outcomeView(await citeOutcome(app.db, callerOf(request), request.params.id, request.body.citation)));

  app.get('/public-data/usage-duties', {
    config: { auth: ['department', 'bureau'], access: 'none' },
    schema: {
      tags,
      summary: 'Supervision of Art. 20: overdue usage reports and outcomes without a citation (a department: about its data; the bureau: all), and the overdue reports of procured data (a department: those it owes)',
      querystring: UsageDutiesQuery,
      response: { 200: UsageDutiesView, ...problemResponses(400) },
    },
  }, async (request) => usageDuties(app.db, callerOf(request), request.query.departmentPartyId));

  app.post('/public-data/requests/:id/orders', {
    config: { auth: ['department', 'bureau'], access: requestAccess },
    schema: {
      tags,
      summary: 'Order the user to correct a breach of Art. 20 within a time limit (Art. 64): the department that opened the data, or the bureau',
      description:
        'usage_not_reported names an overdue period; source_not_cited an outcome without a citation; the record must show the breach (order-ground-unfounded). ' +
        'One open order per period or outcome (409).',
      params: IdParams,
      body: OrderBody,
      response: { 201: OrderView, ...problemResponses(400, 403, 404, 409, 422) },
    },
  }, async (request, reply) => reply.code(201).send(orderView(await issueOrder(app.db, callerOf(request), request.params.id, request.body))));

  app.get('/public-data/orders', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Orders to correct against your party or about your department’s data (the bureau: all), latest first, with their decisions',
      querystring: Type.Object({ ...PageQuery, ...OrderListQuery.properties }, { additionalProperties: false }),
      response: { 200: Page(OrderView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor, ...filters } = request.query;
    const rows = await listOrders(app.db, callerOf(request), { ...filters, after: decodeCursor(cursor, IssuedCursor), limit: limit + 1 });
    return pageOf(rows, limit, (o) => orderView(o), (o) => ({ issuedAt: o.issuedAt.toISOString(), id: o.id }));
  });

  app.get('/public-data/orders/:id', {
    config: { auth: 'authenticated', access: orderAccess },
    schema: { tags, summary: 'An order to correct, its correction and the bureau’s decision', params: IdParams, response: { 200: OrderView, ...problemResponses(400, 404) } },
  }, async (request) => orderView(await readOrder(app.db, callerOf(request), request.params.id)));

  app.post('/public-data/orders/:id/correction', {
    config: { auth: 'authenticated', access: orderAccess, whileSuspended: 'duty' },
    schema: {
      tags,
      summary: 'The user states how it corrected a use beyond the scope or harm to the data (Art. 64 (三)(四))',
      description: 'A missing report or citation is corrected by filing the report or citing the source, which closes the order by itself (correction-incomplete).',
      params: IdParams,
      body: CorrectionBody,
      response: { 200: OrderView, ...problemResponses(400, 403, 404, 409, 422) },
    },
  }, async (request) => orderView(await correctOrder(app.db, callerOf(request), request.params.id, request.body.statement)));

  app.post('/public-data/orders/:id/decision', {
    config: { auth: ['bureau'], access: orderAccess },
    schema: {
      tags,
      summary: 'The bureau records its decision on an unheeded order: a fine of 10,000–100,000 yuan, or the suspension of access to the data (Art. 64)',
      description: 'After the time limit passed with the order open or corrected late; before it, only on serious consequences (order-not-lapsed). One decision per order.',
      params: IdParams,
      body: DecisionBody,
      response: { 200: OrderView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => orderView(await decideOrder(app.db, callerOf(request), request.params.id, request.body)));
};

export default usageRoutes;
