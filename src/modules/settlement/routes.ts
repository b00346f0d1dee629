import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Page, PageQuery, Uuid, problemResponses } from '../../lib/http.js';
import { actorOf, auditActorOf } from '../../plugins/auth.js';
import { recordBankPayout, recordBankReceipt, recordBankRefund } from './bank-rail.js';
import { getConnectedAccount, linkConnectedAccount } from './connected-accounts.js';
import { reconcile } from './reconciliation.js';
import { refundAfterPayout } from './refunds.js';
import { recordProviderRepayment } from './repayments.js';
import {
  BankLineBody,
  BankReceiptBody,
  ConnectedAccountView,
  DisputeView,
  PaymentItem,
  PaymentView,
  PayoutView,
  ProviderBalanceView,
  ReceiptOutcomeView,
  ReconciliationQuery,
  ReconciliationView,
  RefundAfterPayoutBody,
  RefundView,
  RepaymentView,
  StatusFilter,
} from './schema.js';
import { paymentStatuses, payoutStatuses, refundKinds, refundStatuses } from './tables.js';
import { listDisputes, listPartyPayouts, listPayments, listPayouts, listProviderBalances, listRefunds, paymentFor, payoutView, refundView, refundViewById } from './views.js';
import bankStatementRoutes from './statement-routes.js';
import stripeWebhookRoutes from './webhook-routes.js';

const tags = ['settlement'];
const operators = ['operator'] as const;

const settlementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.settlement.context;
  await app.register(stripeWebhookRoutes);
  await app.register(bankStatementRoutes);

  app.get('/settlement/payments/:id', {
    config: { auth: 'authenticated', access: { resource: 'payment', staff: operators } },
    schema: { tags, summary: "A payment of an order, with how to pay, its payout and refunds: the order's parties and operators", params: IdParams, response: { 200: PaymentView, ...problemResponses(400, 404) } },
  }, async (request) => paymentFor(app.db, ctx.config, actorOf(request), request.params.id));

  app.post('/settlement/bank-receipts', {
    config: { auth: operators, access: 'none' },
    schema: {
      tags,
      summary: "Record a credit on the exchange's bank account for the payment whose reference it quotes",
      description: 'A partial payment leaves the rest outstanding (requested from the buyer); an over-payment is refunded. Each bank reference is recorded once.',
      body: BankReceiptBody,
      response: { 201: ReceiptOutcomeView, ...problemResponses(400, 409, 422) },
    },
  }, async (request, reply) => reply.code(201).send(await recordBankReceipt(ctx, app.db, auditActorOf(request), request.body)));

  app.post('/settlement/payments/:id/payout/bank-transfer', {
    config: { auth: operators, access: { resource: 'payment', staff: operators } },
    schema: { tags, summary: "Record the bank transfer that paid the provider's share of the order", params: IdParams, body: BankLineBody, response: { 200: PayoutView, ...problemResponses(400, 404, 409, 422) } },
  }, async (request) => payoutView(await recordBankPayout(ctx, app.db, auditActorOf(request), request.params.id, request.body)));

  app.post('/settlement/payments/:id/refunds/:refundId/bank-transfer', {
    config: { auth: operators, access: { resource: 'payment', staff: operators } },
    schema: {
      tags,
      summary: 'Record the bank transfer that paid a refund back to the buyer',
      params: Type.Object({ id: Uuid, refundId: Uuid }, { additionalProperties: false }),
      body: BankLineBody,
      response: { 200: RefundView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request) => refundView(await recordBankRefund(ctx, app.db, auditActorOf(request), request.params.id, request.params.refundId, request.body)));

  app.post('/settlement/payments/:id/refunds', {
    config: { auth: operators, access: { resource: 'payment', staff: operators } },
    schema: {
      tags,
      summary: 'Order the refund of a dispute decided after the provider was paid',
      description:
        "The buyer is refunded (by bank transfer an operator records, or through Stripe); the provider's share comes back to the exchange: a Stripe transfer is reversed, and what no reversal takes back the provider owes, netted from its next payouts or repaid by bank transfer. While the exchange still holds the money, the order's dispute decides instead. One such refund per order.",
      params: IdParams,
      body: RefundAfterPayoutBody,
      response: { 201: RefundView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const refund = await refundAfterPayout(ctx, app.db, auditActorOf(request), request.params.id, request.body);
    // The Stripe reversal and refund go out now; the outbox worker would a moment later.
    await app.settlement.runEffects(app.db, refund.orderId);
    return reply.code(201).send(await refundViewById(app.db, refund.id));
  });

  app.post('/settlement/parties/:id/repayments', {
    config: { auth: operators, access: { resource: 'party', staff: operators } },
    schema: {
      tags,
      summary: 'Record the bank transfer by which a provider paid back what it owed the exchange',
      description: 'At most what the provider owes in that currency (a refund or a chargeback after it was paid); each bank reference is recorded once.',
      params: IdParams,
      body: BankLineBody,
      response: { 201: RepaymentView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request, reply) => reply.code(201).send(await recordProviderRepayment(app.db, auditActorOf(request), request.params.id, request.body)));

  app.get('/settlement/payments', {
    config: { auth: operators, access: 'none' },
    schema: {
      tags,
      summary: 'Payments by status (awaiting_funds: waiting for the buyer), newest first',
      querystring: Type.Object({ ...PageQuery, status: StatusFilter(paymentStatuses) }, { additionalProperties: false }),
      response: { 200: Page(PaymentItem), ...problemResponses(400) },
    },
  }, async (request) => listPayments(app.db, request.query));

  app.get('/settlement/payouts', {
    config: { auth: operators, access: 'none' },
    schema: {
      tags,
      summary: 'Payouts by status (due, held with the reason, paid), newest first',
      querystring: Type.Object({ ...PageQuery, status: StatusFilter(payoutStatuses) }, { additionalProperties: false }),
      response: { 200: Page(PayoutView), ...problemResponses(400) },
    },
  }, async (request) => listPayouts(app.db, request.query));

  app.get('/settlement/parties/:id/payouts', {
    config: { auth: ['provider', 'operator'], access: { resource: 'party', staff: operators } },
    schema: {
      tags,
      summary: "The party's payouts across its orders, by status (due, held with the reason, paid), newest first: its members and operators",
      params: IdParams,
      querystring: Type.Object({ ...PageQuery, status: StatusFilter(payoutStatuses) }, { additionalProperties: false }),
      response: { 200: Page(PayoutView), ...problemResponses(400, 404) },
    },
  }, async (request) => listPartyPayouts(app.db, actorOf(request), request.params.id, request.query));

  app.get('/settlement/refunds', {
    config: { auth: operators, access: 'none' },
    schema: {
      tags,
      summary: 'Refunds by status and kind (dispute: a dispute decided for the buyer; overpayment), newest first',
      querystring: Type.Object({ ...PageQuery, status: StatusFilter(refundStatuses), kind: StatusFilter(refundKinds) }, { additionalProperties: false }),
      response: { 200: Page(RefundView), ...problemResponses(400) },
    },
  }, async (request) => listRefunds(app.db, request.query));

  app.get('/settlement/disputes', {
    config: { auth: operators, access: 'none' },
    schema: {
      tags,
      summary: "Card disputes (chargebacks) on orders' Stripe charges, newest first; open=true for those not yet won or lost",
      querystring: Type.Object({ ...PageQuery, open: StatusFilter(['true', 'false'] as const) }, { additionalProperties: false }),
      response: { 200: Page(DisputeView), ...problemResponses(400) },
    },
  }, async (request) => listDisputes(app.db, { ...request.query, open: request.query.open === 'true' }));

  app.get('/settlement/provider-balances', {
    config: { auth: operators, access: 'none' },
    schema: {
      tags,
      summary: "Each provider's balance from the ledger: owed and not yet paid out, paid out, and what it owes the exchange back",
      querystring: Type.Object(PageQuery, { additionalProperties: false }),
      response: { 200: Page(ProviderBalanceView), ...problemResponses(400) },
    },
  }, async (request) => listProviderBalances(app.db, request.query));

  app.get('/settlement/reconciliation', {
    config: { auth: operators, access: 'none' },
    schema: {
      tags,
      summary: "The ledger compared with the rails' records for the payments, payouts, refunds, repayments and chargebacks of a period",
      description: "Chargebacks are compared with Stripe's own disputes and their balance transactions, asked of Stripe (502 when it cannot be asked).",
      querystring: ReconciliationQuery,
      response: { 200: ReconciliationView, ...problemResponses(400, 502) },
    },
  }, async (request) => reconcile(app.db, new Date(request.query.from), new Date(request.query.to), ctx.stripe));

  app.post('/settlement/parties/:id/connected-account', {
    config: { auth: ['provider'], access: { resource: 'party' } },
    schema: {
      tags,
      summary: "Link the party's Stripe connected account (made once) and get a fresh onboarding link",
      params: IdParams,
      response: { 201: ConnectedAccountView, ...problemResponses(400, 404, 409, 502) },
    },
  }, async (request, reply) => reply.code(201).send(await linkConnectedAccount(ctx, app.db, actorOf(request), auditActorOf(request), request.params.id, request.id)));

  app.get('/settlement/parties/:id/connected-account', {
    config: { auth: ['provider', 'operator'], access: { resource: 'party', staff: operators } },
    schema: { tags, summary: "The party's Stripe connected account and whether it can take payouts", params: IdParams, response: { 200: ConnectedAccountView, ...problemResponses(400, 404) } },
  }, async (request) => getConnectedAccount(app.db, actorOf(request), request.params.id));
};

export default settlementRoutes;
