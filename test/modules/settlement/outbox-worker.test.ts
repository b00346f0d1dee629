import { Writable } from 'node:stream';
import t from 'tap';
import { buildTestApp } from '../../helpers/app.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { effectsOf } from '../../../src/lib/outbox.js';
import { linkProviderAccount, paidStripeOrder, payableOrder, recordingOrderEvents, settlementSettings, stripeTestApp, tradingParties } from '../../helpers/settlement.js';
import { startStripeStandIn, stripeSettings } from '../../helpers/stripe-stand-in.js';

const logLines = () => {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { lines, logger: { level: 'info', stream } };
};

t.test('with no Stripe key the server says at start-up that the bank-transfer rail runs alone', async (t) => {
  const { lines, logger } = logLines();
  const app = await buildTestApp(t, {}, { logger });
  t.ok(lines.some((l) => l.includes('no STRIPE_SECRET_KEY, so the bank-transfer rail runs alone')), 'logged');
  const trade = await tradingParties(app);
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id);
  await t.rejects(app.db.transaction((tx) => app.settlement.openPayment(tx, order, 'stripe')), { code: 'rail-unavailable' });
});

t.test("the outbox worker carries out effects on its own timer, and stops when the app closes", async (t) => {
  const standIn = await startStripeStandIn(t);
  const recorder = recordingOrderEvents();
  const { lines, logger } = logLines();
  const settings = stripeSettings(standIn);
  const app = await buildTestApp(t, { settlement: { ...settlementSettings(settings), outboxIntervalMs: 20 } }, { orderPaymentEvents: recorder.events, logger });
  t.ok(lines.some((l) => l.includes('settlement: Stripe and bank-transfer rails')));
  const trade = await tradingParties(app);
  const deliver = (type: string, object: Record<string, unknown>) => {
    const hook = standIn.webhook(settings.webhookSecret, type, object);
    return app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: hook.headers, payload: hook.payload });
  };
  const world = { app, standIn, recorder, trade, settings, deliver };
  await linkProviderAccount(world);
  const { order } = await paidStripeOrder(world);
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
  for (let i = 0; i < 200 && !recorder.calls.some((c) => c.event === 'paidOut'); i++) await new Promise((r) => setTimeout(r, 25));
  t.same(recorder.calls.map((c) => c.event), ['paid', 'paidOut'], 'the worker sent the transfer by itself');
  t.equal(standIn.created('transfer').length, 1);
  await assertLedgerBalances(t, app.db);
});

t.test('when recording a done effect fails, the row waits and the retry records the same object once', async (t) => {
  let refuse = true;
  const world = await stripeTestApp(t, (events) => ({
    ...events,
    paidOut: async (tx, orderId, at) => {
      if (refuse) throw new Error('the order is locked by a migration');
      await events.paidOut(tx, orderId, at);
    },
  }));
  const { app, standIn, recorder } = world;
  await linkProviderAccount(world);
  const { order } = await paidStripeOrder(world);
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
  t.match(await app.settlement.runEffects(app.db), { done: 0, retried: 1 });
  const [row] = await effectsOf(app.db, order.id).then((rows) => rows.filter((r) => r.operation === 'stripe.create_transfer'));
  t.match(row, { status: 'pending', attempts: 1, lastError: /locked by a migration/ });
  t.ok(row!.availableAt > new Date(), 'after a back-off');
  t.match((await app.settlement.summary(app.db, order.id)).payouts, [{ status: 'submitted' }], 'nothing half-recorded');
  refuse = false;
  t.match(await app.settlement.runEffects(app.db, order.id), { done: 1 });
  t.same(standIn.sent('POST', '/v1/transfers').map((r) => r.replayed), [false, true]);
  t.equal(standIn.created('transfer').length, 1);
  t.same(recorder.calls.map((c) => c.event), ['paid', 'paidOut']);
  await assertLedgerBalances(t, app.db);
});
