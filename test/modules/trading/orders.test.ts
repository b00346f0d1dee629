// Placing an order: what it records, and every refusal, each changing nothing.
import t from 'tap';
import { as, expectProblem, signUp } from '../../helpers/app.js';
import { listedProduct, completeDraft } from '../../helpers/catalog.js';
import { createVerifiedParty, registerParty } from '../../helpers/identity.js';
import { placeOrder, sampleOrder, signAgreement, tradingWorld, verifiedUser, buildTradingApp } from '../../helpers/trading.js';

t.test('placing orders', async (t) => {
  const app = await buildTradingApp(t);
  const { clerk, provider, buyer, product } = await tradingWorld(app);
  const purchases = async () => (await as(app, buyer.user, { method: 'GET', url: '/orders/purchases' })).json<{ items: unknown[] }>().items.length;
  const order = (body: unknown, user = buyer.user) => as(app, user, { method: 'POST', url: '/orders', payload: body as object });

  t.test('an order records the listing, revision, plan, term, purpose, scenario, safeguards and fee', async (t) => {
    const placed = await placeOrder(app, buyer.user, sampleOrder(product.id, { pricePlan: '年度订阅', quantity: 2, termStart: '2027-01-01' }));
    t.match(placed, {
      status: 'agreement_pending',
      listingId: product.id,
      pricePlan: { name: '年度订阅', kind: 'subscription', period: 'year' },
      quantity: 2,
      term: { start: '2027-01-01', end: '2028-12-31' },
      amountMinor: 2_400_000,
      feeMinor: 72_000,
      purpose: '交通规划研究',
      buyerPartyId: buyer.party.id,
      providerPartyId: provider.party.id,
    });
  });

  t.test('numbers are per year and unique under concurrency', async (t) => {
    const placed = await Promise.all(Array.from({ length: 5 }, () => placeOrder(app, buyer.user, sampleOrder(product.id))));
    const numbers = placed.map((o) => o.number);
    t.equal(new Set(numbers).size, 5);
    t.ok(numbers.every((n) => n.startsWith(`ORD-${new Date().getUTCFullYear()}-`)));
  });

  t.test('the fee has a minimum and never exceeds the amount', async (t) => {
    const cheap = await listedProduct(app, provider.user, clerk, { pricePlans: [{ name: 'sample', kind: 'one_off', amountMinor: 60, currency: 'CNY' }, { name: 'bulk', kind: 'one_off', amountMinor: 5000, currency: 'CNY' }] });
    t.equal((await placeOrder(app, buyer.user, sampleOrder(cheap.id, { pricePlan: 'sample' }))).feeMinor, 60, 'capped at the amount');
    t.equal((await placeOrder(app, buyer.user, sampleOrder(cheap.id, { pricePlan: 'bulk' }))).feeMinor, 150, '3% of 5000');
    const small = await listedProduct(app, provider.user, clerk, { pricePlans: [{ name: 'small', kind: 'one_off', amountMinor: 1000, currency: 'CNY' }] });
    t.equal((await placeOrder(app, buyer.user, sampleOrder(small.id, { pricePlan: 'small' }))).feeMinor, 100, '3% of 1000 is below the minimum');
  });

  t.test('no purpose or no scenario: 400, nothing ordered', async (t) => {
    const before = await purchases();
    const { purpose: _p, ...noPurpose } = sampleOrder(product.id);
    const { scenario: _s, ...noScenario } = sampleOrder(product.id);
    expectProblem(t, await order(noPurpose), 400, 'validation-failed');
    expectProblem(t, await order(noScenario), 400, 'validation-failed');
    expectProblem(t, await order(sampleOrder(product.id, { scenario: '' })), 400, 'validation-failed');
    t.equal(await purchases(), before);
  });

  t.test('a purpose the licence does not allow: 422 naming the allowed ones', async (t) => {
    const before = await purchases();
    const body = expectProblem(t, await order(sampleOrder(product.id, { purpose: 'targeted advertising' })), 422, 'purpose-not-allowed') as { allowedPurposes?: string[] };
    t.same(body.allowedPurposes, ['交通规划研究']);
    t.equal(await purchases(), before);
  });

  t.test('an unknown price plan, or a listing not on sale, is refused', async (t) => {
    expectProblem(t, await order(sampleOrder(product.id, { pricePlan: 'platinum' })), 400, 'validation-failed');
    const draft = await completeDraft(app, provider.user);
    expectProblem(t, await order(sampleOrder(draft.id)), 400, 'validation-failed');
  });

  t.test('an unverified buyer cannot order', async (t) => {
    const user = await signUp(app, ['buyer']);
    const party = await registerParty(app, user);
    const res = await as(app, { ...user, auth: { ...user.auth, ...party.headers } }, { method: 'POST', url: '/orders', payload: sampleOrder(product.id) });
    expectProblem(t, res, 403, 'party-not-verified');
  });

  t.test('a suspended buyer, or a suspended provider, cannot order', async (t) => {
    const other = await verifiedUser(app, ['buyer'], clerk);
    const suspend = (partyId: string) => as(app, clerk, { method: 'POST', url: `/parties/${partyId}/suspension`, payload: { reason: 'Investigation of a complaint' } });
    const reinstate = (partyId: string) => as(app, clerk, { method: 'POST', url: `/parties/${partyId}/reinstatement`, payload: { reason: 'Complaint closed' } });
    t.equal((await suspend(other.party.id)).statusCode, 200);
    t.match(expectProblem(t, await order(sampleOrder(product.id), other.user), 403, 'party-suspended'), { reason: 'Investigation of a complaint' });

    const seller = await verifiedUser(app, ['provider'], clerk);
    const listed = await listedProduct(app, seller.user, clerk);
    t.equal((await suspend(seller.party.id)).statusCode, 200);
    const before = await purchases();
    const refused = await order(sampleOrder(listed.id));
    t.ok([403, 404].includes(refused.statusCode), 'a suspended provider does not trade');
    t.equal(await purchases(), before);
    await reinstate(seller.party.id);
    const placed = await order(sampleOrder(listed.id));
    t.equal(placed.statusCode, 201, 'reinstated: trading again');
    // Suspended after the agreement was signed: the buyer cannot pay it.
    await signAgreement(app, placed.json());
    await suspend(seller.party.id);
    const pay = await as(app, buyer.user, { method: 'POST', url: `/orders/${placed.json<{ id: string }>().id}/payment`, payload: { rail: 'bank_transfer' } });
    t.equal((expectProblem(t, pay, 403, 'party-not-verified') as { side?: string }).side, 'provider');
  });

  t.test('a party cannot order its own listing', async (t) => {
    const user = await signUp(app, ['provider', 'buyer']);
    const party = await createVerifiedParty(app, user, clerk);
    const acting = { ...user, auth: { ...user.auth, ...party.headers } };
    const own = await listedProduct(app, acting, clerk);
    expectProblem(t, await order(sampleOrder(own.id), acting), 422, 'own-listing');
  });

  t.test('two concurrent identical moves of one order: one succeeds, the other is a 409', async (t) => {
    const placed = await placeOrder(app, buyer.user, sampleOrder(product.id));
    const cancel = () => as(app, buyer.user, { method: 'POST', url: `/orders/${placed.id}/cancellation`, payload: { reason: 'Bought elsewhere' } });
    const [a, b] = await Promise.all([cancel(), cancel()]);
    t.same([a.statusCode, b.statusCode].sort(), [200, 409]);
    expectProblem(t, a.statusCode === 409 ? a : b, 409, 'invalid-state');
  });

  t.test('paying before the agreement is signed is a 409; after, the instructions', async (t) => {
    const placed = await placeOrder(app, buyer.user, sampleOrder(product.id));
    const pay = () => as(app, buyer.user, { method: 'POST', url: `/orders/${placed.id}/payment`, payload: { rail: 'stripe' } });
    const early = expectProblem(t, await pay(), 409, 'invalid-state');
    t.match(early.detail, /sign/);
    await signAgreement(app, placed);
    const res = await pay();
    t.equal(res.statusCode, 200);
    t.match(res.json(), { rail: 'stripe', status: 'ready', amountMinor: placed.amountMinor });
  });

  t.test('lists: purchases, sales, the operator view, filtered and paged', async (t) => {
    const page = await as(app, buyer.user, { method: 'GET', url: '/orders/purchases?limit=2' });
    const first = page.json<{ items: { id: string }[]; next: string }>();
    t.equal(first.items.length, 2);
    const second = (await as(app, buyer.user, { method: 'GET', url: `/orders/purchases?limit=2&cursor=${first.next}` })).json<{ items: { id: string }[] }>();
    t.notOk(second.items.some((o) => first.items.some((f) => f.id === o.id)));
    const cancelled = (await as(app, provider.user, { method: 'GET', url: '/orders/sales?status=cancelled' })).json<{ items: { status: string }[] }>();
    t.ok(cancelled.items.length >= 1 && cancelled.items.every((o) => o.status === 'cancelled'));
    const all = (await as(app, clerk, { method: 'GET', url: `/orders?partyId=${buyer.party.id}&limit=200` })).json<{ items: unknown[] }>();
    t.equal(all.items.length, await purchases());
    const stranger = await verifiedUser(app, ['buyer'], clerk);
    t.same((await as(app, stranger.user, { method: 'GET', url: '/orders/purchases' })).json<{ items: unknown[] }>().items, []);
    expectProblem(t, await as(app, stranger.user, { method: 'GET', url: `/orders/${first.items[0]!.id}` }), 404, 'not-found');
  });
});
