import { and, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, invalidState } from '../../lib/errors.js';
import { enqueueEffect } from '../../lib/outbox.js';
import { systemActor, type AuditActor } from '../audit/events.js';
import type { SettlementContext } from './context.js';
import { recordTransfer, type PostingInput } from './ledger.js';
import { feeOnReleased } from './money.js';
import { auditOf, auditPayment, clearingAccount, lockPaymentOfOrder, movePayment, type Payment } from './payment-state.js';
import { releaseShare } from './payouts.js';
import { payouts, refunds } from './tables.js';

export type Refund = typeof refunds.$inferSelect;

/**
 * Money owed back to the buyer: the ledger moves it from the buyer's funds to refunds payable, and
 * the rail is asked to pay it (a Stripe Refund, after reversing the provider's transfer when it was
 * already paid out; on the bank rail an operator pays it and records it).
 */
export async function orderRefund(
  ctx: SettlementContext,
  tx: Database,
  actor: AuditActor,
  payment: Payment,
  refund: { kind: 'dispute' | 'overpayment'; amountMinor: number; reason: string; key: string; reverseTransfer?: { transferId: string; amountMinor: number } },
): Promise<Refund> {
  const { currency, orderId, rail } = payment;
  await recordTransfer(tx, {
    key: `${refund.key}:ordered`,
    kind: 'posted',
    orderId,
    rail,
    description: `refund to the buyer of ${payment.orderNumber}`,
    postings: [
      { account: { kind: 'buyer_funds', currency, partyId: payment.buyerPartyId }, amountMinor: -refund.amountMinor },
      { account: { kind: 'refunds_payable', currency, partyId: payment.buyerPartyId }, amountMinor: refund.amountMinor },
    ],
  });
  const [row] = await tx
    .insert(refunds)
    .values({ orderId, paymentId: payment.id, kind: refund.kind, rail, status: rail === 'stripe' ? 'submitted' : 'due', amountMinor: refund.amountMinor, currency, reason: refund.reason })
    .returning();
  if (rail === 'stripe') {
    await enqueueEffect(tx, {
      operation: 'stripe.create_refund',
      idempotencyKey: refund.key,
      subjectId: orderId,
      payload: { refundId: row!.id, ...(refund.reverseTransfer ? { reverseTransferId: refund.reverseTransfer.transferId, reverseAmountMinor: refund.reverseTransfer.amountMinor } : {}) },
    });
  }
  await auditPayment(tx, actor, 'settlement.refund_ordered', payment, auditOf(payment, { amountMinor: refund.amountMinor, reason: refund.reason, status: refund.kind }));
  return row!;
}

/** The whole price back is `refunded`; part of it is `partially_refunded`, the rest being the provider's. */
const refundStep = (payment: Payment, refundMinor: number) => (refundMinor < payment.amountMinor ? ('refund_part' as const) : ('refund' as const));

/**
 * A dispute decided for the buyer (SettlementPort.refund): `refundMinor` back to the buyer, the rest
 * released to the provider less the fee on that rest (money.ts: pro rata, rounded half up). After
 * the provider was paid (Stripe), the transfer is reversed first: up to the provider's share, the
 * rest out of the exchange's fee. Once per order.
 */
export async function refundOrder(ctx: SettlementContext, tx: Database, orderId: string, refundMinor: number, reason: string): Promise<void> {
  const payment = await lockPaymentOfOrder(tx, orderId);
  const [done] = await tx.select({ id: refunds.id }).from(refunds).where(and(eq(refunds.orderId, orderId), eq(refunds.kind, 'dispute')));
  if (done) return;
  if (!Number.isSafeInteger(refundMinor) || refundMinor <= 0) throw new AppError('validation-failed', 'a refund is a positive integer of minor units');
  if (refundMinor > payment.amountMinor) {
    throw new AppError('refund-exceeds-payment', `at most ${payment.amountMinor} ${payment.currency} was paid`, { paidMinor: payment.amountMinor });
  }
  const key = `order:${orderId}:refund`;
  if (payment.status === 'held') {
    const rest = payment.amountMinor - refundMinor;
    if (rest === 0) {
      await recordTransfer(tx, { key: `order:${orderId}:escrow-void`, kind: 'void_pending', pendingId: payment.escrowTransferId!, orderId, rail: payment.rail, description: `escrow of ${payment.orderNumber} returned`, postings: [] });
    } else {
      await releaseShare(ctx, tx, payment, rest, feeOnReleased(payment.feeMinor, payment.amountMinor, rest));
    }
    await orderRefund(ctx, tx, systemActor(), payment, { kind: 'dispute', amountMinor: refundMinor, reason, key });
    await movePayment(tx, payment, refundStep(payment, refundMinor));
    return;
  }
  const [payout] = await tx.select().from(payouts).where(eq(payouts.orderId, orderId));
  if (payment.status !== 'released' || payout?.status !== 'paid' || payment.rail !== 'stripe' || !payout.stripeTransferId) {
    throw invalidState(`no refund now: the payment is ${payment.status}${payout ? `, its payout ${payout.status}` : ''}`, { status: payment.status });
  }
  // Recovered from the provider's transfer first, then from the fee the exchange kept.
  const recovered = Math.min(refundMinor, payout.amountMinor);
  const fromFee = refundMinor - recovered;
  const postings: PostingInput[] = [{ account: { kind: 'buyer_funds', currency: payment.currency, partyId: payment.buyerPartyId }, amountMinor: refundMinor }];
  if (recovered > 0) postings.push({ account: { kind: clearingAccount(payment.rail), currency: payment.currency }, amountMinor: -recovered });
  if (fromFee > 0) postings.push({ account: { kind: 'fee_revenue', currency: payment.currency }, amountMinor: -fromFee });
  await recordTransfer(tx, { key: `order:${orderId}:recovery`, kind: 'posted', orderId, rail: payment.rail, description: `recovered for the refund of ${payment.orderNumber}`, postings });
  await orderRefund(ctx, tx, systemActor(), payment, { kind: 'dispute', amountMinor: refundMinor, reason, key, reverseTransfer: { transferId: payout.stripeTransferId, amountMinor: recovered } });
  await movePayment(tx, payment, refundStep(payment, refundMinor));
}

/** The refund reached the buyer: ledger, refund, and (for a dispute) the order. Once. Answers the refund as it now stands. */
export async function confirmRefund(
  ctx: SettlementContext,
  tx: Database,
  actor: AuditActor,
  refund: Refund,
  proof: { at: Date; stripeRefundId?: string; bankReference?: string },
): Promise<Refund> {
  if (refund.status === 'refunded') return refund;
  await recordTransfer(tx, {
    key: `refund:${refund.id}:paid`,
    kind: 'posted',
    orderId: refund.orderId,
    rail: refund.rail,
    description: 'refund paid to the buyer',
    postings: [
      { account: { kind: 'refunds_payable', currency: refund.currency, partyId: (await lockPaymentOfOrder(tx, refund.orderId)).buyerPartyId }, amountMinor: -refund.amountMinor },
      { account: { kind: clearingAccount(refund.rail), currency: refund.currency }, amountMinor: refund.amountMinor },
    ],
  });
  const [refunded] = await tx
    .update(refunds)
    .set({ status: 'refunded', refundedAt: proof.at, stripeRefundId: proof.stripeRefundId ?? refund.stripeRefundId, bankReference: proof.bankReference ?? null, updatedAt: new Date() })
    .where(eq(refunds.id, refund.id))
    .returning();
  const payment = await lockPaymentOfOrder(tx, refund.orderId);
  await auditPayment(tx, actor, 'settlement.refunded', payment, auditOf(payment, { amountMinor: refund.amountMinor, reason: refund.reason, stripeId: proof.stripeRefundId ?? null, bankReference: proof.bankReference ?? null }));
  if (refund.kind === 'dispute') await ctx.events.refunded(tx, refund.orderId, refund.amountMinor, proof.at);
  return refunded!;
}
