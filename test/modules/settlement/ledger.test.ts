import { randomInt, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { recordingOrderEvents } from '../../helpers/settlement.js';
import { rowsOf } from '../../../src/lib/database.js';
import { accountBalances, recordTransfer, type TransferInput } from '../../../src/modules/settlement/ledger.js';
import { feeOnReleased, newBankReference, normaliseBankReference } from '../../../src/modules/settlement/money.js';
import { buildTestApp } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';

const cny = (kind: 'bank_clearing' | 'fee_revenue' | 'escrow', amountMinor: number, orderId?: string) => ({ account: { kind, currency: 'CNY', ...(orderId ? { orderId } : {}) }, amountMinor });

t.test('the database refuses an unbalanced transfer, a changed or deleted posting, and a second resolution of a pending transfer', async (t) => {
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recordingOrderEvents().events });
  const orderId = randomUUID();
  const transfer = (over: Partial<TransferInput>): TransferInput => ({ key: randomUUID(), kind: 'posted', orderId, rail: 'bank_transfer', description: 'test', postings: [], ...over });

  await t.rejects(app.db.transaction((tx) => recordTransfer(tx, transfer({ postings: [cny('bank_clearing', -100), cny('fee_revenue', 99)] }))), /sum to -1 CNY/, 'code refuses it');
  // Past the code, straight into the tables: the deferred trigger refuses it at commit.
  const [account] = rowsOf<{ id: string }>(await app.db.execute(sql`insert into settlement_ledger_accounts (key, kind, currency) values ('fee_revenue:exchange:CNY', 'fee_revenue', 'CNY') returning id`));
  await t.rejects(
    app.db.transaction(async (tx) => {
      const [row] = rowsOf<{ id: string }>(await tx.execute(sql`insert into settlement_ledger_transfers (key, kind, description) values ('raw', 'posted', 'raw') returning id`));
      await tx.execute(sql`insert into settlement_ledger_postings (transfer_id, account_id, amount_minor, currency) values (${row!.id}, ${account!.id}, 5, 'CNY')`);
    }),
    /does not balance/,
  );
  const pending = await app.db.transaction((tx) => recordTransfer(tx, transfer({ kind: 'pending', postings: [cny('bank_clearing', -1000), cny('escrow', 1000, orderId)] })));
  await t.rejects(app.db.execute(sql`update settlement_ledger_postings set amount_minor = 1`), { cause: { message: /append-only: UPDATE refused/ } });
  await t.rejects(app.db.execute(sql`delete from settlement_ledger_transfers`), { cause: { message: /append-only: DELETE refused/ } });
  await t.rejects(
    app.db.transaction((tx) => recordTransfer(tx, transfer({ kind: 'post_pending', pendingId: pending.id, postings: [cny('bank_clearing', -1001), cny('escrow', 1001, orderId)] }))),
    /exceeds what transfer/,
    'no posting beyond what was held',
  );
  await app.db.transaction((tx) => recordTransfer(tx, transfer({ kind: 'post_pending', pendingId: pending.id, postings: [cny('bank_clearing', -600), cny('escrow', 600, orderId)] })));
  await t.rejects(app.db.transaction((tx) => recordTransfer(tx, transfer({ kind: 'void_pending', pendingId: pending.id }))), { code: 'invalid-state' }, 'resolved at most once');
  const same = await app.db.transaction((tx) => recordTransfer(tx, transfer({ key: 'once', postings: [cny('bank_clearing', -5), cny('fee_revenue', 5)] })));
  const again = await app.db.transaction((tx) => recordTransfer(tx, transfer({ key: 'once', postings: [cny('bank_clearing', -5), cny('fee_revenue', 5)] })));
  t.same([same.created, again.created, again.id], [true, false, same.id], 'a step recorded twice is recorded once');
  const escrow = (await accountBalances(app.db, { orderId })).find((b) => b.kind === 'escrow');
  t.match(escrow, { postedMinor: 600, pendingMinor: 0 }, 'posted 600 of 1000; the rest released, nothing pending');
  await app.db.transaction((tx) => recordTransfer(tx, transfer({ postings: [cny('escrow', -600, orderId), cny('fee_revenue', 600)] })));
  await assertLedgerBalances(t, app.db);
});

t.test('the fee on a partial release: pro rata, rounded half up', async (t) => {
  t.equal(feeOnReleased(2_500, 100_000, 70_000), 1_750);
  t.equal(feeOnReleased(2_500, 100_000, 100_000), 2_500);
  t.equal(feeOnReleased(2_500, 100_000, 0), 0);
  t.equal(feeOnReleased(333, 1_000, 500), 167, '166.5 rounds up');
  t.equal(feeOnReleased(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 1), 1, 'exact for the largest amounts');
});

t.test('bank references are checked when typed back', async (t) => {
  for (let i = 0; i < 2000; i++) {
    const reference = newBankReference(randomInt);
    t.equal(normaliseBankReference(reference.toLowerCase().replaceAll('-', ' ')), reference);
    const body = reference.slice(3, 7);
    const swapped = `DX-${body[1]}${body[0]}${body.slice(2)}${reference.slice(7)}`;
    if (body[0] !== body[1]) t.equal(normaliseBankReference(swapped), null, 'a transposition is caught');
  }
  t.equal(normaliseBankReference('DX-0O00-0000-00'.replace('O', 'O')), normaliseBankReference('DX-0000-0000-00'), 'O reads as 0');
  t.equal(normaliseBankReference('not a reference'), null);
});
