import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, conflict, invalidState, notFound } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import type { SettlementContext } from './context.js';
import { normaliseBankReference } from './money.js';
import { fundsReceived } from './payments.js';
import { type Payment } from './payment-state.js';
import { confirmPayout } from './payouts.js';
import { confirmRefund } from './refunds.js';
import { bankReceipts, payments, payouts, providerRepayments, refunds } from './tables.js';

/**
 * The bank-transfer rail, for public bodies and large buyers: the buyer transfers the price to the
 * exchange's account quoting the payment's reference; an operator records each credit as the bank
 * reported it, and each payout and refund the exchange sent, with the bank's own reference.
 */

export interface BankLine {
  amountMinor: number;
  currency: string;
  /** The bank's reference of the credit or debit on the exchange's account: recorded once. */
  bankReference: string;
}

export interface ReceiptOutcome {
  paymentId: string;
  orderId: string;
  status: Payment['status'];
  receivedMinor: number;
  /** Still to be paid by the buyer (the rest is requested). */
  outstandingMinor: number;
  /** Paid beyond the price: refunded to the buyer. */
  excessMinor: number;
}

export async function assertBankReferenceUnused(tx: Database, bankReference: string) {
  const [used] = await tx.select({ id: bankReceipts.id }).from(bankReceipts).where(eq(bankReceipts.bankReference, bankReference));
  const [paidOut] = await tx.select({ id: payouts.id }).from(payouts).where(eq(payouts.bankReference, bankReference));
  const [refunded] = await tx.select({ id: refunds.id }).from(refunds).where(eq(refunds.bankReference, bankReference));
  const [repaid] = await tx.select({ id: providerRepayments.id }).from(providerRepayments).where(eq(providerRepayments.bankReference, bankReference));
  if (used || paidOut || refunded || repaid) throw conflict({ en: 'that bank reference is already recorded', zh: '该银行流水号已经记录' }, { bankReference });
}

/** An operator records a credit on the exchange's account for the payment whose reference it quotes. */
export async function recordBankReceipt(ctx: SettlementContext, db: Database, actor: AuditActor, input: BankLine & { reference: string }): Promise<ReceiptOutcome> {
  return db.transaction((tx) => receiveBankCredit(ctx, tx, actor, input));
}

/**
 * A credit on the exchange's account posted to the payment whose reference it quotes, in the
 * caller's transaction: the one way bank money reaches a payment, whether an operator typed the
 * receipt or a statement line was matched (bank-statements.ts). Each bank reference once.
 */
export async function receiveBankCredit(ctx: SettlementContext, tx: Database, actor: AuditActor, input: BankLine & { reference: string }): Promise<ReceiptOutcome> {
  const reference = normaliseBankReference(input.reference);
  if (!reference) throw new AppError('unknown-payment-reference', { en: 'that is not a payment reference of this exchange (check the characters and the two check digits)', zh: '这不是本交易所的付款参考号（请检查其字符和两位校验码）' });
  const [payment] = await tx.select().from(payments).where(eq(payments.reference, reference)).for('update');
  if (!payment) throw new AppError('unknown-payment-reference', { en: `no payment has the reference ${reference}`, zh: `没有参考号为 ${reference} 的付款` });
  if (input.currency !== payment.currency) throw new AppError('amount-mismatch', { en: `the payment is in ${payment.currency}`, zh: `该付款的币种为 ${payment.currency}` }, { currency: payment.currency });
  await assertBankReferenceUnused(tx, input.bankReference);
  await tx.insert(bankReceipts).values({ paymentId: payment.id, amountMinor: input.amountMinor, currency: input.currency, bankReference: input.bankReference, recordedBy: actor.userId! });
  const result = await fundsReceived(ctx, tx, actor, payment, { key: `bank:${input.bankReference}:received`, amountMinor: input.amountMinor, at: new Date(), bankReference: input.bankReference });
  return {
    paymentId: payment.id,
    orderId: payment.orderId,
    status: result.payment.status,
    receivedMinor: result.payment.receivedMinor,
    outstandingMinor: result.outstandingMinor,
    excessMinor: result.excessMinor,
  };
}

/** An operator records the transfer that paid the provider's share of the payment's order. */
export async function recordBankPayout(ctx: SettlementContext, db: Database, actor: AuditActor, paymentId: string, line: BankLine) {
  return db.transaction(async (tx) => {
    const [payout] = await tx.select().from(payouts).where(eq(payouts.paymentId, paymentId)).for('update');
    // Art. 28(4): no payout exists before the delivery is accepted (or a dispute decided).
    if (!payout) throw invalidState({ en: 'nothing is due to the provider yet: the delivery is not accepted', zh: '尚无应付提供方的款项：交付尚未验收' });
    if (payout.rail !== 'bank_transfer') throw invalidState({ en: 'this payout goes through Stripe', zh: '该笔向提供方的付款通过 Stripe 进行' });
    if (payout.status === 'paid') throw invalidState({ en: 'the payout is already recorded', zh: '该笔向提供方的付款已经记录' }, { bankReference: payout.bankReference });
    // Art. 28(4): held while the exchange has suspended the provider (payouts.ts); due again on reinstatement.
    if (payout.status === 'held') throw invalidState({ en: 'the payout is held while the provider is suspended: do not send it; it is due again once the provider is reinstated', zh: '提供方被暂停期间暂缓向其付款：请勿汇出；提供方恢复后该款项重新到期' }, { payoutStatus: payout.status });
    if (line.amountMinor !== payout.amountMinor || line.currency !== payout.currency) {
      throw new AppError('amount-mismatch', { en: `the provider is due ${payout.amountMinor} ${payout.currency}`, zh: `应付提供方 ${payout.amountMinor} ${payout.currency}` }, { amountMinor: payout.amountMinor, currency: payout.currency });
    }
    await assertBankReferenceUnused(tx, line.bankReference);
    // The row as the update left it (status, paidAt, bankReference), not as it was read before.
    return confirmPayout(ctx, tx, actor, payout, { at: new Date(), bankReference: line.bankReference });
  });
}

/** An operator records the transfer that paid a refund back to the buyer. */
export async function recordBankRefund(ctx: SettlementContext, db: Database, actor: AuditActor, paymentId: string, refundId: string, line: BankLine) {
  return db.transaction(async (tx) => {
    const [refund] = await tx.select().from(refunds).where(eq(refunds.id, refundId)).for('update');
    if (!refund || refund.paymentId !== paymentId) throw notFound({ en: 'refund', zh: '退款' });
    if (refund.rail !== 'bank_transfer') throw invalidState({ en: 'this refund goes through Stripe', zh: '该笔退款通过 Stripe 进行' });
    if (refund.status === 'refunded') throw invalidState({ en: 'the refund is already recorded', zh: '该笔退款已经记录' }, { bankReference: refund.bankReference });
    if (line.amountMinor !== refund.amountMinor || line.currency !== refund.currency) {
      throw new AppError('amount-mismatch', { en: `the buyer is owed ${refund.amountMinor} ${refund.currency}`, zh: `应退买方 ${refund.amountMinor} ${refund.currency}` }, { amountMinor: refund.amountMinor, currency: refund.currency });
    }
    await assertBankReferenceUnused(tx, line.bankReference);
    return confirmRefund(ctx, tx, actor, refund, { at: new Date(), bankReference: line.bankReference });
  });
}
