import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { rowsOf, type Database } from '../../src/lib/database.js';

/**
 * The ledger's invariants, checked from the database after every test that moves money:
 * every transfer sums to zero per currency, so the whole ledger does; each posting is in its
 * account's currency; a pending transfer is resolved at most once, and a posting of it moves no
 * more than it held; no escrow is left posted (released money leaves escrow in the same step).
 */
export async function assertLedgerBalances(t: Test, db: Database): Promise<void> {
  const unbalanced = rowsOf<{ key: string; currency: string; total: string }>(
    await db.execute(sql`select t.key, p.currency, sum(p.amount_minor)::text as total
      from settlement_ledger_postings p join settlement_ledger_transfers t on t.id = p.transfer_id
      group by t.key, p.currency having sum(p.amount_minor) <> 0`),
  );
  t.same(unbalanced, [], 'every ledger transfer sums to zero in each currency');
  const wrongCurrency = rowsOf<{ id: string }>(
    await db.execute(sql`select p.id from settlement_ledger_postings p join settlement_ledger_accounts a on a.id = p.account_id where a.currency <> p.currency`),
  );
  t.same(wrongCurrency, [], 'every posting is in its account currency');
  const resolvedTwice = rowsOf<{ pending_id: string }>(
    await db.execute(sql`select pending_id from settlement_ledger_transfers where pending_id is not null group by pending_id having count(*) > 1`),
  );
  t.same(resolvedTwice, [], 'each pending transfer is posted or voided at most once');
  const overPosted = rowsOf<{ key: string }>(
    await db.execute(sql`select r.key from settlement_ledger_transfers r
      join settlement_ledger_postings rp on rp.transfer_id = r.id
      join settlement_ledger_postings pp on pp.transfer_id = r.pending_id and pp.account_id = rp.account_id
      where r.kind = 'post_pending' and abs(rp.amount_minor) > abs(pp.amount_minor)`),
  );
  t.same(overPosted, [], 'no posting of a pending transfer moves more than it held');
  const escrowLeft = rowsOf<{ key: string; balance: string }>(
    await db.execute(sql`select a.key, sum(p.amount_minor)::text as balance from settlement_ledger_postings p
      join settlement_ledger_accounts a on a.id = p.account_id join settlement_ledger_transfers t on t.id = p.transfer_id
      where a.kind = 'escrow' and t.kind in ('posted', 'post_pending') group by a.key having sum(p.amount_minor) <> 0`),
  );
  t.same(escrowLeft, [], 'released escrow leaves no posted balance behind');
}
