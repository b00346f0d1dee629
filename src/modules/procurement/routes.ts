import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { IdParams, Page, pageOf, problemResponses } from '../../lib/http.js';
import { grantsHeldBy, grantsOfOrder } from '../trading/delivery.js';
import { GrantView } from '../trading/schema.js';
import { grantView } from '../trading/views.js';
import { listBudgets, setBudget } from './budgets.js';
import { callerOf, hasRole, type ProcurementContext } from './context.js';
import { fileNeed, findNeedFor, listNeeds, withdrawNeed } from './needs.js';
import { cancelProcurement, createProcurement, findProcurementFor, listProcurements, orderProcurement } from './procurements.js';
import { ReportBody } from '../public-data/usage-schema.js';
import { BudgetBody, BudgetQuery, BudgetView, NeedBody, NeedListQuery, NeedView, ProcurementBody, ProcurementListQuery, ProcurementReportView, ProcurementUsageView, ProcurementView, ReasonBody } from './schema.js';
import { fileProcurementUsageReport, procurementUsage } from './usage.js';
import { needView, procurementView } from './views.js';

const tags = ['procurement'];
const needAccess = { resource: 'procurement-need', staff: ['bureau'] } as const;
const procurementReaders = ['bureau', 'department', 'operator'] as const;
const procurementAccess = { resource: 'procurement', staff: ['bureau', 'operator'] } as const;

/**
 * Central procurement (Chongqing draft Art. 27 ¶3): departments file purchase needs, the bureau
 * sets their budgets, consolidates needs of several departments and buys on the exchange as buyer
 * of record; each beneficiary department downloads with a grant of its own and reports its use.
 */
const procurementRoutes: FastifyPluginAsyncTypebox<{ ctx: ProcurementContext }> = async (app, { ctx }) => {
  app.post('/procurement/needs', {
    config: { auth: ['department'], access: 'none' },
    schema: {
      tags,
      summary: 'File a purchase need for your department (act for it with X-Party-Id)',
      description: 'Filing always succeeds; the need is flagged over budget, and with the published public data the department could have by sharing or opening (Art. 13(2)), for the bureau to see.',
      body: NeedBody,
      response: { 201: NeedView, ...problemResponses(400, 403, 404) },
    },
  }, async (request, reply) => reply.code(201).send(needView(await fileNeed(app.db, callerOf(request), request.body))));

  app.get('/procurement/needs', {
    config: { auth: ['department', 'bureau'], access: 'none' },
    schema: { tags, summary: "Your department's purchase needs; every department's for the bureau. Newest first", querystring: NeedListQuery, response: { 200: Page(NeedView), ...problemResponses(400) } },
  }, async (request) => listNeeds(app.db, callerOf(request), request.query));

  app.get('/procurement/needs/:id', {
    config: { auth: ['department', 'bureau'], access: needAccess },
    schema: { tags, summary: 'A purchase need of your department (any, for the bureau)', params: IdParams, response: { 200: NeedView, ...problemResponses(404) } },
  }, async (request) => needView(await findNeedFor(app.db, callerOf(request), request.params.id)));

  app.post('/procurement/needs/:id/withdrawal', {
    config: { auth: ['department'], access: { resource: 'procurement-need' }, whileSuspended: 'withdrawal' },
    schema: { tags, summary: 'Withdraw a need of your department before the bureau consolidates it', params: IdParams, body: ReasonBody, response: { 200: NeedView, ...problemResponses(404, 409) } },
  }, async (request) => needView(await withdrawNeed(app.db, callerOf(request), request.params.id, request.body.reason)));

  app.post('/procurement/budgets', {
    config: { auth: ['bureau'], access: 'none' },
    schema: {
      tags,
      summary: "Set a department's procurement budget for a year (replaces what was set; audited)",
      body: BudgetBody,
      response: { 200: BudgetView, ...problemResponses(400) },
    },
  }, async (request) => setBudget(app.db, callerOf(request), request.body));

  app.get('/procurement/budgets', {
    config: { auth: ['bureau', 'department'], access: 'none' },
    schema: {
      tags,
      summary: "A year's budgets with what is committed: your department's; every department's set, or one, for the bureau",
      description: 'One row per department; not paged.',
      querystring: BudgetQuery,
      response: { 200: Type.Array(BudgetView), ...problemResponses(400, 404) },
    },
  }, async (request) => listBudgets(app.db, callerOf(request), request.query));

  app.post('/procurement/procurements', {
    config: { auth: ['bureau'], access: 'none' },
    schema: {
      tags,
      summary: 'Consolidate needs of departments into one procurement (act for the bureau’s public body)',
      description: 'Choose a listing on sale, its price plan, purpose (one the licence allows), scenario and safeguards, and optionally each department’s share of the price.',
      body: ProcurementBody,
      response: { 201: ProcurementView, ...problemResponses(400, 403, 404, 409, 422) },
    },
  }, async (request, reply) => reply.code(201).send(await procurementView(app.db, await createProcurement(app.db, callerOf(request), request.body))));

  app.get('/procurement/procurements', {
    config: { auth: [...procurementReaders], access: 'none' },
    schema: { tags, summary: 'Procurements: all for the bureau and operators; those your department benefits from', querystring: ProcurementListQuery, response: { 200: Page(ProcurementView), ...problemResponses(400) } },
  }, async (request) => {
    const rows = await listProcurements(app.db, callerOf(request), request.query);
    const page = pageOf(rows, request.query.limit, (p) => p, (p) => ({ createdAt: p.createdAt.toISOString(), id: p.id }));
    const items = [];
    for (const p of page.items) items.push(await procurementView(app.db, p));
    return { items, next: page.next };
  });

  app.get('/procurement/procurements/:id', {
    config: { auth: [...procurementReaders], access: procurementAccess },
    schema: { tags, summary: 'A procurement: its needs, shares, order and steps', params: IdParams, response: { 200: ProcurementView, ...problemResponses(404) } },
  }, async (request) => procurementView(app.db, await findProcurementFor(app.db, callerOf(request), request.params.id)));

  app.post('/procurement/procurements/:id/order', {
    config: { auth: ['bureau'], access: { resource: 'procurement' } },
    schema: {
      tags,
      summary: 'Place the procurement’s order on the exchange as buyer of record; the central procurement agreement is drafted',
      description: 'The order names the beneficiary departments; each department’s share is committed against its budget year.',
      params: IdParams,
      response: { 200: ProcurementView, ...problemResponses(403, 404, 409, 422) },
    },
  }, async (request) => procurementView(app.db, await orderProcurement(ctx, callerOf(request), request.params.id)));

  app.post('/procurement/procurements/:id/cancellation', {
    config: { auth: ['bureau'], access: { resource: 'procurement' }, whileSuspended: 'withdrawal' },
    schema: { tags, summary: 'Cancel a procurement not yet ordered; its needs may be consolidated again', params: IdParams, body: ReasonBody, response: { 200: ProcurementView, ...problemResponses(404, 409) } },
  }, async (request) => procurementView(app.db, await cancelProcurement(app.db, callerOf(request), request.params.id, request.body.reason)));

  app.get('/procurement/procurements/:id/usage', {
    config: { auth: [...procurementReaders], access: procurementAccess },
    schema: {
      tags,
      summary: 'The beneficiaries’ schedules of usage reports, each period with its status and report (Art. 20): your department’s; every one for the bureau and operators',
      params: IdParams,
      response: { 200: ProcurementUsageView, ...problemResponses(404) },
    },
  }, async (request) => procurementUsage(app.db, callerOf(request), request.params.id));

  app.post('/procurement/procurements/:id/usage-reports', {
    config: { auth: [...procurementReaders], access: procurementAccess, whileSuspended: 'duty' },
    schema: {
      tags,
      summary: 'A beneficiary department reports its use of the procured data for one period of its schedule (Art. 20 ¶1; act for your department with X-Party-Id)',
      description:
        'Once the order is paid and the department holds its download grant (procurement-not-granted) and the period has begun; each period once (already-reported). ' +
        'The bureau and operators read the reports but file none (not-beneficiary); a department outside the procurement: 404.',
      params: IdParams,
      body: ReportBody,
      response: { 201: ProcurementReportView, ...problemResponses(400, 403, 404, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await fileProcurementUsageReport(app.db, callerOf(request), request.params.id, request.body)));

  app.get('/procurement/procurements/:id/grants', {
    config: { auth: [...procurementReaders], access: procurementAccess },
    schema: {
      tags,
      summary: "Download grants of the procurement's order: your department's own; all of them for the bureau and operators",
      params: IdParams,
      response: { 200: Type.Array(GrantView), ...problemResponses(404) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    const procurement = await findProcurementFor(app.db, caller, request.params.id);
    if (!procurement.orderId) return [];
    const seesAll = hasRole(caller, 'bureau') || hasRole(caller, 'operator') || caller.actor.partyId === procurement.bureauPartyId;
    const grants = seesAll ? await grantsOfOrder(app.db, procurement.orderId) : await grantsHeldBy(app.db, procurement.orderId, caller.actor.partyId!);
    return grants.map(grantView);
  });
};

export default fp(async function procurement(app: FastifyInstance) {
  const ctx: ProcurementContext = { db: app.db, placeOrder: (caller, input, options) => app.trading.placeProcurementOrder(caller, input, options) };
  await app.register(procurementRoutes, { ctx });
});
