import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Database } from '../../lib/database.js';
import { systemActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import type { SettlementContext } from './context.js';
import { recordTransfer, type AccountRef, type PostingInput } from './ledger.js';
import { auditOf, type Payment } from './payment-state.js';
import { receivableOf } from './receivables.js';
import { ledgerAccounts, ledgerPostings, ledgerTransfers } from './tables.js';

/**
 * Chargebacks in the ledger. When the buyer's bank disputes a card payment, Stripe takes the
 * disputed amount and its dispute fee from the exchange's balance (a balance transaction on the
 * dispute, `reporting_category: dispute`); when the exchange wins, it gives the amount back (and
 * often the fee: `dispute_reversal`). Each of the two movements is one ledger transfer, keyed by the
 * dispute's id, posted from the dispute's own balance transactions whichever event brings them:
 *
 *   Stripe clearing: fee − amount (money left, or came back)
 *   the bearer:      amount (negative when taken): the exchange's chargeback losses, or the
 *                    provider's receivable, netted from its next payouts (SETTLEMENT_CHARGEBACKS_BORNE_BY)
 *   chargeback losses: −fee (Stripe's dispute fee is always the exchange's)
 *
 * A reinstatement goes back to whoever bore the withdrawal, whatever the setting says by then.
 */

export type ChargebackDirection = 'withdrawn' | 'reinstated';

export const chargebackKey = (disputeId: string, direction: ChargebackDirection) => `dispute:${disputeId}:${direction}`;

interface DisputeMovement {
  amount: number;
  fee: number;
  currency: string;
}

/** The dispute's balance transactions as movements of money: taken (amount < 0) and given back. */
export function disputeMovements(dispute: Pick<Stripe.Dispute, 'balance_transactions'>): Map<ChargebackDirection, DisputeMovement> {
  const moves = new Map<ChargebackDirection, DisputeMovement>();
  for (const bt of dispute.balance_transactions ?? []) {
    if (typeof bt !== 'object' || bt === null || !Number.isSafeInteger(bt.amount) || bt.amount === 0) continue;
    const direction = bt.amount < 0 ? 'withdrawn' : 'reinstated';
    // Stripe takes a dispute's money once and gives it back at most once; a second of a kind is the same movement.
    if (!moves.has(direction)) moves.set(direction, { amount: bt.amount, fee: Number.isSafeInteger(bt.fee) ? bt.fee : 0, currency: bt.currency.toUpperCase() });
  }
  return moves;
}

/** Who bore a dispute's withdrawal, from its ledger transfer: the provider when its receivable was charged. */
async function bearerOfWithdrawal(tx: Database, disputeId: string): Promise<'exchange' | 'provider' | null> {
  const kinds = await tx
    .select({ kind: ledgerAccounts.kind })
    .from(ledgerTransfers)
    .innerJoin(ledgerPostings, eq(ledgerPostings.transferId, ledgerTransfers.id))
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerPostings.accountId))
    .where(eq(ledgerTransfers.key, chargebackKey(disputeId, 'withdrawn')));
  if (kinds.length === 0) return null;
  return kinds.some((k) => k.kind === 'provider_receivable') ? 'provider' : 'exchange';
}

/** Postings with one line per account: the exchange bearing the amount and the fee has one losses line. */
function merged(postings: PostingInput[]): PostingInput[] {
  const byAccount = new Map<string, PostingInput>();
  for (const p of postings) {
    const key = `${p.account.kind}:${p.account.partyId ?? ''}`;
    const seen = byAccount.get(key);
    byAccount.set(key, seen ? { account: seen.account, amountMinor: seen.amountMinor + p.amountMinor } : p);
  }
  return [...byAccount.values()].filter((p) => p.amountMinor !== 0);
}

/**
 * Posts what the dispute's balance transactions moved and the ledger does not have yet. Returns the
 * movements posted now: none when an earlier event (or a replay) already brought them. Called with
 * the payment's row locked.
 */
export async function postChargebackMoney(ctx: SettlementContext, tx: Database, payment: Payment, dispute: Stripe.Dispute): Promise<ChargebackDirection[]> {
  const posted: ChargebackDirection[] = [];
  const moves = disputeMovements(dispute);
  for (const direction of ['withdrawn', 'reinstated'] as const) {
    const move = moves.get(direction);
    if (!move) continue;
    if (move.currency !== payment.currency) {
      ctx.log.error({ dispute: dispute.id, currency: move.currency }, 'a dispute moved money in another currency than the order; left for the operator (reconciliation lists it)');
      continue;
    }
    const borneBy = (direction === 'reinstated' ? await bearerOfWithdrawal(tx, dispute.id) : null) ?? ctx.config.chargebacksBorneBy;
    const losses: AccountRef = { kind: 'chargeback_losses', currency: payment.currency };
    const bearer = borneBy === 'provider' ? receivableOf(payment.providerPartyId, payment.currency) : losses;
    const transfer = await recordTransfer(tx, {
      key: chargebackKey(dispute.id, direction),
      kind: 'posted',
      orderId: payment.orderId,
      rail: 'stripe',
      description: direction === 'withdrawn' ? `chargeback on ${payment.orderNumber}: Stripe took the disputed amount` : `dispute on ${payment.orderNumber} won: Stripe gave the amount back`,
      postings: merged([
        { account: { kind: 'stripe_clearing', currency: payment.currency }, amountMinor: move.fee - move.amount },
        { account: bearer, amountMinor: move.amount },
        { account: losses, amountMinor: -move.fee },
      ]),
    });
    if (!transfer.created) continue;
    posted.push(direction);
    await appendAudit(tx, systemActor(), {
      action: 'settlement.chargeback',
      subject: { type: 'payment', id: payment.id },
      payload: { ...auditOf(payment, { amountMinor: Math.abs(move.amount), stripeId: dispute.id, reason: dispute.reason }), stripeDisputeId: dispute.id, borneBy, direction, disputeFeeMinor: move.fee },
      parties: [payment.buyerPartyId, payment.providerPartyId],
    });
  }
  return posted;
}
