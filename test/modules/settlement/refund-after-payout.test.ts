import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { as, buildTestApp, expectProblem } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import {
  bankRef,
  linkProviderAccount,
  openPayment,
  paidStripeOrder,
  payableOrder,
  recordingOrderEvents,
  recordReceipt,
  releasedBankPayment,
  stripeTestApp,
  tradingParties,
  type Trade,
} from '../../helpers/settlement.js';

/** A bank payment released and its payout recorded: the provider has been paid 97 500. */
async function paidOutBankPayment(app: FastifyInstance, trade: Trade) {
  const released = await releasedBankPayment(app, trade, { amountMinor: 100_000, feeMinor: 2_500 });
  const paid = await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${released.paymentId}/payout/bank-transfer`, payload: { amountMinor: 97_500, currency: 'CNY', bankReference: bankRef('OUT') } });
  if (paid.statusCode !== 200) throw new Error(`payout: ${paid.body}`);
  return released;
}

const refundAfterPayout = (app: FastifyInstance, trade: Trade, paymentId: string, amountMinor: number, currency = 'CNY') =>
  as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${paymentId}/refunds`, payload: { amountMinor, currency, reason: '仲裁裁定：交付数据与约定不符' } });

const owedByProvider = async (app: FastifyInstance, trade: Trade) =>
  (await as(app, trade.operator, { method: 'GET', url: '/settlement/provider-balances' })).json().items.find((b: { partyId: string }) => b.partyId === trade.providerParty.id)?.owedByProviderMinor;

async function reconciliation(t: Test, app: FastifyInstance, trade: Trade) {
  const from = new Date(Date.now() - 600_000).toISOString();
  const res = await as(app, trade.operator, { method: 'GET', url: `/settlement/reconciliation?from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}` });
  t.equal(res.statusCode, 200, res.body);
  return res.json();
}

t.test('a dispute decided after the bank payout: the buyer is refunded, the provider owes it back, netted from its next payout', async (t) => {
  const recorder = recordingOrderEvents();
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recorder.events });
  const trade = await tradingParties(app);
  const { order, paymentId } = await paidOutBankPayment(app, trade);

  const ordered = await refundAfterPayout(app, trade, paymentId, 40_000);
  t.equal(ordered.statusCode, 201, ordered.body);
  t.match(ordered.json(), { orderId: order.id, paymentId, kind: 'dispute', rail: 'bank_transfer', status: 'due', amountMinor: 40_000 });
  t.equal(await owedByProvider(app, trade), 40_000, 'the provider owes what it was paid for the refunded part');
  const recorded = await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${paymentId}/refunds/${ordered.json().id}/bank-transfer`, payload: { amountMinor: 40_000, currency: 'CNY', bankReference: bankRef('RF') } });
  t.match(recorded.json(), { status: 'refunded' });
  t.match(recorder.calls.filter((c) => c.orderId === order.id), [{ event: 'paid' }, { event: 'paidOut' }, { event: 'refunded', amountMinor: 40_000 }]);
  t.match((await app.settlement.summary(app.db, order.id)).balances, { buyer_funds: 0, refunds_payable: 0, provider_receivable: -40_000, fee_revenue: 2_500, bank_clearing: -100_000 + 97_500 + 40_000 });

  // The provider's next sale: 97 500 due, 40 000 of it withheld.
  const next = await releasedBankPayment(app, trade, { amountMinor: 100_000, feeMinor: 2_500 });
  const payout = (await as(app, trade.operator, { method: 'GET', url: `/settlement/payments/${next.paymentId}` })).json().payout;
  t.match(payout, { status: 'due', amountMinor: 57_500, nettedMinor: 40_000, feeMinor: 2_500 });
  expectProblem(t, await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${next.paymentId}/payout/bank-transfer`, payload: { amountMinor: 97_500, currency: 'CNY', bankReference: bankRef('OUT') } }), 422, 'amount-mismatch');
  t.equal((await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${next.paymentId}/payout/bank-transfer`, payload: { amountMinor: 57_500, currency: 'CNY', bankReference: bankRef('OUT') } })).statusCode, 200);
  t.equal(await owedByProvider(app, trade), 0);

  t.match(await reconciliation(t, app, trade), { checked: { payments: 2, payouts: 2, refunds: 1 }, mismatches: [] });
  await assertLedgerBalances(t, app.db);
});

t.test('a full refund after the payout, repaid by the provider by bank transfer the operator records', async (t) => {
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recordingOrderEvents().events });
  const trade = await tradingParties(app);
  const { order, paymentId } = await paidOutBankPayment(app, trade);
  // Two operators at once: one refund.
  const [a, b] = await Promise.all([refundAfterPayout(app, trade, paymentId, 100_000), refundAfterPayout(app, trade, paymentId, 100_000)]);
  t.same([a.statusCode, b.statusCode].sort(), [201, 409]);
  // 97 500 from the provider, 2 500 (the fee) from the exchange.
  t.equal(await owedByProvider(app, trade), 97_500);
  t.match((await app.settlement.summary(app.db, order.id)).balances, { fee_revenue: 0, provider_receivable: -97_500 });

  const repay = (amountMinor: number, bankReference = bankRef('BACK'), currency = 'CNY') =>
    as(app, trade.operator, { method: 'POST', url: `/settlement/parties/${trade.providerParty.id}/repayments`, payload: { amountMinor, currency, bankReference } });
  const first = await repay(50_000, 'CQB-BACK-1');
  t.equal(first.statusCode, 201, first.body);
  t.match(first.json(), { providerPartyId: trade.providerParty.id, amountMinor: 50_000, currency: 'CNY', bankReference: 'CQB-BACK-1', stillOwedMinor: 47_500 });
  expectProblem(t, await repay(10_000, 'CQB-BACK-1'), 409, 'conflict');
  expectProblem(t, await repay(47_501), 422, 'amount-mismatch');
  expectProblem(t, await repay(47_500, bankRef(), 'USD'), 409, 'invalid-state');
  expectProblem(t, await as(app, trade.provider, { method: 'POST', url: `/settlement/parties/${trade.providerParty.id}/repayments`, payload: { amountMinor: 1, currency: 'CNY', bankReference: bankRef() } }), 403, 'forbidden');
  // The rest twice at once: recorded once.
  const racing = await Promise.all([repay(47_500), repay(47_500)]);
  t.same(racing.map((r) => r.statusCode).sort(), [201, 409]);
  t.equal(await owedByProvider(app, trade), 0);
  expectProblem(t, await repay(1), 409, 'invalid-state');

  const refund = (await as(app, trade.operator, { method: 'GET', url: `/settlement/payments/${paymentId}` })).json().refunds[0];
  await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${paymentId}/refunds/${refund.id}/bank-transfer`, payload: { amountMinor: 100_000, currency: 'CNY', bankReference: bankRef('RF') } });
  t.match(await reconciliation(t, app, trade), { checked: { repayments: 2, refunds: 1 }, mismatches: [] });
  await assertLedgerBalances(t, app.db);
});

t.test('a refund after the payout is refused while the money is held, twice, in another currency or beyond the price', async (t) => {
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recordingOrderEvents().events });
  const trade = await tradingParties(app);
  const held = payableOrder(trade.buyerParty.id, trade.providerParty.id);
  const { paymentId: heldId, instructions } = await openPayment(app, held, 'bank_transfer');
  if (instructions.rail !== 'bank_transfer') throw new Error('bank instructions expected');
  await recordReceipt(app, trade.operator, instructions.reference, held.amountMinor);
  expectProblem(t, await refundAfterPayout(app, trade, heldId, 1_000), 409, 'invalid-state');

  const { paymentId } = await paidOutBankPayment(app, trade);
  expectProblem(t, await refundAfterPayout(app, trade, paymentId, 1_000, 'USD'), 422, 'amount-mismatch');
  expectProblem(t, await refundAfterPayout(app, trade, paymentId, 100_001), 422, 'refund-exceeds-payment');
  expectProblem(t, await as(app, trade.buyer, { method: 'POST', url: `/settlement/payments/${paymentId}/refunds`, payload: { amountMinor: 1_000, currency: 'CNY', reason: 'x' } }), 403, 'forbidden');
  expectProblem(t, await refundAfterPayout(app, trade, '00000000-0000-4000-8000-000000000000', 1_000), 404, 'not-found');
  t.equal((await refundAfterPayout(app, trade, paymentId, 1_000)).statusCode, 201);
  expectProblem(t, await refundAfterPayout(app, trade, paymentId, 1_000), 409, 'conflict');
  await assertLedgerBalances(t, app.db);
});

t.test('on Stripe the transfer is reversed as far as it carried the share; what was withheld for an earlier debt is owed again', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, trade } = world;
  await linkProviderAccount(world);
  // An earlier debt of 40 000 (a refund after a bank payout), withheld from the next Stripe payout.
  const { paymentId: bankPaymentId } = await paidOutBankPayment(app, trade);
  t.equal((await refundAfterPayout(app, trade, bankPaymentId, 40_000)).statusCode, 201);
  const card = await paidStripeOrder(world, { amountMinor: 100_000, feeMinor: 2_500 });
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, card.order.id));
  await app.settlement.runEffects(app.db);
  t.match(standIn.sent('POST', '/v1/transfers'), [{ body: { amount: '57500' } }], '97 500 less the 40 000 owed');
  t.equal(await owedByProvider(app, trade), 0);

  const refunded = await refundAfterPayout(app, trade, card.paymentId, 97_500);
  t.equal(refunded.statusCode, 201, refunded.body);
  t.match(refunded.json(), { rail: 'stripe', status: 'refunded', stripeRefundId: /^re_/ }, 'sent to Stripe at once');
  const transferId = standIn.created('transfer')[0]!.id;
  t.match(standIn.sent('POST', `/v1/transfers/${transferId}/reversals`), [{ body: { amount: '57500' } }], 'the transfer reversed in full');
  t.match(standIn.sent('POST', '/v1/refunds'), [{ body: { amount: '97500' } }]);
  t.equal(await owedByProvider(app, trade), 40_000, 'the part withheld for the old debt is owed again');
  t.match(await reconciliation(t, app, trade), { mismatches: [] });
  await assertLedgerBalances(t, app.db);
});
