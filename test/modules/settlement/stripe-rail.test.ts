import t from 'tap';
import { STRIPE_API_VERSION } from '../../../src/modules/settlement/stripe-rail.js';
import { as, expectProblem } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { linkProviderAccount, openPayment, paidStripeOrder, payableOrder, stripeTestApp } from '../../helpers/settlement.js';

t.test('a trade settles end to end on Stripe: PaymentIntent, webhook, Transfer drawn on the charge, less the fee', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, recorder, trade } = world;
  t.same(app.settlement.rails(), ['stripe', 'bank_transfer']);
  const accountId = await linkProviderAccount(world);
  const [accountCreation] = standIn.sent('POST', '/v1/accounts');
  t.same(accountCreation!.body, {
    controller: { fees: { payer: 'application' }, losses: { payments: 'application' }, requirement_collection: 'stripe', stripe_dashboard: { type: 'express' } },
    metadata: { partyId: trade.providerParty.id },
    capabilities: { transfers: { requested: 'true' } },
  }, 'the account is configured by controller properties (the platform pays fees and bears losses of its indirect charges), never by the legacy type');
  t.equal(accountCreation!.idempotencyKey, `party:${trade.providerParty.id}:connected-account`);
  t.match(standIn.created('account'), [{ type: 'none', controller: { type: 'application', requirement_collection: 'stripe', stripe_dashboard: { type: 'express' } } }]);
  t.match(standIn.sent('POST', '/v1/account_links'), [{ body: { account: accountId, type: 'account_onboarding' } }]);
  const account = await as(app, trade.provider, { method: 'GET', url: `/settlement/parties/${trade.providerParty.id}/connected-account` });
  t.match(account.json(), { linked: true, stripeAccountId: accountId, chargesEnabled: true, payoutsEnabled: true });

  const { order, paymentId, instructions } = await paidStripeOrder(world, { amountMinor: 100_000, feeMinor: 2_500 });
  t.match(instructions, { rail: 'stripe', paymentId, status: 'ready', clientSecret: /^pi_\w+_secret_/, amountMinor: 100_000, currency: 'CNY' });
  const [create] = standIn.sent('POST', '/v1/payment_intents');
  t.same(create!.body, {
    amount: '100000',
    currency: 'cny',
    description: `Order ${order.number}`,
    metadata: { orderId: order.id, orderNumber: order.number, paymentId },
    transfer_group: order.number,
  }, 'the PaymentIntent carries the order in metadata and transfer_group');
  t.equal(create!.idempotencyKey, `order:${order.id}:payment-intent`);
  t.same(recorder.calls, [{ event: 'paid', orderId: order.id }]);

  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
  await app.settlement.runEffects(app.db);
  const charge = standIn.created('charge')[0]!;
  const [transfer] = standIn.sent('POST', '/v1/transfers');
  t.same(transfer!.body, {
    amount: '97500',
    currency: 'cny',
    destination: accountId,
    source_transaction: charge.id,
    transfer_group: order.number,
    metadata: { orderId: order.id, orderNumber: order.number, payoutId: transfer!.body.metadata && (transfer!.body.metadata as Record<string, string>).payoutId },
  }, 'the provider gets the price less the fee, drawn on this charge');
  t.equal(transfer!.idempotencyKey, `order:${order.id}:transfer`);
  t.same(recorder.calls.map((c) => c.event), ['paid', 'paidOut']);
  const view = await as(app, trade.buyer, { method: 'GET', url: `/settlement/payments/${paymentId}` });
  t.match(view.json(), { status: 'released', payout: { status: 'paid', stripeTransferId: /^tr_/, amountMinor: 97_500, feeMinor: 2_500 } });
  t.match((await app.settlement.summary(app.db, order.id)).balances, { stripe_clearing: -2_500, fee_revenue: 2_500, provider_payable: 0 });
  t.same([...new Set(standIn.requests.map((r) => r.stripeVersion))], [STRIPE_API_VERSION], 'every call speaks the pinned API version, whatever the SDK would default to');
  t.equal(STRIPE_API_VERSION, '2026-10-28.endive', 'the version stripe 23.1 declares as its latest');
  await assertLedgerBalances(t, app.db);
});

t.test('two concurrent pay requests for one order make one PaymentIntent', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, trade } = world;
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id);
  const [a, b] = await Promise.all([openPayment(app, order, 'stripe'), openPayment(app, order, 'stripe')]);
  t.equal(a.paymentId, b.paymentId, 'one payment');
  t.equal(standIn.created('payment_intent').length, 1, 'one PaymentIntent at Stripe');
  const again = await app.settlement.paymentInstructions(app.db, order.id);
  t.match(again, { status: 'ready', clientSecret: standIn.created('payment_intent')[0]!.client_secret });
  await assertLedgerBalances(t, app.db);
});

t.test('a provider with no connected account at payout: held, flagged for operators, paid once linked', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, recorder, trade } = world;
  const { order } = await paidStripeOrder(world);
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
  await app.settlement.runEffects(app.db);
  t.equal(standIn.sent('POST', '/v1/transfers').length, 0, 'nothing sent');
  const held = await as(app, trade.operator, { method: 'GET', url: '/settlement/payouts?status=held' });
  t.match(held.json().items, [{ orderId: order.id, status: 'held', heldReason: 'no_connected_account' }]);
  t.match((await as(app, trade.operator, { method: 'GET', url: '/settlement/provider-balances' })).json().items, [{ partyId: trade.providerParty.id, payableMinor: 97_500, paidOutMinor: 0 }]);

  await linkProviderAccount(world);
  t.equal(standIn.sent('POST', '/v1/transfers').length, 1, 'sent when the account can take payouts');
  t.same(recorder.calls.map((c) => c.event), ['paid', 'paidOut']);
  t.same((await as(app, trade.operator, { method: 'GET', url: '/settlement/payouts?status=held' })).json().items, []);
  await assertLedgerBalances(t, app.db);
});

t.test('a Stripe failure in the middle of a payout pays nothing twice; the retry uses the same key', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, recorder } = world;
  await linkProviderAccount(world);
  const { order } = await paidStripeOrder(world);
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
  // The connection drops twice: the SDK's own retry of a closed connection fails too.
  standIn.failNext({ kind: 'connection' });
  standIn.failNext({ kind: 'connection' });
  t.match(await app.settlement.runEffects(app.db), { done: 0, retried: 1 });
  t.same(recorder.calls.map((c) => c.event), ['paid'], 'not paid out yet');
  t.match((await app.settlement.summary(app.db, order.id)).payouts, [{ status: 'submitted' }]);
  // The worker's next attempt (the back-off is skipped by running the order's effects now).
  t.match(await app.settlement.runEffects(app.db, order.id), { done: 1 });
  const attempts = standIn.sent('POST', '/v1/transfers');
  t.equal(attempts.length, 3, 'three attempts');
  t.same(new Set(attempts.map((a) => a.idempotencyKey)), new Set([`order:${order.id}:transfer`]), 'with one key');
  t.equal(standIn.created('transfer').length, 1, 'one transfer');
  t.same(recorder.calls.map((c) => c.event), ['paid', 'paidOut']);
  t.match(await app.settlement.runEffects(app.db, order.id), { done: 0 }, 'nothing left to do');

  // A refused call (Stripe executed it and said no) is not retried: it is failed for an operator.
  const second = await paidStripeOrder(world);
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, second.order.id));
  standIn.failNext({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'Insufficient funds', code: 'balance_insufficient' });
  t.match(await app.settlement.runEffects(app.db, second.order.id), { failed: 1 });
  t.match((await app.settlement.summary(app.db, second.order.id)).payouts, [{ status: 'submitted' }]);
  await assertLedgerBalances(t, app.db);
});

t.test('refunds: in full before acceptance, in part with the rest paid out, after a payout by reversing the transfer first', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, recorder } = world;
  await linkProviderAccount(world);

  const full = await paidStripeOrder(world, { amountMinor: 100_000, feeMinor: 2_500 });
  await t.rejects(app.db.transaction((tx) => app.settlement.refund(tx, full.order.id, 100_001, 'dispute')), { code: 'refund-exceeds-payment' });
  await app.db.transaction((tx) => app.settlement.refund(tx, full.order.id, 100_000, 'the data was not delivered'));
  await app.db.transaction((tx) => app.settlement.refund(tx, full.order.id, 100_000, 'the data was not delivered'));
  await app.settlement.runEffects(app.db);
  t.match(standIn.sent('POST', '/v1/refunds'), [{ idempotencyKey: `order:${full.order.id}:refund`, body: { payment_intent: full.intentId, amount: '100000', metadata: { orderId: full.order.id } } }]);
  t.same(recorder.calls.filter((c) => c.orderId === full.order.id).map((c) => c.event), ['paid', 'refunded']);
  await t.rejects(app.db.transaction((tx) => app.settlement.releaseToProvider(tx, full.order.id)), { code: 'invalid-state' }, 'nothing left to pay out');

  const part = await paidStripeOrder(world, { amountMinor: 100_000, feeMinor: 2_500 });
  await app.db.transaction((tx) => app.settlement.refund(tx, part.order.id, 30_000, 'half the rows were missing'));
  await app.settlement.runEffects(app.db);
  // The provider receives the rest, 70 000, less the fee on it: 2 500 × 70 000 / 100 000 = 1 750.
  t.match(standIn.sent('POST', '/v1/transfers').at(-1), { body: { amount: '68250' } });
  t.match(standIn.sent('POST', '/v1/refunds').at(-1), { body: { amount: '30000' } });
  t.match(recorder.calls.filter((c) => c.orderId === part.order.id), [{ event: 'paid' }, { event: 'paidOut' }, { event: 'refunded', amountMinor: 30_000 }]);
  t.match((await app.settlement.summary(app.db, part.order.id)).balances, { fee_revenue: 1_750, provider_payable: 0, refunds_payable: 0 });

  const late = await paidStripeOrder(world, { amountMinor: 100_000, feeMinor: 2_500 });
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, late.order.id));
  await app.settlement.runEffects(app.db);
  await app.db.transaction((tx) => app.settlement.refund(tx, late.order.id, 40_000, 'found faulty after acceptance'));
  await app.settlement.runEffects(app.db);
  const transferId = standIn.created('transfer').find((tr) => (tr.metadata as Record<string, string>).orderId === late.order.id)!.id;
  const reversal = standIn.sent('POST', `/v1/transfers/${transferId}/reversals`);
  t.match(reversal, [{ idempotencyKey: `order:${late.order.id}:refund:transfer-reversal`, body: { amount: '40000' } }], 'the transfer is reversed first');
  t.ok(standIn.requests.indexOf(reversal[0]!) < standIn.requests.indexOf(standIn.sent('POST', '/v1/refunds').at(-1)!), 'then the buyer refunded');
  t.match(recorder.calls.filter((c) => c.orderId === late.order.id).map((c) => c.event), ['paid', 'paidOut', 'refunded']);
  await assertLedgerBalances(t, app.db);
});

t.test('without Stripe the rail is refused', async (t) => {
  const world = await stripeTestApp(t);
  const problem = await as(world.app, world.trade.buyer, { method: 'POST', url: `/settlement/parties/${world.trade.providerParty.id}/connected-account` });
  expectProblem(t, problem, 403, 'forbidden');
});
