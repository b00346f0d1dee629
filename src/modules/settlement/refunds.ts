import { and, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, conflict, invalidState, notFound } from '../../lib/errors.js';
import { enqueueEffect } from '../../lib/outbox.js';
import { systemActor, type AuditActor } from '../audit/events.js';
import type { SettlementContext } from './context.js';
import { recordTransfer, type PostingInput } from './ledger.js';
import { feeOnReleased } from './money.js';
import { auditOf, auditPayment, clearingAccount, lockPaymentOfOrder, movePayment, type Payment } from './payment-state.js';
import { releaseShare, type Payout } from './payouts.js';
import { receivableOf } from './receivables.js';
import { payments, payouts, refunds } from './tables.js';

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
 * released to the provider less the fee on that rest (money.ts: pro rata, rounded half up). Once
 * the provider was paid, on either rail, the refund is recovered from the provider first (up to its
 * share of the order), the rest out of the exchange's fee: on Stripe by reversing the transfer, and
 * what no reversal can take back (a share withheld against an earlier debt; a bank payout) the
 * provider owes the exchange (receivables.ts). Once per order.
 */
export async function refundOrder(ctx: SettlementContext, tx: Database, orderId: string, refundMinor: number, reason: string, actor: AuditActor = systemActor()): Promise<void> {
  const payment = await lockPaymentOfOrder(tx, orderId);
  const [done] = await tx.select({ id: refunds.id }).from(refunds).where(and(eq(refunds.orderId, orderId), eq(refunds.kind, 'dispute')));
  if (done) return;
  if (!Number.isSafeInteger(refundMinor) || refundMinor <= 0) throw new AppError('validation-failed', { en: 'a refund is a positive integer of minor units', zh: '退款金额须为以最小货币单位计的正整数' });
  if (refundMinor > payment.amountMinor) {
    throw new AppError('refund-exceeds-payment', { en: `at most ${payment.amountMinor} ${payment.currency} was paid`, zh: `已付金额至多为 ${payment.amountMinor} ${payment.currency}` }, { paidMinor: payment.amountMinor });
  }
  const key = `order:${orderId}:refund`;
  if (payment.status === 'held') {
    const rest = payment.amountMinor - refundMinor;
    if (rest === 0) {
      await recordTransfer(tx, { key: `order:${orderId}:escrow-void`, kind: 'void_pending', pendingId: payment.escrowTransferId!, orderId, rail: payment.rail, description: `escrow of ${payment.orderNumber} returned`, postings: [] });
    } else {
      await releaseShare(ctx, tx, payment, rest, feeOnReleased(payment.feeMinor, payment.amountMinor, rest));
    }
    await orderRefund(ctx, tx, actor, payment, { kind: 'dispute', amountMinor: refundMinor, reason, key });
    await movePayment(tx, payment, refundStep(payment, refundMinor));
    return;
  }
  const [payout] = await tx.select().from(payouts).where(eq(payouts.orderId, orderId));
  // A payout on its way (a Stripe transfer submitted or held) is settled first: then what it carried is known.
  if (payment.status !== 'released' || payout?.status !== 'paid') {
    throw invalidState({ en: `no refund now: the payment is ${payment.status}${payout ? `, its payout ${payout.status}` : ''}`, zh: `目前不能退款：付款状态为 ${payment.status}${payout ? `，向提供方付款的状态为 ${payout.status}` : ''}` }, { status: payment.status });
  }
  const reversed = await recoverFromProvider(tx, payment, payout, refundMinor);
  await orderRefund(ctx, tx, actor, payment, {
    kind: 'dispute',
    amountMinor: refundMinor,
    reason,
    key,
    ...(reversed > 0 ? { reverseTransfer: { transferId: payout.stripeTransferId!, amountMinor: reversed } } : {}),
  });
  await movePayment(tx, payment, refundStep(payment, refundMinor));
}

/**
 * The ledger side of a refund after the payout: the refund goes back into the buyer's funds, taken
 * from the provider's share of the order (the Stripe transfer reversed as far as it carried it, the
 * rest a debt of the provider's) and beyond that share from the exchange's fee. Returns what the
 * Stripe transfer is to be reversed by.
 */
async function recoverFromProvider(tx: Database, payment: Payment, payout: Payout, refundMinor: number): Promise<number> {
  const { currency, orderId } = payment;
  // The provider's share: what the rail carried and what was withheld against its earlier debts.
  const share = payout.amountMinor + payout.nettedMinor;
  const recovered = Math.min(refundMinor, share);
  const fromFee = refundMinor - recovered;
  const reversed = payment.rail === 'stripe' && payout.stripeTransferId ? Math.min(recovered, payout.amountMinor) : 0;
  const owed = recovered - reversed;
  const postings: PostingInput[] = [{ account: { kind: 'buyer_funds', currency, partyId: payment.buyerPartyId }, amountMinor: refundMinor }];
  if (reversed > 0) postings.push({ account: { kind: clearingAccount(payment.rail), currency }, amountMinor: -reversed });
  if (owed > 0) postings.push({ account: receivableOf(payment.providerPartyId, currency), amountMinor: -owed });
  if (fromFee > 0) postings.push({ account: { kind: 'fee_revenue', currency }, amountMinor: -fromFee });
  await recordTransfer(tx, { key: `order:${orderId}:recovery`, kind: 'posted', orderId, rail: payment.rail, description: `recovered for the refund of ${payment.orderNumber}`, postings });
  return reversed;
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

/**
 * An operator orders the refund of a dispute decided after the provider was paid (arbitration, a
 * complaint upheld after acceptance): public bodies pay by bank transfer, and the decision must
 * still reach the buyer. While the exchange holds the money the order's own dispute decides
 * (`POST /orders/{id}/dispute/decision`), not this. One dispute refund per order.
 */
export async function refundAfterPayout(
  ctx: SettlementContext,
  db: Database,
  actor: AuditActor,
  paymentId: string,
  input: { amountMinor: number; currency: string; reason: string },
): Promise<Refund> {
  return db.transaction(async (tx) => {
    const [found] = await tx.select({ orderId: payments.orderId }).from(payments).where(eq(payments.id, paymentId));
    if (!found) throw notFound({ en: 'payment', zh: '付款' });
    const payment = await lockPaymentOfOrder(tx, found.orderId);
    if (input.currency !== payment.currency) throw new AppError('amount-mismatch', { en: `the payment is in ${payment.currency}`, zh: `该付款的币种为 ${payment.currency}` }, { currency: payment.currency });
    const [earlier] = await tx.select({ id: refunds.id }).from(refunds).where(and(eq(refunds.orderId, payment.orderId), eq(refunds.kind, 'dispute')));
    if (earlier) throw conflict({ en: 'a refund of this order was already ordered', zh: '已就该订单作出退款' }, { refundId: earlier.id });
    if (payment.status !== 'released') {
      throw invalidState({ en: `the payment is ${payment.status}: a refund after the payout needs a payment released to the provider (while the money is held, decide the order's dispute)`, zh: `付款状态为 ${payment.status}：向提供方付款后的退款，须有已释放给提供方的付款（资金仍在托管期间，请对该订单的争议作出决定）` }, { status: payment.status });
    }
    await refundOrder(ctx, tx, payment.orderId, input.amountMinor, input.reason, actor);
    const [row] = await tx.select().from(refunds).where(and(eq(refunds.orderId, payment.orderId), eq(refunds.kind, 'dispute')));
    return row!;
  });
}
