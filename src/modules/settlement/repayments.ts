import type { Database } from '../../lib/database.js';
import { AppError, invalidState } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/events.js';
import { lockParty } from '../identity/service.js';
import { assertBankReferenceUnused, type BankLine } from './bank-rail.js';
import { lockedBalance, recordTransfer } from './ledger.js';
import { receivableOf } from './receivables.js';
import { providerRepayments } from './tables.js';

export type ProviderRepayment = typeof providerRepayments.$inferSelect;

export const repaymentView = (r: ProviderRepayment, owedMinor: number) => ({
  id: r.id,
  providerPartyId: r.providerPartyId,
  amountMinor: r.amountMinor,
  currency: r.currency,
  bankReference: r.bankReference,
  stillOwedMinor: owedMinor,
  createdAt: r.createdAt.toISOString(),
});

/**
 * An operator records the bank transfer by which a provider paid back what it owed the exchange: at
 * most what it owes in that currency, each bank reference once. The ledger moves it from the bank
 * into the provider's receivable.
 */
export async function recordProviderRepayment(
  db: Database,
  actor: AuditActor,
  partyId: string,
  line: BankLine,
) {
  return db.transaction(async (tx) => {
    // An unknown party is 404; two repayments at once meet on the receivable's row (lockedBalance) and cannot both fit the debt.
    await lockParty(tx, partyId);
    const owed = -(await lockedBalance(tx, receivableOf(partyId, line.currency)));
    if (owed <= 0) throw invalidState({ en: `the provider owes the exchange nothing in ${line.currency}`, zh: `提供方不欠交易所任何 ${line.currency} 款项` }, { owedMinor: Math.max(0, owed), currency: line.currency });
    if (line.amountMinor > owed) {
      throw new AppError('amount-mismatch', { en: `the provider owes ${owed} ${line.currency}`, zh: `提供方欠付 ${owed} ${line.currency}` }, { amountMinor: owed, currency: line.currency });
    }
    await assertBankReferenceUnused(tx, line.bankReference);
    const [row] = await tx
      .insert(providerRepayments)
      .values({ providerPartyId: partyId, amountMinor: line.amountMinor, currency: line.currency, bankReference: line.bankReference, recordedBy: actor.userId! })
      .returning();
    await recordTransfer(tx, {
      key: `repayment:${row!.id}:received`,
      kind: 'posted',
      orderId: null,
      rail: 'bank_transfer',
      description: 'provider repaid what it owed the exchange',
      postings: [
        { account: { kind: 'bank_clearing', currency: line.currency }, amountMinor: -line.amountMinor },
        { account: receivableOf(partyId, line.currency), amountMinor: line.amountMinor },
      ],
    });
    await appendAudit(tx, actor, {
      action: 'settlement.repayment_received',
      subject: { type: 'party', id: partyId },
      payload: { partyId, amountMinor: line.amountMinor, currency: line.currency, bankReference: line.bankReference, stillOwedMinor: owed - line.amountMinor },
    });
    return repaymentView(row!, owed - line.amountMinor);
  });
}
