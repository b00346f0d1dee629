import { and, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { invalidState } from '../../lib/errors.js';
import { enqueueEffect } from '../../lib/outbox.js';
import { systemActor, type AuditActor } from '../audit/events.js';
import type { SettlementContext } from './context.js';
import { recordTransfer, type PostingInput } from './ledger.js';
import { netProviderBalance } from './receivables.js';
import { auditOf, auditPayment, clearingAccount, lockPaymentOfOrder, movePayment, type Payment } from './payment-state.js';
import { connectedAccounts, payouts } from './tables.js';

export type Payout = typeof payouts.$inferSelect;

/**
 * Moves `releasedMinor` of the escrow to the provider, less `feeMinor` to the exchange: the pending
 * escrow transfer is posted for that amount (the rest goes back to the buyer's funds), then split
 * between the provider's payable and the exchange's fee revenue. Makes the payout, less what the
 * provider owes the exchange (receivables.ts), and starts it.
 */
export async function releaseShare(ctx: SettlementContext, tx: Database, payment: Payment, releasedMinor: number, feeMinor: number): Promise<void> {
  const { currency, orderId, rail } = payment;
  const funds = { kind: 'buyer_funds' as const, currency, partyId: payment.buyerPartyId };
  const escrow = { kind: 'escrow' as const, currency, orderId };
  await recordTransfer(tx, {
    key: `order:${orderId}:escrow-post`,
    kind: 'post_pending',
    pendingId: payment.escrowTransferId!,
    orderId,
    rail,
    description: `escrow of ${payment.orderNumber} released`,
    postings: [{ account: funds, amountMinor: -releasedMinor }, { account: escrow, amountMinor: releasedMinor }],
  });
  const net = releasedMinor - feeMinor;
  const split: PostingInput[] = [{ account: escrow, amountMinor: -releasedMinor }];
  if (net > 0) split.push({ account: { kind: 'provider_payable', currency, partyId: payment.providerPartyId }, amountMinor: net });
  if (feeMinor > 0) split.push({ account: { kind: 'fee_revenue', currency }, amountMinor: feeMinor });
  await recordTransfer(tx, { key: `order:${orderId}:release`, kind: 'posted', orderId, rail, description: `provider's share and fee of ${payment.orderNumber}`, postings: split });
  // What the provider owes the exchange (or is owed) from earlier orders is settled with this payout.
  const netted = await netProviderBalance(tx, payment, net);
  const [payout] = await tx
    .insert(payouts)
    .values({ orderId, paymentId: payment.id, providerPartyId: payment.providerPartyId, rail, status: 'due', amountMinor: net - netted, nettedMinor: netted, feeMinor, currency })
    .returning();
  await auditPayment(tx, systemActor(), 'settlement.released', payment, auditOf(payment, { amountMinor: net - netted, feeMinor, nettedMinor: netted }));
  if (net - netted === 0) await confirmPayout(ctx, tx, systemActor(), payout!, { at: new Date() });
  else await startPayout(tx, payout!, payment);
}

/**
 * Stripe: a Transfer to the provider's connected account, drawn on this payment's charge, once the
 * account can take payouts; until then the payout is held and shown to operators. Bank transfer:
 * due, for an operator to pay and record.
 */
export async function startPayout(tx: Database, payout: Payout, payment: Payment): Promise<Payout> {
  if (payout.rail === 'bank_transfer') return payout;
  const [account] = await tx.select().from(connectedAccounts).where(eq(connectedAccounts.partyId, payout.providerPartyId));
  const ready = account?.payoutsEnabled === true && payment.stripeChargeId !== null;
  const [moved] = await tx
    .update(payouts)
    .set({ status: ready ? 'submitted' : 'held', updatedAt: new Date() })
    .where(eq(payouts.id, payout.id))
    .returning();
  if (ready) {
    await enqueueEffect(tx, { operation: 'stripe.create_transfer', idempotencyKey: `order:${payout.orderId}:transfer`, subjectId: payout.orderId, payload: { payoutId: payout.id } });
  }
  return moved!;
}

/** The delivery is accepted (SettlementPort.releaseToProvider): the whole price, less the fee. Once per order. */
export async function releaseToProvider(ctx: SettlementContext, tx: Database, orderId: string): Promise<void> {
  const payment = await lockPaymentOfOrder(tx, orderId);
  const [done] = await tx.select({ id: payouts.id }).from(payouts).where(eq(payouts.orderId, orderId));
  if (done) return;
  // Art. 28(4): the provider is paid only out of money the exchange holds for this order.
  if (payment.status !== 'held') throw invalidState(`nothing to pay out: the payment is ${payment.status}`, { status: payment.status });
  await releaseShare(ctx, tx, payment, payment.amountMinor, payment.feeMinor);
  await movePayment(tx, payment, 'release');
}

/** The provider's share has left the exchange: ledger, payout, order. Once. Answers the payout as it now stands. */
export async function confirmPayout(
  ctx: SettlementContext,
  tx: Database,
  actor: AuditActor,
  payout: Payout,
  proof: { at: Date; stripeTransferId?: string; bankReference?: string },
): Promise<Payout> {
  if (payout.status === 'paid') return payout;
  if (payout.amountMinor > 0) {
    await recordTransfer(tx, {
      key: `payout:${payout.id}:paid`,
      kind: 'posted',
      orderId: payout.orderId,
      rail: payout.rail,
      description: 'provider paid',
      postings: [
        { account: { kind: 'provider_payable', currency: payout.currency, partyId: payout.providerPartyId }, amountMinor: -payout.amountMinor },
        { account: { kind: clearingAccount(payout.rail), currency: payout.currency }, amountMinor: payout.amountMinor },
      ],
    });
  }
  const [paid] = await tx
    .update(payouts)
    .set({ status: 'paid', paidAt: proof.at, stripeTransferId: proof.stripeTransferId ?? null, bankReference: proof.bankReference ?? null, updatedAt: new Date() })
    .where(eq(payouts.id, payout.id))
    .returning();
  const payment = await lockPaymentOfOrder(tx, payout.orderId);
  await auditPayment(tx, actor, 'settlement.payout_paid', payment, auditOf(payment, { amountMinor: payout.amountMinor, feeMinor: payout.feeMinor, stripeId: proof.stripeTransferId ?? null, bankReference: proof.bankReference ?? null }));
  await ctx.events.paidOut(tx, payout.orderId, proof.at);
  return paid!;
}

/** A provider's account can now take payouts: its held Stripe payouts are sent. */
export async function sendHeldPayouts(tx: Database, partyId: string): Promise<string[]> {
  const held = await tx.select().from(payouts).where(and(eq(payouts.providerPartyId, partyId), eq(payouts.status, 'held'), eq(payouts.rail, 'stripe'))).for('update');
  const sent: string[] = [];
  for (const payout of held) {
    const payment = await lockPaymentOfOrder(tx, payout.orderId);
    if ((await startPayout(tx, payout, payment)).status === 'submitted') sent.push(payout.orderId);
  }
  return sent;
}
