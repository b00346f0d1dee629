import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { OrderPaymentEvents, PayableOrder, PaymentRail } from '../../src/modules/trading/ports.js';
import { as, signUp, type TestUser } from './app.js';
import { createVerifiedParty, type TestParty } from './identity.js';

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
