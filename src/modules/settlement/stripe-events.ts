import { eq, or } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Database } from '../../lib/database.js';
import { systemActor } from '../audit/events.js';
import { postChargebackMoney } from './chargebacks.js';
import type { SettlementContext } from './context.js';
import { fundsReceived } from './payments.js';
import { sendHeldPayouts } from './payouts.js';
import { confirmRefund } from './refunds.js';
import { idOf } from './stripe-rail.js';
import { connectedAccounts, payments, refunds, stripeDisputes, stripeEvents } from './tables.js';

export interface EventOutcome {
  outcome: string;
  /** Orders with effects to carry out after commit. */
  subjects: string[];
}

const uuidOrNull = (value: unknown) => (typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value) ? value : null);

/**
 * One verified Stripe event, processed once: its id is recorded in the same transaction as what it
 * changes, so a replay finds it and changes nothing. Each handler also checks the state it moves
 * from, so an event that arrives late (a state already passed) changes nothing either.
 */
export async function processStripeEvent(ctx: SettlementContext, db: Database, event: Stripe.Event): Promise<EventOutcome> {
  return db.transaction(async (tx) => {
    const [fresh] = await tx.insert(stripeEvents).values({ id: event.id, type: event.type, outcome: 'processing' }).onConflictDoNothing().returning();
    if (!fresh) return { outcome: 'duplicate', subjects: [] };
    const result = await dispatch(ctx, tx, event);
    await tx.update(stripeEvents).set({ outcome: result.outcome }).where(eq(stripeEvents.id, event.id));
    return result;
  });
}

async function dispatch(ctx: SettlementContext, tx: Database, event: Stripe.Event): Promise<EventOutcome> {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return paymentSucceeded(ctx, tx, event.data.object);
    case 'account.updated':
      return accountUpdated(tx, event.data.object, new Date(event.created * 1000));
    case 'refund.updated':
    case 'refund.created':
      return refundUpdated(ctx, tx, event.data.object);
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed':
    case 'charge.dispute.funds_withdrawn':
    case 'charge.dispute.funds_reinstated':
      return disputeChanged(ctx, tx, event.data.object);
    default:
      ctx.log.info({ eventId: event.id, type: event.type }, 'Stripe event of a type settlement does not handle; acknowledged');
      return { outcome: 'ignored', subjects: [] };
  }
}

async function paymentSucceeded(ctx: SettlementContext, tx: Database, intent: Stripe.PaymentIntent): Promise<EventOutcome> {
  const byMetadata = uuidOrNull(intent.metadata?.paymentId);
  const [payment] = await tx
    .select()
    .from(payments)
    .where(byMetadata ? or(eq(payments.stripePaymentIntentId, intent.id), eq(payments.id, byMetadata)) : eq(payments.stripePaymentIntentId, intent.id))
    .for('update');
  if (!payment) {
    ctx.log.warn({ paymentIntent: intent.id }, 'payment_intent.succeeded for no payment of this exchange; acknowledged');
    return { outcome: 'unknown_payment', subjects: [] };
  }
  if (intent.currency.toUpperCase() !== payment.currency) {
    ctx.log.error({ paymentIntent: intent.id, currency: intent.currency }, 'payment_intent.succeeded in another currency than the order; left for the operator');
    return { outcome: 'currency_mismatch', subjects: [] };
  }
  const chargeId = idOf(intent.latest_charge);
  if (chargeId && !payment.stripeChargeId) {
    await tx.update(payments).set({ stripeChargeId: chargeId, stripePaymentIntentId: intent.id }).where(eq(payments.id, payment.id));
    payment.stripeChargeId = chargeId;
  }
  const { payment: after } = await fundsReceived(ctx, tx, systemActor(), payment, {
    key: `stripe:${intent.id}:succeeded`,
    amountMinor: intent.amount_received || intent.amount,
    at: new Date(),
    stripeId: intent.id,
  });
  return { outcome: after.status, subjects: [payment.orderId] };
}

async function accountUpdated(tx: Database, account: Stripe.Account, at: Date): Promise<EventOutcome> {
  const [row] = await tx.select().from(connectedAccounts).where(eq(connectedAccounts.stripeAccountId, account.id)).for('update');
  if (!row) return { outcome: 'unknown_account', subjects: [] };
  if (row.stripeUpdatedAt && row.stripeUpdatedAt >= at) return { outcome: 'stale', subjects: [] };
  const payoutsEnabled = account.payouts_enabled === true;
  await tx
    .update(connectedAccounts)
    .set({ chargesEnabled: account.charges_enabled === true, payoutsEnabled, stripeUpdatedAt: at, updatedAt: new Date() })
    .where(eq(connectedAccounts.partyId, row.partyId));
  const subjects = payoutsEnabled ? await sendHeldPayouts(tx, row.partyId) : [];
  return { outcome: payoutsEnabled ? 'payouts_enabled' : 'payouts_disabled', subjects };
}

async function refundUpdated(ctx: SettlementContext, tx: Database, refund: Stripe.Refund): Promise<EventOutcome> {
  const byMetadata = uuidOrNull(refund.metadata?.refundId);
  const [row] = await tx
    .select()
    .from(refunds)
    .where(byMetadata ? or(eq(refunds.stripeRefundId, refund.id), eq(refunds.id, byMetadata)) : eq(refunds.stripeRefundId, refund.id))
    .for('update');
  if (!row) return { outcome: 'unknown_refund', subjects: [] };
  if (refund.status !== 'succeeded' || row.status === 'refunded') return { outcome: row.status, subjects: [] };
  await confirmRefund(ctx, tx, systemActor(), row, { at: new Date(refund.created * 1000), stripeRefundId: refund.id });
  return { outcome: 'refunded', subjects: [] };
}

/** Stripe's final dispute statuses: nothing that arrives later reopens them. */
const finalDisputeStatuses = new Set(['won', 'lost', 'warning_closed']);

/**
 * A card dispute (chargeback) on an order's charge: recorded and shown to operators, who answer it
 * in Stripe's dashboard, and its money posted to the ledger as the dispute's balance transactions
 * say (chargebacks.ts), whichever of the dispute's events brings them first. The payment's row is
 * locked, so the events of one dispute run one after another. A late event never reopens a closed
 * dispute, but still posts money not yet posted (each movement once, by the dispute's id).
 */
async function disputeChanged(ctx: SettlementContext, tx: Database, dispute: Stripe.Dispute): Promise<EventOutcome> {
  const chargeId = idOf(dispute.charge);
  const [payment] = chargeId ? await tx.select().from(payments).where(eq(payments.stripeChargeId, chargeId)).for('update') : [];
  if (!payment) {
    ctx.log.warn({ dispute: dispute.id, charge: chargeId }, 'a dispute on a charge of no payment of this exchange; acknowledged');
    return { outcome: 'unknown_payment', subjects: [] };
  }
  const [known] = await tx.select().from(stripeDisputes).where(eq(stripeDisputes.stripeDisputeId, dispute.id)).for('update');
  const stale = known !== undefined && finalDisputeStatuses.has(known.status);
  if (known && !stale) {
    await tx.update(stripeDisputes).set({ status: dispute.status, updatedAt: new Date() }).where(eq(stripeDisputes.id, known.id));
  } else if (!known) {
    await tx.insert(stripeDisputes).values({
      stripeDisputeId: dispute.id,
      paymentId: payment.id,
      orderId: payment.orderId,
      amountMinor: dispute.amount,
      currency: dispute.currency.toUpperCase(),
      reason: dispute.reason,
      status: dispute.status,
    });
  }
  const posted = await postChargebackMoney(ctx, tx, payment, dispute);
  ctx.log.warn({ dispute: dispute.id, orderId: payment.orderId, status: dispute.status, posted }, 'card dispute on an order');
  if (posted.length > 0) return { outcome: `chargeback_${posted.join('_and_')}`, subjects: [] };
  return { outcome: stale ? 'stale' : `dispute_${dispute.status}`, subjects: [] };
}
