import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { IdParams, Page, PageQuery, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { sweepOrders, type SweepResult } from './acceptance.js';
import { acceptProposedTerms, approveOrder, cancelOrder, declineProposedTerms, proposeTerms, rejectOrder } from './approval.js';
import { callerOf, type Caller, type TradingContext } from './context.js';
import deliveryRoutes from './delivery-routes.js';
import { findOrderFor, placeOrder, type PlaceOrderInput, type ProcurementOrderOptions } from './orders.js';
import { startPayment } from './payment.js';
import type { AgreementsPort, ProcurementOrderEvents, SettlementPort } from './ports.js';
import type { Order } from './state-machine.js';
import { recordRoutes } from './record-routes.js';
import { OrderStatus, OrderView, PaymentBody, PaymentInstructionsView, PlaceOrderBody, ProposedTermsBody, ReasonBody } from './schema.js';
import { OrderCursor, listOrders, orderView } from './views.js';

declare module 'fastify' {
  interface FastifyInstance {
    trading: {
      /** Expires unanswered orders and accepts deliveries whose window closed (the timer calls it; so does `npm run trading:sweep`). */
      sweep(now?: Date): Promise<SweepResult>;
      /** Art. 27 ¶3: the bureau orders as buyer of record for a central procurement (procurement module). */
      placeProcurementOrder(caller: Caller, input: PlaceOrderInput, procurement: ProcurementOrderOptions): Promise<Order>;
    };
  }
}

export interface TradingRoutesOptions {
  settlement: SettlementPort;
  agreements: AgreementsPort;
  procurement?: ProcurementOrderEvents | undefined;
}

const tags = ['trading'];
const buyers = ['buyer', 'department'] as const;
/** After the order: the bureau too, as buyer of record of its central procurements (Art. 27 ¶3), which it orders through /procurement. */
const buyerSide = [...buyers, 'bureau'] as const;
const orderAccess = { resource: 'order', staff: ['operator'] } as const;
const ListQuery = Type.Object({ ...PageQuery, status: Type.Optional(OrderStatus) }, { additionalProperties: false });

const orderRoutes: FastifyPluginAsyncTypebox<{ ctx: TradingContext }> = async (app, { ctx }) => {
  app.post('/orders', {
    config: { auth: buyers, access: 'none' },
    schema: {
      tags,
      summary: 'Order a listing on sale, stating purpose, scenario and safeguards',
      description: 'Both parties must be verified; the purpose must be one the licence allows; Art. 39 guards personal information and important data for overseas buyers.',
      body: PlaceOrderBody,
      response: { 201: OrderView, ...problemResponses(403, 404, 422, 503) },
    },
  }, async (request, reply) => reply.code(201).send(orderView(await placeOrder(ctx, callerOf(request), request.body))));

  const list = (url: string, summary: string, auth: readonly ('buyer' | 'department' | 'bureau' | 'provider' | 'operator')[], side: 'buyer' | 'provider' | 'all') =>
    app.get(url, {
      config: { auth, access: 'none' },
      schema: {
        tags,
        summary,
        querystring: side === 'all' ? Type.Object({ ...ListQuery.properties, partyId: Type.Optional(Uuid) }, { additionalProperties: false }) : ListQuery,
        response: { 200: Page(OrderView), ...problemResponses(400) },
      },
    }, async (request) => {
      const caller = callerOf(request);
      const { limit, cursor, status } = request.query;
      const partyId = (request.query as { partyId?: string }).partyId;
      if (side !== 'all' && !caller.actor.partyId) return { items: [], next: null };
      const rows = await listOrders(app.db, {
        ...(side === 'buyer' ? { buyerPartyId: caller.actor.partyId! } : side === 'provider' ? { providerPartyId: caller.actor.partyId! } : { partyId }),
        status,
        after: decodeCursor(cursor, OrderCursor),
        limit: limit + 1,
      });
      return pageOf(rows, limit, orderView, (o) => ({ createdAt: o.createdAt.toISOString(), id: o.id }));
    });
  list('/orders/purchases', "Your party's orders as buyer, newest first", buyerSide, 'buyer');
  list('/orders/sales', "Orders of your party's listings, newest first", ['provider'], 'provider');
  list('/orders', 'Every order (operators), newest first; by status or party', ['operator'], 'all');

  app.get('/orders/:id', {
    config: { auth: [...buyerSide, 'provider', 'operator'], access: orderAccess },
    schema: { tags, summary: 'An order of your party (as buyer or provider); any order for operators', params: IdParams, response: { 200: OrderView, ...problemResponses(404) } },
  }, async (request) => orderView(await findOrderFor(app.db, callerOf(request), request.params.id, { staff: true })));

  const step = <B extends typeof ReasonBody | typeof ProposedTermsBody | undefined>(
    path: string,
    auth: readonly ('buyer' | 'department' | 'bureau' | 'provider')[],
    summary: string,
    body: B,
    run: (id: string, caller: ReturnType<typeof callerOf>, body: unknown) => Promise<Parameters<typeof orderView>[0]>,
    whileSuspended?: 'withdrawal',
  ) =>
    app.post(`/orders/:id/${path}`, {
      config: { auth, access: { resource: 'order' }, ...(whileSuspended ? { whileSuspended } : {}) },
      schema: { tags, summary, params: IdParams, ...(body ? { body } : {}), response: { 200: OrderView, ...problemResponses(404, 409, 503) } },
    }, async (request) => orderView(await run(request.params.id, callerOf(request), request.body)));

  step('approval', ['provider'], 'Approve an order that waits for you; its agreement is drafted', undefined, (id, caller) => approveOrder(ctx, caller, id));
  // Refusing, declining and withdrawing commit no one: a suspended party may still step back.
  step('rejection', ['provider'], 'Reject an order that waits for you, with a reason', ReasonBody, (id, caller, b) => rejectOrder(ctx, caller, id, (b as { reason: string }).reason), 'withdrawal');
  step('proposed-terms', ['provider'], 'Answer an order with changed terms for the buyer to accept or decline', ProposedTermsBody, (id, caller, b) =>
    proposeTerms(ctx, caller, id, b as Parameters<typeof proposeTerms>[3]),
  );
  step('proposed-terms/acceptance', buyerSide, "Take the provider's changed terms; the agreement is drafted", undefined, (id, caller) => acceptProposedTerms(ctx, caller, id));
  step('proposed-terms/decline', buyerSide, "Decline the provider's changed terms; the order is cancelled", ReasonBody, (id, caller, b) =>
    declineProposedTerms(ctx, caller, id, (b as { reason: string }).reason), 'withdrawal',
  );
  step('cancellation', buyerSide, 'Withdraw your order before its agreement is signed', ReasonBody, (id, caller, b) => cancelOrder(ctx, caller, id, (b as { reason: string }).reason), 'withdrawal');

  app.post('/orders/:id/payment', {
    config: { auth: buyerSide, access: { resource: 'order' } },
    schema: {
      tags,
      summary: 'Pay an order whose agreement is signed: choose the rail, get the payment instructions',
      params: IdParams,
      body: PaymentBody,
      response: { 200: PaymentInstructionsView, ...problemResponses(404, 409, 503) },
    },
  }, async (request) => startPayment(ctx, callerOf(request), request.params.id, request.body.rail));
};

/**
 * Trading: orders and their state machine, delivery, acceptance and disputes, the cross-border
 * guard and the transaction record. Settlement and agreements come in as ports (ports.ts), so the
 * real implementations are plugged in where the app is built.
 */
export default fp(async function trading(app: FastifyInstance, opts: TradingRoutesOptions) {
  const ctx: TradingContext = { db: app.db, config: app.config, blobs: app.blobs, settlement: opts.settlement, agreements: opts.agreements, procurement: opts.procurement };
  app.decorate('trading', {
    sweep: (now?: Date) => sweepOrders(ctx, now),
    placeProcurementOrder: (caller: Caller, input: PlaceOrderInput, procurement: ProcurementOrderOptions) => placeOrder(ctx, caller, input, procurement),
  });
  await app.register(orderRoutes, { ctx });
  await app.register(deliveryRoutes, { ctx });
  await app.register(recordRoutes, { ctx });

  // Each process sweeps now and then; SKIP LOCKED keeps them out of each other's way.
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    if (app.config.tradingSweepIntervalMs === 0) return;
    timer = setInterval(() => {
      sweepOrders(ctx).catch((err: unknown) => app.log.error({ err }, 'trading sweep failed'));
    }, app.config.tradingSweepIntervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
});
