import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { Config } from '../../src/config.js';
import type { OrderPaymentEvents, PayableOrder, PaymentRail } from '../../src/modules/trading/ports.js';
import { as, buildTestApp, signUp, type TestUser } from './app.js';
import { createVerifiedParty, type TestParty } from './identity.js';
import { startStripeStandIn, stripeSettings } from './stripe-stand-in.js';

export interface RecordedEvent {
  event: 'paid' | 'paidOut' | 'refunded';
  orderId: string;
  amountMinor?: number;
}

/** A stand-in for trading's side of the port: it records what settlement told each order. */
export function recordingOrderEvents(): { events: OrderPaymentEvents; calls: RecordedEvent[] } {
  const calls: RecordedEvent[] = [];
  return {
    calls,
    events: {
      paid: async (_tx, orderId) => void calls.push({ event: 'paid', orderId }),
      paidOut: async (_tx, orderId) => void calls.push({ event: 'paidOut', orderId }),
      refunded: async (_tx, orderId, amountMinor) => void calls.push({ event: 'refunded', orderId, amountMinor }),
    },
  };
}

/** An order as trading would hand it to settlement, between two real verified parties. */
export function payableOrder(buyerPartyId: string, providerPartyId: string, overrides: Partial<PayableOrder> = {}): PayableOrder {
  return {
    id: randomUUID(),
    number: `ORD-2026-${String(randomInt(1e6)).padStart(6, '0')}`,
    buyerPartyId,
    providerPartyId,
    amountMinor: 100_000,
    currency: 'CNY',
    feeMinor: 2_500,
    ...overrides,
  };
}

export interface Trade {
  operator: TestUser;
  buyer: TestUser;
  provider: TestUser;
  buyerParty: TestParty;
  providerParty: TestParty;
}

/** An operator, a buyer and a provider with verified parties, all through the API. */
export async function tradingParties(app: FastifyInstance): Promise<Trade> {
  const operator = await signUp(app, ['operator'], 'settlement-operator');
  const buyer = await signUp(app, ['buyer'], 'settlement-buyer');
  const provider = await signUp(app, ['provider'], 'settlement-provider');
  return { operator, buyer, provider, buyerParty: await createVerifiedParty(app, buyer, operator), providerParty: await createVerifiedParty(app, provider, operator) };
}

/** Opens the order's payment the way trading does: in a transaction, then the instructions after commit. */
export async function openPayment(app: FastifyInstance, order: PayableOrder, rail: PaymentRail) {
  const { paymentId } = await app.db.transaction((tx) => app.settlement.openPayment(tx, order, rail));
  const instructions = await app.settlement.paymentInstructions(app.db, order.id);
  return { paymentId, instructions: instructions! };
}

let bankLine = 0;
/** A fresh bank reference for a statement line. */
export const bankRef = (prefix = 'CQB') => `${prefix}${Date.now()}${++bankLine}`;

/** The operator records a credit on the exchange's account. */
export function recordReceipt(app: FastifyInstance, operator: TestUser, reference: string, amountMinor: number, currency = 'CNY', bankReference = bankRef()) {
  return as(app, operator, { method: 'POST', url: '/settlement/bank-receipts', payload: { reference, amountMinor, currency, bankReference } });
}

/** A bank payment received in full and released to the provider, so a payout is due. */
export async function releasedBankPayment(app: FastifyInstance, trade: Trade, overrides: Partial<PayableOrder> = {}) {
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id, overrides);
  const { paymentId, instructions } = await openPayment(app, order, 'bank_transfer');
  if (instructions.rail !== 'bank_transfer') throw new Error('expected bank instructions');
  const res = await recordReceipt(app, trade.operator, instructions.reference, order.amountMinor, order.currency);
  if (res.statusCode !== 201) throw new Error(`receipt: ${res.body}`);
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
  return { order, paymentId, reference: instructions.reference };
}

/** Settlement settings for tests, with Stripe pointing at a stand-in when given. */
export function settlementSettings(stripe?: Config['settlement']['stripe']): Config['settlement'] {
  return {
    stripe,
    bank: { name: 'Test Bank Chongqing', account: '6222 0000 1111 2222', payee: 'Test Exchange Ltd' },
    outboxIntervalMs: 60_000,
    chargebacksBorneBy: 'exchange',
  };
}

/** The app with both rails, Stripe on a stand-in, and trading's events recorded; `settlement` overrides settings. */
export async function stripeTestApp(
  t: Test,
  wrap: (events: OrderPaymentEvents) => OrderPaymentEvents = (events) => events,
  settlement: Partial<Config['settlement']> = {},
) {
  const standIn = await startStripeStandIn(t);
  const recorder = recordingOrderEvents();
  const settings = stripeSettings(standIn);
  const app = await buildTestApp(t, { settlement: { ...settlementSettings(settings), ...settlement } }, { orderPaymentEvents: wrap(recorder.events) });
  const trade = await tradingParties(app);
  /** Sends a signed event to the webhook route. */
  const deliver = (type: string, object: Record<string, unknown>, options: { id?: string; created?: number } = {}) => {
    const hook = standIn.webhook(settings.webhookSecret, type, object, options);
    return app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: hook.headers, payload: hook.payload });
  };
  return { app, standIn, recorder, trade, settings, deliver };
}

/** The provider links a connected account and Stripe reports it can take payouts. */
export async function linkProviderAccount(world: Awaited<ReturnType<typeof stripeTestApp>>) {
  const { app, trade, deliver } = world;
  const res = await as(app, trade.provider, { method: 'POST', url: `/settlement/parties/${trade.providerParty.id}/connected-account` });
  if (res.statusCode !== 201) throw new Error(`link account: ${res.body}`);
  const accountId = res.json<{ stripeAccountId: string }>().stripeAccountId;
  const updated = await deliver('account.updated', { id: accountId, object: 'account', charges_enabled: true, payouts_enabled: true });
  if (updated.statusCode !== 200) throw new Error(`account.updated: ${updated.body}`);
  return accountId;
}

/** A Stripe payment the buyer has paid (the PaymentIntent succeeded and its webhook arrived). */
export async function paidStripeOrder(world: Awaited<ReturnType<typeof stripeTestApp>>, overrides: Partial<PayableOrder> = {}) {
  const { app, standIn, trade, deliver } = world;
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id, overrides);
  const { paymentId, instructions } = await openPayment(app, order, 'stripe');
  const intentId = standIn.created('payment_intent').find((p) => (p.metadata as Record<string, string>).orderId === order.id)!.id;
  const res = await deliver('payment_intent.succeeded', standIn.succeed(intentId));
  if (res.statusCode !== 200) throw new Error(`payment_intent.succeeded: ${res.body}`);
  return { order, paymentId, instructions, intentId };
}

export interface CsvStatementLine {
  date?: string;
  creditMinor?: number;
  debitMinor?: number;
  summary?: string;
  postscript?: string;
  bankReference?: string;
  balanceMinor?: number;
}

const yuan = (minor: number | undefined) => (minor === undefined ? '' : (minor / 100).toFixed(2));

/** A CSV export laid out as mainland banks do (交易日期, 贷方发生额, 借方发生额, 摘要, 附言, 流水号, 余额). */
export function statementCsv(lines: CsvStatementLine[]): string {
  const rows = lines.map((l) => [l.date ?? '2026-11-30', yuan(l.creditMinor), yuan(l.debitMinor), l.summary ?? '转账', l.postscript ?? '', l.bankReference ?? bankRef('CSV'), yuan(l.balanceMinor)]);
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return ['交易日期,贷方发生额,借方发生额,摘要,附言,流水号,余额', ...rows.map((r) => r.map(quote).join(','))].join('\n') + '\n';
}

/** The operator uploads a statement file. */
export function uploadStatement(app: FastifyInstance, operator: TestUser, body: string | Buffer, contentType = 'text/csv', query = '') {
  return as(app, operator, { method: 'POST', url: `/settlement/bank-statements${query}`, payload: body, headers: { 'content-type': contentType } });
}
