import t from 'tap';
import { as, buildTestApp, expectProblem } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { openPayment, payableOrder, recordReceipt, releasedBankPayment, tradingParties, recordingOrderEvents } from '../../helpers/settlement.js';

t.test('operator lists are cursor-paginated, newest first, and filtered', async (t) => {
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recordingOrderEvents().events });
  const trade = await tradingParties(app);
  const opened: string[] = [];
  for (let i = 0; i < 3; i++) opened.push((await openPayment(app, payableOrder(trade.buyerParty.id, trade.providerParty.id), 'bank_transfer')).paymentId);
  const released = await releasedBankPayment(app, trade);
  // Refused after release on the bank rail while the payout is due: the operator pays it first.
  await t.rejects(app.db.transaction((tx) => app.settlement.refund(tx, released.order.id, 1_000, 'too late')), { code: 'invalid-state' });
  const disputed = payableOrder(trade.buyerParty.id, trade.providerParty.id);
  const { instructions } = await openPayment(app, disputed, 'bank_transfer');
  if (instructions.rail !== 'bank_transfer') return;
  await recordReceipt(app, trade.operator, instructions.reference, disputed.amountMinor);
  await app.db.transaction((tx) => app.settlement.refund(tx, disputed.id, 1_000, 'partly disputed'));
  const list = (url: string) => as(app, trade.operator, { method: 'GET', url });

  const first = (await list('/settlement/payments?status=awaiting_funds&limit=2')).json();
  t.equal(first.items.length, 2);
  t.type(first.next, 'string');
  const second = (await list(`/settlement/payments?status=awaiting_funds&limit=2&cursor=${first.next}`)).json();
  t.same([...first.items, ...second.items].map((p: { id: string }) => p.id), [...opened].reverse(), 'every waiting payment once, newest first');
  t.equal(second.next, null);
  expectProblem(t, await list('/settlement/payments?cursor=bm90LWEtY3Vyc29y'), 400, 'validation-failed');

  const payouts = (await list('/settlement/payouts?limit=1')).json();
  t.match(payouts.items, [{ orderId: disputed.id, status: 'due', amountMinor: 99_000 - 2_475 }], 'the rest less the fee on it (2 500 × 99 000 / 100 000)');
  t.match((await list(`/settlement/payouts?limit=1&cursor=${payouts.next}`)).json(), { items: [{ orderId: released.order.id }], next: null });
  t.equal((await list(`/settlement/payouts?cursor=${Buffer.from(JSON.stringify({ createdAt: new Date().toISOString(), id: released.paymentId })).toString('base64url')}`)).statusCode, 200);
  t.match((await list('/settlement/refunds?kind=dispute')).json().items, [{ kind: 'dispute', amountMinor: 1_000, status: 'due' }]);
  t.same((await list('/settlement/refunds?kind=overpayment')).json().items, []);
  const balances = (await list('/settlement/provider-balances?limit=1')).json();
  t.match(balances, { items: [{ partyId: trade.providerParty.id, payableMinor: 97_500 + 96_525 }], next: null });
  expectProblem(t, await as(app, trade.provider, { method: 'GET', url: '/settlement/payouts' }), 403, 'forbidden');
  await assertLedgerBalances(t, app.db);
});
