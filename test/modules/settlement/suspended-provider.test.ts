// Art. 28(4), issue 18: nothing is paid out to a provider the exchange has suspended. Its payouts
// are held (on both rails, whether due before the suspension or released during it) and go out once
// it is reinstated; a Stripe transfer already attempted may have reached Stripe and is let finish.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { as, buildTestApp, expectProblem, type TestUser } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import {
  bankRef, linkProviderAccount, openPayment, paidStripeOrder, payableOrder, recordReceipt, recordingOrderEvents, releasedBankPayment, stripeTestApp, tradingParties,
} from '../../helpers/settlement.js';

const setStanding = (app: FastifyInstance, operator: TestUser, partyId: string, suspend: boolean) =>
  as(app, operator, { method: 'POST', url: `/parties/${partyId}/${suspend ? 'suspension' : 'reinstatement'}`, payload: { reason: suspend ? '涉嫌虚假交易，暂停结算' : '核查完毕，恢复结算' } });

const payoutsOf = async (app: FastifyInstance, operator: TestUser, status: string) =>
  (await as(app, operator, { method: 'GET', url: `/settlement/payouts?status=${status}` })).json<{ items: { orderId: string; status: string; heldReason: string | null }[] }>().items;

t.test('bank transfer: payouts due are held while the provider is suspended, and are due again once it is reinstated', async (t) => {
  // Settlement alone: trading's side of the port only records what it is told.
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recordingOrderEvents().events });
  const trade = await tradingParties(app);
  const { operator, providerParty } = trade;
  const before = await releasedBankPayment(app, trade);
  t.match(await payoutsOf(app, operator, 'due'), [{ orderId: before.order.id }]);

  // Paid before the suspension, released (the delivery accepted) during it.
  const during = payableOrder(trade.buyerParty.id, providerParty.id);
  const { paymentId: duringPaymentId, instructions } = await openPayment(app, during, 'bank_transfer');
  t.equal((await recordReceipt(app, operator, (instructions as { reference: string }).reference, during.amountMinor)).statusCode, 201);

  t.equal((await setStanding(app, operator, providerParty.id, true)).statusCode, 200);
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, during.id));
  t.same(await payoutsOf(app, operator, 'due'), [], 'nothing is due to a suspended provider');
  t.match(
    (await payoutsOf(app, operator, 'held')).sort((x, y) => x.orderId.localeCompare(y.orderId)),
    [before.order.id, during.id].sort().map((orderId) => ({ orderId, status: 'held', heldReason: 'provider_suspended' })),
  );
  const record = (paymentId: string) =>
    as(app, operator, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: 97_500, currency: 'CNY', bankReference: bankRef('OUT') } });
  t.match(expectProblem(t, await record(before.paymentId), 409, 'invalid-state'), { payoutStatus: 'held' });

  t.equal((await setStanding(app, operator, providerParty.id, false)).statusCode, 200);
  t.same(await payoutsOf(app, operator, 'held'), []);
  t.equal((await payoutsOf(app, operator, 'due')).length, 2, 'both due again');
  t.equal((await record(before.paymentId)).statusCode, 200);
  t.equal((await record(duringPaymentId)).statusCode, 200);
  await assertLedgerBalances(t, app.db);
});

t.test('Stripe: transfers not yet attempted are taken back and held, and sent once on reinstatement', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, recorder, trade } = world;
  await linkProviderAccount(world);
  const releaseOf = async (order: { id: string }) => {
    await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
    return order;
  };
  const release = async () => releaseOf((await paidStripeOrder(world)).order);
  // Attempted once before the suspension (the connection dropped): it may have reached Stripe.
  const attempted = await release();
  standIn.failNext({ kind: 'connection' });
  standIn.failNext({ kind: 'connection' });
  t.match(await app.settlement.runEffects(app.db, attempted.id), { retried: 1 });
  // Submitted, not attempted yet.
  const waiting = await release();
  // Paid now, released during the suspension.
  const { order: paid } = await paidStripeOrder(world);

  t.equal((await setStanding(app, trade.operator, trade.providerParty.id, true)).statusCode, 200);
  const during = await releaseOf(paid);
  await app.settlement.runEffects(app.db);
  await app.settlement.runEffects(app.db, attempted.id);
  const transferred = () => standIn.created('transfer').map((tr) => (tr.metadata as Record<string, string>).orderId);
  t.same(transferred(), [attempted.id], 'only the transfer already attempted went out');
  t.match(
    (await payoutsOf(app, trade.operator, 'held')).map((p) => p.orderId).sort(),
    [waiting.id, during.id].sort(),
  );
  t.ok((await payoutsOf(app, trade.operator, 'held')).every((p) => p.heldReason === 'provider_suspended'));

  t.equal((await setStanding(app, trade.operator, trade.providerParty.id, false)).statusCode, 200);
  await app.settlement.runEffects(app.db);
  t.same(transferred().sort(), [attempted.id, waiting.id, during.id].sort(), 'each sent once');
  t.same(new Set(standIn.sent('POST', '/v1/transfers').filter((r) => r.idempotencyKey !== `order:${attempted.id}:transfer`).map((r) => r.idempotencyKey)), new Set([`order:${waiting.id}:transfer`, `order:${during.id}:transfer`]));
  t.same(recorder.calls.filter((c) => c.event === 'paidOut').map((c) => c.orderId).sort(), [attempted.id, waiting.id, during.id].sort());
  t.same(await payoutsOf(app, trade.operator, 'held'), []);
  await assertLedgerBalances(t, app.db);
});
