import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { invalidState } from '../../lib/errors.js';
import { enqueueEffect, withdrawEffect } from '../../lib/outbox.js';
import { systemActor, type AuditActor } from '../audit/events.js';
import { isPartySuspended } from '../identity/service.js';
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

const transferKey = (orderId: string) => `order:${orderId}:transfer`;

/**
 * Sends the provider its share, or holds it. Art. 28(4): nothing goes to a provider the exchange
 * has suspended; the payout is held until it is reinstated (`holdPayouts`, `sendHeldPayouts`). The
 * share lock on the party makes a suspension that commits meanwhile wait for this transaction, and
 * then hold what it started. Stripe: a Transfer to the provider's connected account, drawn on this
 * payment's charge, once the account can take payouts; until then the payout is held and shown to
 * operators. Bank transfer: due, for an operator to pay and record.
 */
export async function startPayout(tx: Database, payout: Payout, payment: Payment): Promise<Payout> {
  const suspended = await isPartySuspended(tx, payout.providerPartyId, { lock: true });
  let ready = false;
  if (payout.rail === 'stripe') {
    const [account] = await tx.select().from(connectedAccounts).where(eq(connectedAccounts.partyId, payout.providerPartyId));
    ready = !suspended && account?.payoutsEnabled === true && payment.stripeChargeId !== null;
  }
  const status = suspended ? 'held' : payout.rail === 'bank_transfer' ? 'due' : ready ? 'submitted' : 'held';
  if (status === payout.status) return payout;
  const [moved] = await tx.update(payouts).set({ status, updatedAt: new Date() }).where(eq(payouts.id, payout.id)).returning();
  if (status === 'submitted') {
    await enqueueEffect(tx, { operation: 'stripe.create_transfer', idempotencyKey: transferKey(payout.orderId), subjectId: payout.orderId, payload: { payoutId: payout.id } });
  }
  return moved!;
}

/**
 * The provider is suspended (in the suspension's transaction): what it is due waits. Bank payouts
 * due are held; a Stripe transfer not attempted yet is taken back from the outbox and held. One
 * already attempted may have reached Stripe and goes on with its key (lib/outbox.ts).
 */
export async function holdPayouts(tx: Database, partyId: string): Promise<void> {
  // The outbox row first, then the payout, in the order the outbox worker locks them.
  const open = await tx.select().from(payouts).where(and(eq(payouts.providerPartyId, partyId), inArray(payouts.status, ['due', 'submitted'])));
  for (const payout of open) {
    if (payout.status === 'submitted' && !(await withdrawEffect(tx, transferKey(payout.orderId)))) continue;
    // Only as it was read: a bank payout recorded meanwhile stays paid.
    await tx.update(payouts).set({ status: 'held', updatedAt: new Date() }).where(and(eq(payouts.id, payout.id), eq(payouts.status, payout.status)));
  }
}

/** The delivery is accepted (SettlementPort.releaseToProvider): the whole price, less the fee. Once per order. */
export async function releaseToProvider(ctx: SettlementContext, tx: Database, orderId: string): Promise<void> {
  const payment = await lockPaymentOfOrder(tx, orderId);
  const [done] = await tx.select({ id: payouts.id }).from(payouts).where(eq(payouts.orderId, orderId));
  if (done) return;
  // Art. 28(4): the provider is paid only out of money the exchange holds for this order.
  if (payment.status !== 'held') throw invalidState({ en: `nothing to pay out: the payment is ${payment.status}`, zh: `无可付款项：付款状态为 ${payment.status}` }, { status: payment.status });
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

/**
 * What may now go out to a provider does: after its reinstatement, and when its Stripe account can
 * take payouts. Each held payout starts again (startPayout holds it still if it must wait); answers
 * the orders whose Stripe transfer is now submitted, for the caller to run.
 */
export async function sendHeldPayouts(tx: Database, partyId: string): Promise<string[]> {
  const held = await tx.select().from(payouts).where(and(eq(payouts.providerPartyId, partyId), eq(payouts.status, 'held'))).for('update');
  const sent: string[] = [];
  for (const payout of held) {
    const payment = await lockPaymentOfOrder(tx, payout.orderId);
    if ((await startPayout(tx, payout, payment)).status === 'submitted') sent.push(payout.orderId);
  }
  return sent;
}
