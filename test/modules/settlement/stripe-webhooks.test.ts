import t from 'tap';
import { as, expectProblem } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { linkProviderAccount, openPayment, paidStripeOrder, payableOrder, stripeTestApp, recordingOrderEvents } from '../../helpers/settlement.js';

t.test('a webhook with a bad signature, or none, is refused and changes nothing', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, settings, recorder, trade } = world;
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id);
  await openPayment(app, order, 'stripe');
  const succeeded = standIn.succeed(standIn.created('payment_intent')[0]!.id);
  const forged = standIn.webhook('whsec_not_the_secret', 'payment_intent.succeeded', succeeded);
  expectProblem(t, await app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: forged.headers, payload: forged.payload }), 400, 'webhook-signature-invalid');
  const signed = standIn.webhook(settings.webhookSecret, 'payment_intent.succeeded', succeeded);
  const tampered = signed.payload.replace('"amount_received":100000', '"amount_received":1');
  expectProblem(t, await app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: signed.headers, payload: tampered }), 400, 'webhook-signature-invalid');
  expectProblem(t, await app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: { 'content-type': 'application/json' }, payload: signed.payload }), 400, 'webhook-signature-invalid');
  t.same(recorder.calls, [], 'nothing happened');
  t.match((await app.settlement.summary(app.db, order.id)).payments, [{ status: 'awaiting_funds', receivedMinor: 0 }]);
  // The right one, byte for byte, is taken.
  const ok = await app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: signed.headers, payload: signed.payload });
  t.same(ok.json(), { received: true, outcome: 'held' });
  await assertLedgerBalances(t, app.db);
});

t.test('a replayed event is processed once', async (t) => {
  const world = await stripeTestApp(t);
  const { app, recorder, standIn, trade, deliver } = world;
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id);
  await openPayment(app, order, 'stripe');
  const succeeded = standIn.succeed(standIn.created('payment_intent')[0]!.id);
  const first = await deliver('payment_intent.succeeded', succeeded, { id: 'evt_replayed' });
  const again = await deliver('payment_intent.succeeded', succeeded, { id: 'evt_replayed' });
  t.same([first.json().outcome, again.json().outcome], ['held', 'duplicate']);
  // The same news in another event (Stripe may send one twice under two ids) moves nothing either.
  t.equal((await deliver('payment_intent.succeeded', succeeded)).statusCode, 200);
  t.same(recorder.calls, [{ event: 'paid', orderId: order.id }], 'paid once');
  t.match((await app.settlement.summary(app.db, order.id)).payments, [{ status: 'held', receivedMinor: 100_000 }]);
  await assertLedgerBalances(t, app.db);
});

t.test('events out of order change nothing for a state already passed', async (t) => {
  const world = await stripeTestApp(t);
  const { app, recorder, trade, deliver } = world;
  const accountId = await linkProviderAccount(world);
  // An older account.updated (payouts disabled) arriving after the newer one is ignored.
  const stale = await deliver('account.updated', { id: accountId, object: 'account', charges_enabled: false, payouts_enabled: false }, { created: Math.floor(Date.now() / 1000) - 3600 });
  t.equal(stale.json().outcome, 'stale');
  t.match((await as(app, trade.provider, { method: 'GET', url: `/settlement/parties/${trade.providerParty.id}/connected-account` })).json(), { payoutsEnabled: true });

  // The charge's success reported again after the order was refunded in full.
  const { order, intentId } = await paidStripeOrder(world);
  await app.db.transaction((tx) => app.settlement.refund(tx, order.id, 100_000, 'dispute decided for the buyer'));
  await app.settlement.runEffects(app.db);
  const late = await deliver('payment_intent.succeeded', { ...world.standIn.objects.get(intentId)! });
  t.equal(late.statusCode, 200);
  t.same(recorder.calls.filter((c) => c.orderId === order.id).map((c) => c.event), ['paid', 'refunded']);
  t.match((await app.settlement.summary(app.db, order.id)).payments, [{ status: 'refunded', receivedMinor: 100_000 }]);
  // A refund.updated for a refund already done changes nothing.
  const refund = world.standIn.created('refund')[0]!;
  t.equal((await deliver('refund.updated', refund)).json().outcome, 'refunded');
  t.same(recorder.calls.filter((c) => c.event === 'refunded').length, 1);
  await assertLedgerBalances(t, app.db);
});

t.test('events for an unknown order, account or of an unknown type are acknowledged and change nothing', async (t) => {
  const world = await stripeTestApp(t);
  const { app, recorder, deliver } = world;
  const unknownOrder = await deliver('payment_intent.succeeded', { id: 'pi_unknown', object: 'payment_intent', amount: 5000, amount_received: 5000, currency: 'cny', metadata: { orderId: 'ORD-X', paymentId: '00000000-0000-4000-8000-000000000000' }, latest_charge: 'ch_x' });
  t.same(unknownOrder.json(), { received: true, outcome: 'unknown_payment' });
  t.same((await deliver('account.updated', { id: 'acct_unknown', object: 'account', payouts_enabled: true })).json(), { received: true, outcome: 'unknown_account' });
  t.same((await deliver('customer.created', { id: 'cus_1', object: 'customer' })).json(), { received: true, outcome: 'ignored' });
  t.same(recorder.calls, []);
  const receipts = await as(app, world.trade.operator, { method: 'GET', url: '/settlement/payments' });
  t.same(receipts.json().items, []);
  await assertLedgerBalances(t, app.db);
});

t.test('without Stripe configured the webhook route says so', async (t) => {
  const { buildTestApp } = await import('../../helpers/app.js');
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recordingOrderEvents().events });
  expectProblem(t, await app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' }, payload: '{}' }), 409, 'rail-unavailable');
  const route = app.routeRules.find((r) => r.url === '/settlement/stripe/webhooks');
  t.match(route, { auth: 'public', access: 'none' }, 'public: Stripe signs instead');
});

t.test('card disputes on an order charge are listed for operators; a late event never reopens a closed one', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, trade, deliver } = world;
  const { order, paymentId } = await paidStripeOrder(world);
  const charge = standIn.created('charge')[0]!;
  const dispute = { id: 'dp_1', object: 'dispute', amount: 100_000, currency: 'cny', charge: charge.id, reason: 'product_not_received', status: 'needs_response', created: 1 };
  t.equal((await deliver('charge.dispute.created', dispute)).json().outcome, 'dispute_needs_response');
  const open = await as(app, trade.operator, { method: 'GET', url: '/settlement/disputes?open=true' });
  t.match(open.json().items, [{ stripeDisputeId: 'dp_1', paymentId, orderId: order.id, amountMinor: 100_000, currency: 'CNY', status: 'needs_response' }]);
  t.equal((await deliver('charge.dispute.closed', { ...dispute, status: 'lost' })).json().outcome, 'dispute_lost');
  t.equal((await deliver('charge.dispute.updated', { ...dispute, status: 'under_review' })).json().outcome, 'stale');
  t.same((await as(app, trade.operator, { method: 'GET', url: '/settlement/disputes?open=true' })).json().items, []);
  t.match((await as(app, trade.operator, { method: 'GET', url: '/settlement/disputes' })).json().items, [{ status: 'lost' }]);
  t.equal((await deliver('charge.dispute.created', { ...dispute, id: 'dp_2', charge: 'ch_elsewhere' })).json().outcome, 'unknown_payment');
  await assertLedgerBalances(t, app.db);
});
