import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openDatabase } from '../../../src/lib/database.js';
import { recordTransfer } from '../../../src/modules/settlement/ledger.js';
import { as, buildTestApp, expectProblem } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { releasedBankPayment, tradingParties, recordingOrderEvents } from '../../helpers/settlement.js';
import { runTs } from '../../helpers/spawn.js';

t.test('reconciliation finds nothing when ledger and rails agree, and every planted mismatch otherwise', async (t) => {
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recordingOrderEvents().events });
  const trade = await tradingParties(app);
  const from = new Date(Date.now() - 60_000).toISOString();
  const { order, paymentId } = await releasedBankPayment(app, trade);
  const paid = await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: 97_500, currency: 'CNY', bankReference: 'CQB-OUT-R1' } });
  t.equal(paid.statusCode, 200);
  const report = () => as(app, trade.operator, { method: 'GET', url: `/settlement/reconciliation?from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}` });
  const clean = await report();
  t.match(clean.json(), { checked: { payments: 1, payouts: 1, refunds: 0 }, mismatches: [] }, 'nothing differs');

  // Planted: a bank credit in the ledger that no bank receipt backs, and ledger money for an order no rail knows.
  await app.db.transaction((tx) =>
    recordTransfer(tx, {
      key: 'bank:PLANTED:received',
      kind: 'posted',
      orderId: order.id,
      rail: 'bank_transfer',
      description: 'planted',
      postings: [{ account: { kind: 'bank_clearing', currency: 'CNY' }, amountMinor: -500 }, { account: { kind: 'buyer_funds', currency: 'CNY', partyId: trade.buyerParty.id }, amountMinor: 500 }],
    }),
  );
  const stray = randomUUID();
  await app.db.transaction((tx) =>
    recordTransfer(tx, {
      key: `bank:STRAY:received`,
      kind: 'posted',
      orderId: stray,
      rail: 'bank_transfer',
      description: 'planted',
      postings: [{ account: { kind: 'bank_clearing', currency: 'CNY' }, amountMinor: -700 }, { account: { kind: 'fee_revenue', currency: 'CNY' }, amountMinor: 700 }],
    }),
  );
  const found = (await report()).json();
  t.match(found.mismatches, [
    { kind: 'amount', record: 'payment', recordId: paymentId, orderId: order.id, ledgerMinor: 100_500, railMinor: 100_000 },
    { kind: 'missing_on_rail', record: 'payment', orderId: stray, ledgerMinor: 700, railMinor: null },
  ]);
  t.equal(found.mismatches.length, 2, 'and nothing else');
  expectProblem(t, await as(app, trade.operator, { method: 'GET', url: `/settlement/reconciliation?from=${from}&to=${from}` }), 400, 'validation-failed');
  expectProblem(t, await as(app, trade.buyer, { method: 'GET', url: `/settlement/reconciliation?from=${from}&to=${from}` }), 403, 'forbidden');
  await assertLedgerBalances(t, app.db);
});

t.test('npm run settlement:reconcile reports on the embedded database and exits 1 on a mismatch', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-reconcile-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const script = (args: string[] = []) => runTs('scripts/settlement-reconcile.ts', args, { DATA_DIR: dataDir });
  const empty = await script(['--last-hours', '1']);
  t.equal(empty.code, 0, empty.stderr);
  t.match(empty.stdout, /0 payments, 0 payouts, 0 refunds checked, 0 mismatches/);

  const database = await openDatabase({ dataDir });
  const orderId = randomUUID();
  await database.db.transaction((tx) =>
    recordTransfer(tx, {
      key: 'bank:CLI:received',
      kind: 'posted',
      orderId,
      rail: 'bank_transfer',
      description: 'planted',
      postings: [{ account: { kind: 'bank_clearing', currency: 'CNY' }, amountMinor: -900 }, { account: { kind: 'fee_revenue', currency: 'CNY' }, amountMinor: 900 }],
    }),
  );
  await database.close();
  const found = await script(['--last-hours', '1', '--json']);
  t.equal(found.code, 1, found.stderr);
  t.match(JSON.parse(found.stdout), { mismatches: [{ kind: 'missing_on_rail', orderId, ledgerMinor: 900 }] });
  const bad = await script(['--from', 'yesterday']);
  t.equal(bad.code, 2);
});
