import { and, asc, inArray, lte, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { invalidState } from '../../lib/errors.js';
import { systemActor, type AuditActor } from '../audit/events.js';
import { invalidInput, type Caller, type TradingContext } from './context.js';
import { tellProcurementIfEnded } from './approval.js';
import { endAccessForFullRefund } from './delivery.js';
import { findOrderFor } from './orders.js';
import { transition, type Order } from './state-machine.js';
import { orders, type DisputeDecision } from './tables.js';

/** The delivery is accepted (by the buyer or by the sweep): settlement pays the provider what it holds, less the fee. */
async function acceptDeliveryIn(ctx: TradingContext, tx: Database, actor: AuditActor, order: Order, automatic: boolean, at: Date): Promise<Order> {
  const accepted = await transition(tx, actor, order, 'accept_delivery', { details: { automatic }, at });
  await ctx.settlement.releaseToProvider(tx, order.id);
  if (order.procurementId) await ctx.procurement?.deliveryAccepted(tx, order.procurementId, order.id, at);
  return accepted;
}

export async function acceptDelivery(ctx: TradingContext, caller: Caller, orderId: string): Promise<Order> {
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, orderId, { side: 'buyer', lock: true });
    return acceptDeliveryIn(ctx, tx, caller.audit, order, false, new Date());
  });
}

/** The buyer disputes the delivery, with a reason, while the acceptance window is open. */
export async function disputeDelivery(ctx: TradingContext, caller: Caller, orderId: string, reason: string): Promise<Order> {
  const now = new Date();
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, orderId, { side: 'buyer', lock: true });
    if (order.acceptanceDueAt && order.acceptanceDueAt <= now) {
      throw invalidState({ en: `the acceptance window closed at ${order.acceptanceDueAt.toISOString()}; the delivery counts as accepted`, zh: `验收期已于 ${order.acceptanceDueAt.toISOString()} 届满，该交付视为已验收` }, { status: order.status, acceptanceDueAt: order.acceptanceDueAt.toISOString() });
    }
    return transition(tx, caller.audit, order, 'dispute', { set: { disputeReason: reason }, details: { reason }, at: now });
  });
}

export interface DisputeDecisionInput {
  outcome: DisputeDecision['outcome'];
  refundMinor?: number | undefined;
  reason: string;
}

/**
 * An operator decides a dispute: full refund, partial refund, or release to the provider; settlement
 * carries it out. A full refund also ends the buyer's download grants in this transaction; a
 * partial refund keeps them (the buyer keeps, and pays for, the rest of what it bought).
 */
export async function decideDispute(ctx: TradingContext, caller: Caller, orderId: string, input: DisputeDecisionInput): Promise<Order> {
  const now = new Date();
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, orderId, { staff: true, lock: true });
    const refundMinor = input.outcome === 'full_refund' ? order.amountMinor : input.outcome === 'release' ? 0 : (input.refundMinor ?? 0);
    if (input.outcome === 'partial_refund' && !(refundMinor > 0 && refundMinor < order.amountMinor)) {
      throw invalidInput('/body/refundMinor', { en: `a partial refund is more than 0 and less than the amount paid (${order.amountMinor})`, zh: `部分退款须大于 0 且小于已付金额（${order.amountMinor}）` });
    }
    if (input.outcome !== 'partial_refund' && input.refundMinor !== undefined && input.refundMinor !== refundMinor) {
      throw invalidInput('/body/refundMinor', { en: `give refundMinor only for a partial refund`, zh: '只有部分退款才填写 refundMinor' });
    }
    const decision: DisputeDecision = { outcome: input.outcome, refundMinor, reason: input.reason, decidedBy: caller.actor.userId, decidedAt: now.toISOString() };
    const resolved = await transition(tx, caller.audit, order, 'resolve', { set: { decision }, details: { outcome: input.outcome, refundMinor, reason: input.reason }, at: now });
    // Access ends with the decision, not when the money reaches the buyer (days later on the bank rail).
    if (input.outcome === 'full_refund') await endAccessForFullRefund(tx, caller.audit, resolved, input.reason, now);
    if (refundMinor > 0) await ctx.settlement.refund(tx, order.id, refundMinor, input.reason);
    else await ctx.settlement.releaseToProvider(tx, order.id);
    return resolved;
  });
}

export interface SweepResult {
  expired: number;
  accepted: number;
}

/**
 * Expires orders left unanswered (by the provider, by the buyer shown new terms, or with their
 * agreement unsigned) and accepts deliveries whose window has closed. Rows are claimed
 * `FOR UPDATE SKIP LOCKED`, so any number of processes sweep at once without meeting; each batch is
 * one transaction, so a crash leaves every order either moved and audited or untouched.
 */
export async function sweepOrders(ctx: TradingContext, now = new Date(), batch = 100): Promise<SweepResult> {
  const actor = systemActor();
  const result: SweepResult = { expired: 0, accepted: 0 };
  for (;;) {
    const moved = await ctx.db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(orders)
        .where(and(inArray(orders.status, ['awaiting_provider', 'terms_proposed', 'agreement_pending']), lte(orders.responseDueAt, now)))
        .orderBy(asc(orders.responseDueAt))
        .limit(batch)
        .for('update', { skipLocked: true });
      for (const order of due) await tellProcurementIfEnded(ctx, tx, await transition(tx, actor, order, 'expire', { set: { responseDueAt: null }, details: { automatic: true }, at: now }));
      return due.length;
    });
    result.expired += moved;
    if (moved < batch) break;
  }
  for (;;) {
    const moved = await ctx.db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(orders)
        .where(and(eq(orders.status, 'delivered'), lte(orders.acceptanceDueAt, now)))
        .orderBy(asc(orders.acceptanceDueAt))
        .limit(batch)
        .for('update', { skipLocked: true });
      // Art. 28(4): the exchange closes the trade the buyer let pass, and the provider is paid.
      for (const order of due) await acceptDeliveryIn(ctx, tx, actor, order, true, now);
      return due.length;
    });
    result.accepted += moved;
    if (moved < batch) break;
  }
  return result;
}
