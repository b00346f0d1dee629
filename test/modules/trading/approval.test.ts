// Listings that ask for the provider's approval: approve, reject, propose changed terms that the
// buyer accepts or declines, and expiry of orders left unanswered.
import t from 'tap';
import { as, expectProblem } from '../../helpers/app.js';
import { AgreementsStandIn } from '../../helpers/trading-stand-ins.js';
import { placeOrder, readOrder, sampleOrder, tradingWorld, verifiedUser, buildTradingApp } from '../../helpers/trading.js';
import { sampleListing } from '../../helpers/catalog.js';

t.test('provider approval', async (t) => {
  const agreements = new AgreementsStandIn();
  const app = await buildTradingApp(t, { orderResponseHours: 48 }, { agreements });
  const licence = { ...sampleListing().licence, approvalRequired: true };
  const { clerk, provider, buyer, product } = await tradingWorld(app, { licence });
  const post = (user: typeof buyer.user, id: string, path: string, payload?: object) => as(app, user, { method: 'POST', url: `/orders/${id}/${path}`, payload });

  t.test('the order waits for the provider, who approves it: the agreement is drafted then', async (t) => {
    const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
    t.equal(order.status, 'awaiting_provider');
    t.equal(order.agreement, null);
    expectProblem(t, await post(buyer.user, order.id, 'approval'), 403, 'forbidden');
    const approved = await post(provider.user, order.id, 'approval');
    t.equal(approved.statusCode, 200);
    t.equal(approved.json<{ status: string }>().status, 'agreement_pending');
    t.ok(agreements.drafts.has(approved.json<{ agreement: { id: string } }>().agreement.id));
    expectProblem(t, await post(provider.user, order.id, 'approval'), 409, 'invalid-state');
  });

  t.test('another provider cannot answer it', async (t) => {
    const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
    const stranger = await verifiedUser(app, ['provider'], clerk);
    expectProblem(t, await post(stranger.user, order.id, 'approval'), 404, 'not-found');
    t.equal((await readOrder(app, buyer.user, order.id)).status, 'awaiting_provider');
  });

  t.test('rejected with a reason', async (t) => {
    const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
    expectProblem(t, await post(provider.user, order.id, 'rejection', {}), 400, 'validation-failed');
    const res = await post(provider.user, order.id, 'rejection', { reason: 'We do not sell to this sector' });
    t.equal(res.json<{ status: string }>().status, 'rejected');
  });

  t.test('changed terms: the buyer accepts them and they become the order’s', async (t) => {
    const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
    const terms = { amountMinor: 450_000, quantity: 1, termStart: '2027-01-01', termEnd: '2027-06-30', note: 'Half a year only, at a lower price' };
    expectProblem(t, await post(provider.user, order.id, 'proposed-terms', { ...terms, termEnd: '2026-01-01' }), 400, 'validation-failed');
    const proposed = await post(provider.user, order.id, 'proposed-terms', terms);
    t.equal(proposed.json<{ status: string }>().status, 'terms_proposed');
    expectProblem(t, await post(provider.user, order.id, 'proposed-terms/acceptance'), 403, 'forbidden');
    const accepted = await post(buyer.user, order.id, 'proposed-terms/acceptance');
    t.match(accepted.json(), { status: 'agreement_pending', amountMinor: 450_000, feeMinor: 13_500, term: { start: '2027-01-01', end: '2027-06-30' } });
  });

  t.test('changed terms declined: the order is cancelled', async (t) => {
    const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
    await post(provider.user, order.id, 'proposed-terms', { amountMinor: 900_000, quantity: 1, termStart: '2027-01-01', termEnd: '2027-12-31', note: 'Price went up' });
    const declined = await post(buyer.user, order.id, 'proposed-terms/decline', { reason: 'Too expensive' });
    t.equal(declined.json<{ status: string }>().status, 'cancelled');
    expectProblem(t, await post(buyer.user, order.id, 'proposed-terms/acceptance'), 409, 'invalid-state');
  });

  t.test('orders left unanswered expire in the sweep, and only those', async (t) => {
    const waiting = await placeOrder(app, buyer.user, sampleOrder(product.id));
    const answered = await placeOrder(app, buyer.user, sampleOrder(product.id));
    await post(provider.user, answered.id, 'proposed-terms', { amountMinor: 1, quantity: 1, termStart: '2027-01-01', termEnd: '2027-12-31', note: 'A gift' });
    t.same(await app.trading.sweep(new Date(Date.now() + 47 * 3_600_000)), { expired: 0, accepted: 0 }, 'not yet');
    const result = await app.trading.sweep(new Date(Date.now() + 49 * 3_600_000));
    t.ok(result.expired >= 2);
    t.equal((await readOrder(app, buyer.user, waiting.id)).status, 'expired');
    t.equal((await readOrder(app, buyer.user, answered.id)).status, 'expired');
    expectProblem(t, await post(provider.user, waiting.id, 'approval'), 409, 'invalid-state');
    const record = (await as(app, buyer.user, { method: 'GET', url: `/orders/${waiting.id}/record` })).json<{ steps: { action: string; actor: { role: string } }[] }>();
    t.match(record.steps.at(-1), { action: 'expire', actor: { role: 'system' } });
  });
});
