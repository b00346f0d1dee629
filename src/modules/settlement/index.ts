import { eq } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Database } from '../../lib/database.js';
import { runOutbox, type OutboxRun } from '../../lib/outbox.js';
import type { OrderPaymentEvents, PaymentInstructions, PaymentRail, SettlementPort, SettlementSummary } from '../trading/ports.js';
import type { SettlementContext, SettlementLog } from './context.js';
import { accountBalances } from './ledger.js';
import { openPayment } from './payments.js';
import { holdPayouts, releaseToProvider, sendHeldPayouts } from './payouts.js';
import { refundOrder } from './refunds.js';
import { createStripeClient, stripeEffectHandlers } from './stripe-rail.js';
import { payments, payouts, refunds } from './tables.js';
import type Stripe from 'stripe';
import type { SuspensionEffects } from '../identity/suspension.js';

export interface SettlementDeps {
  config: Config['settlement'];
  /** Trading's side: told when an order is paid, paid out, refunded. */
  events: OrderPaymentEvents;
  /** A Stripe client; made from the config when it has a key. */
  stripe?: Stripe;
  log: SettlementLog;
}

export interface Settlement extends SettlementPort {
  context: SettlementContext;
  /** Carries out pending external effects (all, or one order's) now. */
  runEffects(db: Database, orderId?: string): Promise<OutboxRun>;
  /**
   * Art. 28(4), in the transaction that suspends or reinstates a party (identity/suspension.ts): a
   * suspended provider's payouts are held, and start again on reinstatement (the outbox worker
   * sends the Stripe transfers).
   */
  suspensionEffects: SuspensionEffects;
}

/** Until trading plugs in its events, settlement only logs what it would tell the order. */
export const loggingOrderEvents = (log: SettlementLog): OrderPaymentEvents => ({
  paid: async (_tx, orderId, at) => log.info({ orderId, at }, 'order paid'),
  paidOut: async (_tx, orderId, at) => log.info({ orderId, at }, 'order paid out'),
  refunded: async (_tx, orderId, amountMinor, at) => log.info({ orderId, amountMinor, at }, 'order refunded'),
});

/** Settlement as the rest of the service sees it (trading/ports.ts), plus what its routes need. */
export function createSettlement(deps: SettlementDeps): Settlement {
  const stripe = deps.stripe ?? (deps.config.stripe ? createStripeClient(deps.config.stripe) : null);
  const ctx: SettlementContext = { config: deps.config, events: deps.events, stripe, log: deps.log };
  const handlers = stripeEffectHandlers(ctx);
  const rails: readonly PaymentRail[] = stripe ? ['stripe', 'bank_transfer'] : ['bank_transfer'];
  const runEffects = (db: Database, orderId?: string) =>
    runOutbox(db, handlers, {
      ...(orderId ? { subjectId: orderId } : {}),
      onError: (row, err) => deps.log.warn({ err, operation: row.operation, key: row.idempotencyKey, attempts: row.attempts + 1 }, 'an external effect failed'),
    });

  return {
    context: ctx,
    runEffects,
    suspensionEffects: {
      suspended: (tx, partyId) => holdPayouts(tx, partyId),
      reinstated: async (tx, partyId) => void (await sendHeldPayouts(tx, partyId)),
    },
    rails: () => rails,
    openPayment: (tx, order, rail) => openPayment(ctx, tx, order, rail),
    releaseToProvider: (tx, orderId) => releaseToProvider(ctx, tx, orderId),
    refund: (tx, orderId, refundMinor, reason) => refundOrder(ctx, tx, orderId, refundMinor, reason),
    async paymentInstructions(db, orderId): Promise<PaymentInstructions | null> {
      await runEffects(db, orderId);
      const [payment] = await db.select().from(payments).where(eq(payments.orderId, orderId));
      if (!payment) return null;
      const money = { paymentId: payment.id, amountMinor: payment.amountMinor, currency: payment.currency };
      if (payment.rail === 'stripe') {
        return { rail: 'stripe', ...money, status: payment.stripeClientSecret ? 'ready' : 'creating', clientSecret: payment.stripeClientSecret };
      }
      const { bank } = deps.config;
      return { rail: 'bank_transfer', ...money, reference: payment.reference!, payee: { name: bank.payee, bank: bank.name, account: bank.account } };
    },
    summary: (db, orderId) => orderSummary(db, orderId),
  };
}

export async function orderSummary(db: Database, orderId: string): Promise<SettlementSummary> {
  const at = (d: Date) => d.toISOString();
  const [paymentRows, payoutRows, refundRows, balances] = await Promise.all([
    db.select().from(payments).where(eq(payments.orderId, orderId)),
    db.select().from(payouts).where(eq(payouts.orderId, orderId)),
    db.select().from(refunds).where(eq(refunds.orderId, orderId)).orderBy(refunds.createdAt),
    accountBalances(db, { orderId }),
  ]);
  const byKind: Record<string, number> = {};
  for (const b of balances) {
    // The order's share of each kind of account: posted movements, and what escrow holds.
    byKind[b.kind] = (byKind[b.kind] ?? 0) + b.postedMinor;
    if (b.kind === 'escrow') byKind.escrow_held = (byKind.escrow_held ?? 0) + b.pendingMinor;
  }
  return {
    payments: paymentRows.map((p) => ({ id: p.id, rail: p.rail, status: p.status, amountMinor: p.amountMinor, receivedMinor: p.receivedMinor, currency: p.currency, reference: p.reference, createdAt: at(p.createdAt) })),
    payouts: payoutRows.map((p) => ({ id: p.id, rail: p.rail, status: p.status, amountMinor: p.amountMinor, feeMinor: p.feeMinor, currency: p.currency, createdAt: at(p.createdAt) })),
    refunds: refundRows.map((r) => ({ id: r.id, rail: r.rail, status: r.status, amountMinor: r.amountMinor, currency: r.currency, reason: r.reason, createdAt: at(r.createdAt) })),
    balances: byKind,
  };
}

