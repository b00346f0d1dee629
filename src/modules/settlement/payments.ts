import { randomInt } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, type Localized } from '../../lib/errors.js';
import { enqueueEffect } from '../../lib/outbox.js';
import { systemActor, type AuditActor } from '../audit/events.js';
import { requireVerifiedParty } from '../identity/service.js';
import type { PayableOrder, PaymentRail } from '../trading/ports.js';
import type { SettlementContext } from './context.js';
import { recordTransfer } from './ledger.js';
import { newBankReference } from './money.js';
import { orderRefund } from './refunds.js';
import { auditOf, auditPayment, clearingAccount, lockPaymentOfOrder, mayMove, movePayment, type Payment } from './payment-state.js';
import { payments } from './tables.js';

export function validateOrder(order: PayableOrder): void {
  const bad = (message: Localized) => new AppError('validation-failed', message, { errors: [{ path: '/order', message: message.en }] });
  if (!Number.isSafeInteger(order.amountMinor) || order.amountMinor <= 0) throw bad({ en: 'the amount must be a positive integer of minor units', zh: '金额须为以最小货币单位计的正整数' });
  if (!Number.isSafeInteger(order.feeMinor) || order.feeMinor < 0 || order.feeMinor > order.amountMinor) throw bad({ en: 'the fee must be an integer between 0 and the amount', zh: '费用须为 0 至该金额之间的整数' });
  if (!/^[A-Z]{3}$/.test(order.currency)) throw bad({ en: 'the currency must be an ISO 4217 code', zh: '币种须为 ISO 4217 代码' });
}

/**
 * Opens the buyer's payment of an order (SettlementPort.openPayment), in the caller's transaction.
 * Once per order: a second call answers the first payment. The bank rail issues a reference now;
 * the Stripe rail queues its PaymentIntent in the outbox, created after commit.
 */
export async function openPayment(ctx: SettlementContext, tx: Database, order: PayableOrder, rail: PaymentRail): Promise<{ paymentId: string }> {
  const [existing] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.orderId, order.id));
  if (existing) return { paymentId: existing.id };
  if (rail === 'stripe' && !ctx.stripe) throw new AppError('rail-unavailable', { en: 'this exchange takes payment by bank transfer only', zh: '本交易所仅接受银行转账付款' });
  validateOrder(order);
  // Art. 28(2): money moves only between verified parties.
  await requireVerifiedParty(tx, order.buyerPartyId);
  await requireVerifiedParty(tx, order.providerPartyId);
  const [payment] = await tx
    .insert(payments)
    .values({
      orderId: order.id,
      orderNumber: order.number,
      buyerPartyId: order.buyerPartyId,
      providerPartyId: order.providerPartyId,
      rail,
      status: rail === 'stripe' ? 'creating' : 'awaiting_funds',
      amountMinor: order.amountMinor,
      feeMinor: order.feeMinor,
      currency: order.currency,
      reference: rail === 'bank_transfer' ? newBankReference(randomInt) : null,
    })
    .onConflictDoNothing({ target: payments.orderId })
    .returning();
  // Two callers racing: the one that lost finds the winner's payment.
  if (!payment) return { paymentId: (await lockPaymentOfOrder(tx, order.id)).id };
  if (rail === 'stripe') {
    await enqueueEffect(tx, {
      operation: 'stripe.create_payment_intent',
      idempotencyKey: `order:${order.id}:payment-intent`,
      subjectId: order.id,
      payload: { paymentId: payment.id },
    });
  }
  await auditPayment(tx, systemActor(), 'settlement.payment_opened', payment, auditOf(payment, { feeMinor: payment.feeMinor, reference: payment.reference }));
  return { paymentId: payment.id };
}

/**
 * Money arrived on a rail for this payment (a Stripe charge succeeded, the operator saw a bank
 * credit): it is the buyer's, held by the exchange. Once the whole price is in, the price goes into
 * escrow as a pending transfer and the order is paid; what came beyond the price goes back.
 */
export async function fundsReceived(
  ctx: SettlementContext,
  tx: Database,
  actor: AuditActor,
  locked: Payment,
  receipt: { key: string; amountMinor: number; at: Date; bankReference?: string; stripeId?: string },
): Promise<{ payment: Payment; outstandingMinor: number; excessMinor: number }> {
  const { currency, rail } = locked;
  const funds = { kind: 'buyer_funds' as const, currency, partyId: locked.buyerPartyId };
  const landed = await recordTransfer(tx, {
    key: receipt.key,
    kind: 'posted',
    orderId: locked.orderId,
    rail,
    description: `funds received for ${locked.orderNumber}`,
    postings: [{ account: { kind: clearingAccount(rail), currency }, amountMinor: -receipt.amountMinor }, { account: funds, amountMinor: receipt.amountMinor }],
  });
  if (!landed.created) return { payment: locked, outstandingMinor: Math.max(0, locked.amountMinor - locked.receivedMinor), excessMinor: 0 };
  const received = locked.receivedMinor + receipt.amountMinor;
  const audit = auditOf(locked, { amountMinor: receipt.amountMinor, bankReference: receipt.bankReference ?? null, stripeId: receipt.stripeId ?? null });
  await auditPayment(tx, actor, 'settlement.funds_received', locked, audit);
  let payment = locked;
  let excess: number;
  if (mayMove(locked, 'hold') && received >= locked.amountMinor) {
    const escrow = await recordTransfer(tx, {
      key: `order:${locked.orderId}:escrow`,
      kind: 'pending',
      orderId: locked.orderId,
      rail,
      description: `escrow of ${locked.orderNumber}`,
      postings: [{ account: funds, amountMinor: -locked.amountMinor }, { account: { kind: 'escrow', currency, orderId: locked.orderId }, amountMinor: locked.amountMinor }],
    });
    payment = await movePayment(tx, locked, 'hold', { receivedMinor: received, escrowTransferId: escrow.id });
    await auditPayment(tx, actor, 'settlement.payment_held', payment, auditOf(payment));
    await ctx.events.paid(tx, payment.orderId, receipt.at);
    excess = received - locked.amountMinor;
  } else if (mayMove(locked, 'receive_part')) {
    payment = await movePayment(tx, locked, 'receive_part', { receivedMinor: received });
    excess = 0;
  } else {
    // Money for a payment already complete is all excess.
    payment = (await tx.update(payments).set({ receivedMinor: received, updatedAt: new Date() }).where(eq(payments.id, locked.id)).returning())[0]!;
    excess = receipt.amountMinor;
  }
  if (excess > 0) {
    await orderRefund(ctx, tx, actor, payment, { kind: 'overpayment', amountMinor: excess, reason: 'paid beyond the price', key: `${receipt.key}:excess` });
  }
  return { payment: payment, outstandingMinor: Math.max(0, payment.amountMinor - received), excessMinor: excess };
}
