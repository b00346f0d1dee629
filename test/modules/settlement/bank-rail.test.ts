import t from 'tap';
import { as, buildTestApp, expectProblem } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { bankRef, openPayment, payableOrder, recordReceipt, recordingOrderEvents, releasedBankPayment, tradingParties } from '../../helpers/settlement.js';

t.test('a trade settles end to end on the bank-transfer rail: instructions, partial and over-payment, payout, refund of the excess', async (t) => {
  const recorder = recordingOrderEvents();
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recorder.events });
  const trade = await tradingParties(app);
  t.same(app.settlement.rails(), ['bank_transfer'], 'no Stripe key: the bank rail alone');
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id, { amountMinor: 100_000, feeMinor: 2_500 });

  const { paymentId, instructions } = await openPayment(app, order, 'bank_transfer');
  t.match(instructions, { rail: 'bank_transfer', paymentId, amountMinor: 100_000, currency: 'CNY', reference: /^DX-[0-9A-Z]{4}-[0-9A-Z]{4}-\d{2}$/, payee: { name: 'Test Exchange Ltd', bank: 'Test Bank Chongqing' } });
  if (instructions.rail !== 'bank_transfer') return;
  const again = await app.db.transaction((tx) => app.settlement.openPayment(tx, order, 'bank_transfer'));
  t.equal(again.paymentId, paymentId, 'opening again answers the same payment');

  // The buyer pays part; the operator types the reference in lower case with spaces.
  const typed = instructions.reference.toLowerCase().replaceAll('-', ' ');
  const part = await recordReceipt(app, trade.operator, typed, 60_000);
  t.equal(part.statusCode, 201, part.body);
  t.match(part.json(), { paymentId, status: 'partially_received', receivedMinor: 60_000, outstandingMinor: 40_000, excessMinor: 0 });
  t.same(recorder.calls, [], 'not paid until the whole price is in');
  const awaiting = await as(app, trade.operator, { method: 'GET', url: '/settlement/payments?status=partially_received' });
  t.ok(awaiting.json().items.some((p: { id: string }) => p.id === paymentId), 'the operator sees it waiting for the rest');

  const rest = await recordReceipt(app, trade.operator, instructions.reference, 45_000);
  t.match(rest.json(), { status: 'held', receivedMinor: 105_000, outstandingMinor: 0, excessMinor: 5_000 });
  t.same(recorder.calls, [{ event: 'paid', orderId: order.id }], 'the order is paid once');

  const early = await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: 97_500, currency: 'CNY', bankReference: bankRef() } });
  expectProblem(t, early, 409, 'invalid-state');

  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
  const due = await as(app, trade.operator, { method: 'GET', url: '/settlement/payouts?status=due' });
  t.match(due.json().items, [{ orderId: order.id, amountMinor: 97_500, feeMinor: 2_500, rail: 'bank_transfer', status: 'due' }], 'one payout due, less the fee');

  const wrongAmount = await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: 100_000, currency: 'CNY', bankReference: bankRef() } });
  expectProblem(t, wrongAmount, 422, 'amount-mismatch');
  const paid = await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: 97_500, currency: 'CNY', bankReference: 'CQB-OUT-1' } });
  t.match(paid.json(), { status: 'paid', bankReference: 'CQB-OUT-1', paidAt: /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/ }, 'the payout as the update left it: paid, and when');
  const payoutNow = (await as(app, trade.operator, { method: 'GET', url: `/settlement/payments/${paymentId}` })).json().payout;
  t.same(paid.json(), payoutNow, 'the answer is the stored row, as a later read shows it');
  const twice = await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: 97_500, currency: 'CNY', bankReference: 'CQB-OUT-2' } });
  expectProblem(t, twice, 409, 'invalid-state');

  // The 50 yuan paid too much go back to the buyer, recorded the same way.
  const view = await as(app, trade.buyer, { method: 'GET', url: `/settlement/payments/${paymentId}` });
  t.equal(view.statusCode, 200);
  const [excess] = view.json().refunds;
  t.match(excess, { kind: 'overpayment', amountMinor: 5_000, status: 'due' });
  const refunded = await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${paymentId}/refunds/${excess.id}/bank-transfer`, payload: { amountMinor: 5_000, currency: 'CNY', bankReference: 'CQB-RF-1' } });
  t.match(refunded.json(), { status: 'refunded', bankReference: 'CQB-RF-1', refundedAt: /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/ }, 'the refund as the update left it: refunded, and when');
  t.same(recorder.calls.map((c) => c.event), ['paid', 'paidOut'], 'an over-payment refund is not a refund of the order');

  const summary = await app.settlement.summary(app.db, order.id);
  t.match(summary, { payments: [{ status: 'released', receivedMinor: 105_000 }], payouts: [{ status: 'paid', amountMinor: 97_500 }], refunds: [{ status: 'refunded' }] });
  t.match(summary.balances, { escrow: 0, escrow_held: 0, provider_payable: 0, fee_revenue: 2_500, refunds_payable: 0, bank_clearing: -2_500, buyer_funds: 0 });
  const balances = await as(app, trade.operator, { method: 'GET', url: '/settlement/provider-balances' });
  t.match(balances.json().items, [{ partyId: trade.providerParty.id, currency: 'CNY', payableMinor: 0, paidOutMinor: 97_500 }]);
  await assertLedgerBalances(t, app.db);
});

t.test('bank receipts with a wrong reference, currency or a bank reference used twice change nothing', async (t) => {
  const recorder = recordingOrderEvents();
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recorder.events });
  const trade = await tradingParties(app);
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id);
  const { instructions } = await openPayment(app, order, 'bank_transfer');
  if (instructions.rail !== 'bank_transfer') return;
  const digits = instructions.reference.slice(-2);
  const mistyped = instructions.reference.slice(0, -2) + String((Number(digits) + 1) % 100).padStart(2, '0');
  expectProblem(t, await recordReceipt(app, trade.operator, mistyped, 100_000), 422, 'unknown-payment-reference');
  expectProblem(t, await recordReceipt(app, trade.operator, 'DX-0000-0000-00', 100_000), 422, 'unknown-payment-reference');
  expectProblem(t, await recordReceipt(app, trade.operator, instructions.reference, 100_000, 'USD'), 422, 'amount-mismatch');
  t.equal((await recordReceipt(app, trade.operator, instructions.reference, 10_000, 'CNY', 'CQB-DUP')).statusCode, 201);
  expectProblem(t, await recordReceipt(app, trade.operator, instructions.reference, 90_000, 'CNY', 'CQB-DUP'), 409, 'conflict');
  const buyerTries = await as(app, trade.buyer, { method: 'POST', url: '/settlement/bank-receipts', payload: { reference: instructions.reference, amountMinor: 90_000, currency: 'CNY', bankReference: 'X1' } });
  expectProblem(t, buyerTries, 403, 'forbidden');
  t.same(recorder.calls, [], 'the order is not paid');
  const summary = await app.settlement.summary(app.db, order.id);
  t.match(summary.payments, [{ status: 'partially_received', receivedMinor: 10_000 }]);
  await t.rejects(app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id)), { code: 'invalid-state' }, 'no payout before the money is held');
  await assertLedgerBalances(t, app.db);
});

t.test('a payment is visible to its parties and operators only', async (t) => {
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recordingOrderEvents().events });
  const trade = await tradingParties(app);
  const { paymentId } = await releasedBankPayment(app, trade);
  const stranger = (await tradingParties(app)).buyer;
  expectProblem(t, await as(app, stranger, { method: 'GET', url: `/settlement/payments/${paymentId}` }), 404, 'not-found');
  t.equal((await as(app, trade.provider, { method: 'GET', url: `/settlement/payments/${paymentId}` })).statusCode, 200);
  await assertLedgerBalances(t, app.db);
});
