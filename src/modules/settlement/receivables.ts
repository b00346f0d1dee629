import type { Database } from '../../lib/database.js';
import { lockedBalance, recordTransfer, type AccountRef } from './ledger.js';
import type { Payment } from './payment-state.js';

/**
 * A provider's account with the exchange outside any one order: what it owes back when money it
 * was paid had to go back to the buyer (a dispute decided after its payout, a chargeback the
 * provider bears). Negative while the provider owes; positive when the exchange owes it (a dispute
 * won after the debt was already netted). Either way it is settled with the provider's next payout,
 * or the provider repays by bank transfer and an operator records it.
 */
export const receivableOf = (partyId: string, currency: string): AccountRef => ({ kind: 'provider_receivable', currency, partyId });

/**
 * Sets the provider's balance with the exchange off against the share `shareMinor` it is about to be
 * paid for an order: a debt is withheld (up to the share), a credit is added. Returns what was
 * netted (positive: withheld), for the payout to carry the rest. The receivable's row is locked, so
 * two payouts made at once never withhold one debt twice.
 */
export async function netProviderBalance(tx: Database, payment: Payment, shareMinor: number): Promise<number> {
  const receivable = receivableOf(payment.providerPartyId, payment.currency);
  const balance = await lockedBalance(tx, receivable);
  const netted = balance < 0 ? Math.min(shareMinor, -balance) : -balance;
  if (netted === 0) return 0;
  await recordTransfer(tx, {
    key: `order:${payment.orderId}:netting`,
    kind: 'posted',
    orderId: payment.orderId,
    rail: payment.rail,
    description: netted > 0 ? `provider's debt withheld from the payout of ${payment.orderNumber}` : `provider's credit added to the payout of ${payment.orderNumber}`,
    postings: [
      { account: { kind: 'provider_payable', currency: payment.currency, partyId: payment.providerPartyId }, amountMinor: -netted },
      { account: receivable, amountMinor: netted },
    ],
  });
  return netted;
}
