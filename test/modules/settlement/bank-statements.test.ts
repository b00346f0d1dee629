import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { rowsOf } from '../../../src/lib/database.js';
import { newBankReference } from '../../../src/modules/settlement/money.js';
import { as, buildTestApp, expectProblem, type TestUser } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { bankRef, openPayment, payableOrder, recordReceipt, recordingOrderEvents, statementCsv, tradingParties, uploadStatement, type Trade } from '../../helpers/settlement.js';

const fixture = (name: string, values: Record<string, string>) =>
  readFileSync(new URL(`../../fixtures/bank-statements/${name}`, import.meta.url), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? `{{${key}}}`);

async function bankPayment(app: FastifyInstance, trade: Trade, amountMinor = 100_000) {
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id, { amountMinor, feeMinor: 2_500 });
  const { paymentId, instructions } = await openPayment(app, order, 'bank_transfer');
  if (instructions.rail !== 'bank_transfer') throw new Error('expected the bank rail');
  return { order, paymentId, reference: instructions.reference };
}

const payment = async (app: FastifyInstance, operator: TestUser, id: string) => (await as(app, operator, { method: 'GET', url: `/settlement/payments/${id}` })).json();
const count = async (app: FastifyInstance, query: ReturnType<typeof sql>) => Number(rowsOf<{ n: string | number }>(await app.db.execute(query))[0]!.n);
const ledgerTransfers = (app: FastifyInstance) => count(app, sql`select count(*) as n from settlement_ledger_transfers`);
const auditCount = (app: FastifyInstance, action: string) => count(app, sql`select count(*) as n from audit_events where action = ${action}`);

t.test('a camt.053 statement: credits matched by reference in any spelling and posted once, the rest resolved or dismissed by an operator', async (t) => {
  const recorder = recordingOrderEvents();
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recorder.events });
  const trade = await tradingParties(app);
  const a = await bankPayment(app, trade);
  const b = await bankPayment(app, trade);
  const run = bankRef('CAMT');
  const xml = fixture('camt053.xml', {
    RUN: run,
    // Typed in lower case with spaces for hyphens; and compact, without hyphens, as an end-to-end id.
    PAYMENT_A: a.reference.toLowerCase().replaceAll('-', ' '),
    PAYMENT_B: b.reference.replaceAll('-', ''),
    PAYMENT_UNKNOWN: newBankReference(randomInt),
  });

  const imported = await uploadStatement(app, trade.operator, xml, 'application/xml');
  t.equal(imported.statusCode, 201, imported.body);
  const body = imported.json();
  t.match(body.statement, { format: 'camt053', statementId: `STMT-${run}`, account: '6222000011112222', currency: 'CNY', openingBalanceMinor: 0, closingBalanceMinor: 207_500, closingDate: '2026-11-30', lineCount: 4 });
  t.match(body.lines, [
    { bankReference: `${run}-0001`, direction: 'credit', amountMinor: 100_000, status: 'posted', paymentId: a.paymentId, paymentReference: a.reference, known: false },
    { bankReference: `${run}-0002`, direction: 'credit', amountMinor: 60_000, status: 'posted', paymentId: b.paymentId, paymentReference: b.reference, known: false },
    { bankReference: `${run}-0003`, direction: 'credit', amountMinor: 50_000, status: 'unmatched', unmatchedReason: 'unknown_reference', paymentId: null },
    { bankReference: `${run}-0004`, direction: 'debit', amountMinor: 2_500, status: 'unmatched', unmatchedReason: 'debit', remittance: '手续费' },
  ]);
  t.match(await payment(app, trade.operator, a.paymentId), { status: 'held', receivedMinor: 100_000 });
  // Under-payment: as a receipt, the rest stays outstanding.
  t.match(await payment(app, trade.operator, b.paymentId), { status: 'partially_received', receivedMinor: 60_000, outstandingMinor: 40_000 });
  t.same(recorder.calls, [{ event: 'paid', orderId: a.order.id }], 'only the order paid in full is paid');
  t.equal(await auditCount(app, 'settlement.bank_statement_imported'), 1);
  t.equal(await auditCount(app, 'settlement.funds_received'), 2, 'each posting audited as a receipt');

  const reconciliation = await as(app, trade.operator, { method: 'GET', url: `/settlement/bank-statements/${body.statement.id}/reconciliation` });
  t.match(reconciliation.json(), {
    closingBalanceMinor: 207_500,
    creditsMinor: 210_000,
    debitsMinor: 2_500,
    statementBalances: true,
    ledgerBalanceMinor: 160_000,
    differenceMinor: 47_500,
    unmatched: { lines: 2, creditsMinor: 50_000, debitsMinor: 2_500 },
  }, 'the difference is what is still unmatched: 500 in, 25 out');

  // The same statement again changes nothing and says every line was known.
  const transfers = await ledgerTransfers(app);
  const again = await uploadStatement(app, trade.operator, xml, 'application/xml');
  t.equal(again.statusCode, 200, again.body);
  t.match(again.json(), { created: false, statement: { id: body.statement.id } });
  t.same(again.json().lines.map((l: { known: boolean }) => l.known), [true, true, true, true]);
  t.equal(await ledgerTransfers(app), transfers, 'no ledger transfer added');
  t.equal(await auditCount(app, 'settlement.bank_statement_imported'), 1, 'no second import recorded');

  const waiting = await as(app, trade.operator, { method: 'GET', url: '/settlement/bank-statement-lines?status=unmatched' });
  t.same(waiting.json().items.map((l: { bankReference: string }) => l.bankReference).sort(), [`${run}-0003`, `${run}-0004`], 'the unmatched lines are listed');
  const [unknown, fee] = [body.lines[2], body.lines[3]];
  const line = (l: { id: string }, action: string) => `/settlement/bank-statements/${body.statement.id}/lines/${l.id}/${action}`;

  expectProblem(t, await as(app, trade.operator, { method: 'POST', url: line(fee, 'resolution'), payload: { reference: b.reference } }), 409, 'invalid-state');
  expectProblem(t, await as(app, trade.operator, { method: 'POST', url: line(unknown, 'resolution'), payload: { reference: 'DX-0000-0000-00' } }), 422, 'unknown-payment-reference');
  // The operator names payment B: 600 + 500 is 100 beyond its price, refunded as an over-payment.
  const resolved = await as(app, trade.operator, { method: 'POST', url: line(unknown, 'resolution'), payload: { reference: b.reference.toLowerCase() } });
  t.equal(resolved.statusCode, 200, resolved.body);
  t.match(resolved.json(), { line: { status: 'resolved', paymentId: b.paymentId, paymentReference: b.reference, resolvedBy: trade.operator.id }, receipt: { status: 'held', receivedMinor: 110_000, outstandingMinor: 0, excessMinor: 10_000 } });
  t.match((await payment(app, trade.operator, b.paymentId)).refunds, [{ kind: 'overpayment', amountMinor: 10_000, status: 'due' }]);
  expectProblem(t, await as(app, trade.operator, { method: 'POST', url: line(unknown, 'resolution'), payload: { reference: b.reference } }), 409, 'invalid-state');

  const dismissed = await as(app, trade.operator, { method: 'POST', url: line(fee, 'dismissal'), payload: { reason: '银行手续费 (bank fee)' } });
  t.match(dismissed.json(), { status: 'dismissed', dismissalReason: '银行手续费 (bank fee)' });
  expectProblem(t, await as(app, trade.operator, { method: 'POST', url: line(fee, 'dismissal'), payload: { reason: 'again' } }), 409, 'invalid-state');
  t.equal(await auditCount(app, 'settlement.bank_line_resolved'), 1);
  t.equal(await auditCount(app, 'settlement.bank_line_dismissed'), 1);

  const after = (await as(app, trade.operator, { method: 'GET', url: `/settlement/bank-statements/${body.statement.id}/reconciliation` })).json();
  t.match(after, { ledgerBalanceMinor: 210_000, differenceMinor: -2_500, unmatched: { lines: 0 }, dismissed: { lines: 1, netMinor: -2_500 } }, 'what remains is the fee the operator dismissed');
  const detail = await as(app, trade.operator, { method: 'GET', url: `/settlement/bank-statements/${body.statement.id}` });
  t.same(detail.json().lines.map((l: { status: string }) => l.status), ['posted', 'posted', 'resolved', 'dismissed']);
  await assertLedgerBalances(t, app.db);
});

t.test('a CSV export with the banks’ Chinese columns, and one laid out otherwise with its columns named in the query', async (t) => {
  const recorder = recordingOrderEvents();
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recorder.events });
  const trade = await tradingParties(app);
  const c = await bankPayment(app, trade);
  const d = await bankPayment(app, trade);
  const run = bankRef('CSV');
  // C's reference with its hyphens moved and the case mixed; D's on its own in the postscript.
  const cTyped = `Dx-${c.reference.slice(3, 7)} ${c.reference.slice(8, 12).toLowerCase()}${c.reference.slice(-3)}`;
  const csv = fixture('statement.csv', { RUN: run, PAYMENT_C: cTyped, PAYMENT_D: d.reference });

  const imported = await uploadStatement(app, trade.operator, csv, 'text/csv; charset=utf-8');
  t.equal(imported.statusCode, 201, imported.body);
  const body = imported.json();
  t.match(body.statement, { format: 'csv', currency: 'CNY', openingBalanceMinor: 0, closingBalanceMinor: 165_000, closingDate: '2026-12-01', lineCount: 4 });
  t.match(body.lines, [
    { amountMinor: 105_000, direction: 'credit', status: 'posted', paymentId: c.paymentId, bookingDate: '2026-12-01', remittance: `转账 合同款 ${cTyped} 谢谢` },
    { amountMinor: 30_000, status: 'unmatched', unmatchedReason: 'no_reference' },
    { amountMinor: 10_000, direction: 'debit', status: 'unmatched', unmatchedReason: 'debit' },
    { amountMinor: 40_000, status: 'posted', paymentId: d.paymentId },
  ]);
  // Over-payment: held, and the 50 yuan beyond the price go back to the buyer.
  const paidC = await payment(app, trade.operator, c.paymentId);
  t.match(paidC, { status: 'held', receivedMinor: 105_000 });
  t.match(paidC.refunds, [{ kind: 'overpayment', amountMinor: 5_000, status: 'due' }]);
  t.match(await payment(app, trade.operator, d.paymentId), { status: 'partially_received', receivedMinor: 40_000, outstandingMinor: 60_000 });
  const again = await uploadStatement(app, trade.operator, csv, 'text/csv');
  t.match(again.json(), { created: false, lines: [{ known: true }, { known: true }, { known: true }, { known: true }] }, 'the same export again: nothing new');
  t.equal(again.statusCode, 200);

  // Another bank's layout: the mapping names its columns. Its first line was typed by hand already.
  const e = await bankPayment(app, trade);
  const typedByHand = bankRef('HAND');
  t.equal((await recordReceipt(app, trade.operator, e.reference, 20_000, 'CNY', typedByHand)).statusCode, 201);
  const other = ['Date;In;Out;Memo;Ref', `2026-12-02;200.00;;${e.reference};${typedByHand}`, `2026-12-02;800.00;;order ${e.reference.toLowerCase()};${bankRef('OTHER')}`].join('\n').replaceAll(';', ',');
  const query = '?date=Date&credit=In&debit=Out&remittance=Memo&bankReference=Ref&balance=Balance&account=CQB-01';
  const mapped = await uploadStatement(app, trade.operator, other, 'text/csv', query);
  t.equal(mapped.statusCode, 201, mapped.body);
  t.match(mapped.json(), { statement: { account: 'CQB-01', closingBalanceMinor: null }, lines: [{ status: 'accounted', paymentId: e.paymentId }, { status: 'posted', paymentId: e.paymentId }] });
  t.match(await payment(app, trade.operator, e.paymentId), { status: 'held', receivedMinor: 100_000 }, 'the line typed by hand is not posted again');
  // A GBK export, as many mainland banks still write them.
  const gbk = readFileSync(new URL('../../fixtures/bank-statements/statement-gbk.csv', import.meta.url));
  expectProblem(t, await uploadStatement(app, trade.operator, gbk, 'text/csv'), 400, 'statement-invalid');
  const decoded = await uploadStatement(app, trade.operator, gbk, 'text/csv', '?encoding=gb18030');
  t.match(decoded.json(), { created: true, lines: [{ remittance: '转账 无参考号的汇款', amountMinor: 8_800, status: 'unmatched', unmatchedReason: 'no_reference' }] }, 'read with encoding=gb18030');
  const noBalance = await as(app, trade.operator, { method: 'GET', url: `/settlement/bank-statements/${mapped.json().statement.id}/reconciliation` });
  t.match(noBalance.json(), { closingBalanceMinor: null, differenceMinor: null, statementBalances: null });
  await assertLedgerBalances(t, app.db);
});

t.test('a statement that cannot be read is a 400 problem that says where, and changes nothing', async (t) => {
  const app = await buildTestApp(t);
  const trade = await tradingParties(app);
  const camt = fixture('camt053.xml', { RUN: bankRef('BAD'), PAYMENT_A: 'x', PAYMENT_B: 'y', PAYMENT_UNKNOWN: 'z' });
  const cases: [string, string | Buffer, string, RegExp][] = [
    ['not well-formed XML', camt.replace('</Stmt>', ''), 'application/xml', /not well-formed XML \(line \d+/],
    ['a DOCTYPE', `<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><Document/>`, 'application/xml', /no DOCTYPE/],
    ['another message', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>', 'text/xml', /not a camt\.053 statement/],
    ['an amount with three decimals', camt.replace('1000.00', '1000.001'), 'application/xml', /Ntry\[1\]\/Amt: 1000\.001 has more decimals than CNY/],
    ['neither credit nor debit', camt.replace('<CdtDbtInd>DBIT</CdtDbtInd>', '<CdtDbtInd>X</CdtDbtInd>'), 'application/xml', /Ntry\[4\]\/CdtDbtInd/],
    ['an entry without a bank reference', camt.replace(/<AcctSvcrRef>[^<]*-0002<\/AcctSvcrRef>/, ''), 'application/xml', /Ntry\[2\]\/AcctSvcrRef/],
    ['two entries under one bank reference', camt.replace(/-0002<\/AcctSvcrRef>/, '-0001</AcctSvcrRef>'), 'application/xml', /Ntry\[2\]: the bank reference .*-0001 is also that of .*Ntry\[1\]/],
    ['a CSV without the mapped columns', 'station,riders\n解放碑,12000\n', 'text/csv', /no column "交易日期"/],
    ['a CSV amount that is not one', statementCsv([{ creditMinor: 100 }]).replace('1.00', '1.0O'), 'text/csv', /not an amount/],
    ['a CSV date that is not one', statementCsv([{ creditMinor: 100, date: '2026-02-30' }]), 'text/csv', /not a date/],
    ['a CSV line with both credit and debit', statementCsv([{ creditMinor: 100, debitMinor: 100 }]), 'text/csv', /not both/],
    ['a CSV with a broken quote', '交易日期,贷方发生额\n"2026-12-01,1.00\n', 'text/csv', /not a CSV file/],
    ['GBK bytes sent as UTF-8', Buffer.from([0xbd, 0xbb, 0xd2, 0xd7, 0x0a]), 'text/csv', /encoding=gb18030/],
  ];
  for (const [what, payload, type, detail] of cases) {
    const res = await uploadStatement(app, trade.operator, payload, type);
    const problem = expectProblem(t, res, 400, 'statement-invalid');
    t.match(problem.detail, detail, what);
  }
  expectProblem(t, await uploadStatement(app, trade.operator, '{}', 'application/json'), 415, 'unsupported-media-type');
  t.equal(await count(app, sql`select count(*) as n from settlement_bank_statements`), 0, 'nothing imported');
  t.equal(await count(app, sql`select count(*) as n from settlement_bank_statement_lines`), 0);
});

t.test('only operators import or resolve statements', async (t) => {
  const app = await buildTestApp(t);
  const trade = await tradingParties(app);
  const csv = statementCsv([{ creditMinor: 100 }]);
  expectProblem(t, await uploadStatement(app, trade.buyer, csv), 403, 'forbidden');
  expectProblem(t, await uploadStatement(app, trade.provider, csv), 403, 'forbidden');
  expectProblem(t, await uploadStatement(app, null as never, csv), 401, 'unauthenticated');
  expectProblem(t, await as(app, trade.buyer, { method: 'GET', url: '/settlement/bank-statement-lines' }), 403, 'forbidden');
});

t.test('concurrent imports of one statement post it once', async (t) => {
  const recorder = recordingOrderEvents();
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recorder.events });
  const trade = await tradingParties(app);
  const p = await bankPayment(app, trade);
  const csv = statementCsv([{ creditMinor: 100_000, postscript: p.reference, balanceMinor: 100_000 }, { creditMinor: 100, postscript: 'no reference' }]);
  const answers = await Promise.all([1, 2, 3, 4].map(() => uploadStatement(app, trade.operator, csv)));
  t.same(answers.map((r) => r.statusCode).sort(), [200, 200, 200, 201], answers.map((r) => r.body.slice(0, 200)).join('\n'));
  t.equal(new Set(answers.map((r) => r.json().statement.id)).size, 1, 'one statement');
  t.match(await payment(app, trade.operator, p.paymentId), { status: 'held', receivedMinor: 100_000 });
  t.same(recorder.calls, [{ event: 'paid', orderId: p.order.id }], 'paid once');
  t.equal(await count(app, sql`select count(*) as n from settlement_bank_receipts`), 1, 'one receipt');
  await assertLedgerBalances(t, app.db);
});
