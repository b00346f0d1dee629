// Acceptance within the window, disputes and the operator's decision, and automatic acceptance by
// the sweep (safe with several sweeps at once).
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { as, expectProblem } from '../../helpers/app.js';
import { SettlementStandIn } from '../../helpers/trading-stand-ins.js';
import { deliveredOrder, markPaidOut, markRefunded, readOrder, tradingWorld, buildTradingApp } from '../../helpers/trading.js';

t.test('acceptance and disputes', async (t) => {
  const settlement = new SettlementStandIn();
  const app = await buildTradingApp(t, {}, { settlement });
  const { clerk, provider, buyer, product } = await tradingWorld(app);
  const post = (user: typeof buyer.user, id: string, path: string, payload?: object) => as(app, user, { method: 'POST', url: `/orders/${id}/${path}`, payload });
  const callsFor = (id: string) => settlement.calls.filter((c) => c.orderId === id && c.call !== 'openPayment');

  t.test('accepting twice: the second is a 409, and the provider is paid once', async (t) => {
    const { order } = await deliveredOrder(app, buyer.user, product.id);
    expectProblem(t, await post(provider.user, order.id, 'acceptance'), 403, 'forbidden');
    t.equal((await post(buyer.user, order.id, 'acceptance')).statusCode, 200);
    expectProblem(t, await post(buyer.user, order.id, 'acceptance'), 409, 'invalid-state');
    t.match(callsFor(order.id), [{ call: 'releaseToProvider' }]);
    t.equal(callsFor(order.id).length, 1);
  });

  t.test('a dispute decided for a full refund: settlement refunds, the order ends refunded', async (t) => {
    const { order } = await deliveredOrder(app, buyer.user, product.id);
    expectProblem(t, await post(buyer.user, order.id, 'dispute', {}), 400, 'validation-failed');
    const disputed = await post(buyer.user, order.id, 'dispute', { reason: 'Half the stations are missing' });
    t.equal(disputed.json<{ status: string }>().status, 'disputed');
    expectProblem(t, await post(buyer.user, order.id, 'acceptance'), 409, 'invalid-state');
    const decided = await post(clerk, order.id, 'dispute/decision', { outcome: 'full_refund', reason: 'The file does not match its schema' });
    t.match(decided.json(), { status: 'resolved', decision: { outcome: 'full_refund', refundMinor: order.amountMinor } });
    t.match(callsFor(order.id), [{ call: 'refund', refundMinor: order.amountMinor }]);
    await markRefunded(app, order.id, order.amountMinor);
    t.equal((await readOrder(app, buyer.user, order.id)).status, 'refunded');
  });

  t.test('a partial refund: the rest goes to the provider; the order completes on the payout', async (t) => {
    const { order } = await deliveredOrder(app, buyer.user, product.id);
    await post(buyer.user, order.id, 'dispute', { reason: 'Three days are missing' });
    expectProblem(t, await post(clerk, order.id, 'dispute/decision', { outcome: 'partial_refund', reason: 'x' }), 400, 'validation-failed');
    expectProblem(t, await post(clerk, order.id, 'dispute/decision', { outcome: 'partial_refund', refundMinor: order.amountMinor, reason: 'x' }), 400, 'validation-failed');
    const decided = await post(clerk, order.id, 'dispute/decision', { outcome: 'partial_refund', refundMinor: 100_000, reason: 'Three of 365 days missing' });
    t.equal(decided.statusCode, 200);
    t.match(callsFor(order.id), [{ call: 'refund', refundMinor: 100_000 }]);
    await markRefunded(app, order.id, 100_000);
    t.equal((await readOrder(app, buyer.user, order.id)).status, 'resolved');
    await markPaidOut(app, order.id);
    t.equal((await readOrder(app, buyer.user, order.id)).status, 'completed');
    expectProblem(t, await post(clerk, order.id, 'dispute/decision', { outcome: 'release', reason: 'again' }), 409, 'invalid-state');
  });

  t.test('a dispute released to the provider', async (t) => {
    const { order } = await deliveredOrder(app, buyer.user, product.id);
    await post(buyer.user, order.id, 'dispute', { reason: 'Not what we expected' });
    expectProblem(t, await post(buyer.user, order.id, 'dispute/decision', { outcome: 'release', reason: 'x' }), 403, 'forbidden');
    const decided = await post(clerk, order.id, 'dispute/decision', { outcome: 'release', reason: 'The data matches the listing' });
    t.match(decided.json(), { status: 'resolved', decision: { outcome: 'release', refundMinor: 0 } });
    t.match(callsFor(order.id), [{ call: 'releaseToProvider' }]);
  });

  t.test('with no action, the sweep accepts when the window closes; two sweeps at once accept each order once', async (t) => {
    const { order } = await deliveredOrder(app, buyer.user, product.id);
    const after = new Date(Date.parse(order.acceptanceDueAt!) + 1000);
    t.equal((await app.trading.sweep(new Date(Date.parse(order.acceptanceDueAt!) - 1000))).accepted, 0);
    const [a, b] = await Promise.all([app.trading.sweep(after), app.trading.sweep(after)]);
    t.equal(a.accepted + b.accepted, 1);
    const accepted = await readOrder(app, buyer.user, order.id);
    t.equal(accepted.status, 'accepted_by_buyer');
    t.equal(callsFor(order.id).length, 1);
    const record = (await as(app, provider.user, { method: 'GET', url: `/orders/${order.id}/record` })).json<{ acceptance: { automatic: boolean } }>();
    t.equal(record.acceptance.automatic, true);
  });
});

t.test('disputing after the window closed is refused', async (t) => {
  const app = await buildTradingApp(t, { acceptanceWindowDays: 1 / 86_400 });
  const { buyer, product } = await tradingWorld(app);
  const { order } = await deliveredOrder(app, buyer.user, product.id);
  await sleep(1100);
  const refused = expectProblem(t, await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/dispute`, payload: { reason: 'Too late' } }), 409, 'invalid-state');
  t.match(refused.detail, /acceptance window closed/);
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'delivered');
});
