// Lineage: a provenance declaration cites orders its party bought here. Each must be the party's
// own, completed, and bought under a licence that allows onward processing and resale; buyers see
// the cited trades (titles and dates, no private terms) on the listing.
import t from 'tap';
import { as, expectProblem, signUp } from '../../helpers/app.js';
import { approve, completeDraft, listedProduct, sampleListing, sampleProvenance, submit } from '../../helpers/catalog.js';
import { createVerifiedParty } from '../../helpers/identity.js';
import { completedOrder, placeOrder, sampleOrder, tradingWorld, buildTradingApp } from '../../helpers/trading.js';

t.test('lineage citations', async (t) => {
  const app = await buildTradingApp(t);
  const { clerk, provider, buyer } = await tradingWorld(app);
  const resellable = await listedProduct(app, provider.user, clerk, { licence: { ...sampleListing().licence, onwardTransfer: 'allowed' } });
  const restricted = await listedProduct(app, provider.user, clerk);

  // A party that buys here and sells what it makes from it.
  const maker = await signUp(app, ['buyer', 'provider'], 'maker');
  const party = await createVerifiedParty(app, maker, clerk);
  const acting = { ...maker, auth: { ...maker.auth, ...party.headers } };
  const bought = await completedOrder(app, acting, resellable.id);
  const forbidden = await completedOrder(app, acting, restricted.id);
  const unfinished = await placeOrder(app, acting, sampleOrder(resellable.id));
  const othersOrder = await completedOrder(app, buyer.user, resellable.id);

  const draft = await completeDraft(app, acting, { title: { zh: '客流预测', en: 'Ridership forecast' }, licence: { ...sampleListing().licence, onwardTransfer: 'allowed' } });
  const declare = (citedOrders: string[]) =>
    as(app, acting, {
      method: 'PUT',
      url: `/catalog/listings/${draft.id}/provenance`,
      payload: { ...sampleProvenance([{ sha256: draft.evidence.sha256, description: 'Model card' }]), sourceType: 'bought_on_exchange', citedOrders },
    });

  t.test('citations that are not the party’s completed, resellable purchases are refused, naming each', async (t) => {
    const body = expectProblem(t, await declare([othersOrder.id, unfinished.id, forbidden.id, '00000000-0000-4000-8000-000000000000']), 422, 'lineage-citation-invalid') as {
      citations?: { orderId: string; problem: string }[];
    };
    t.same(body.citations, [
      { orderId: othersOrder.id, problem: 'not_your_purchase' },
      { orderId: unfinished.id, problem: 'not_completed' },
      { orderId: forbidden.id, problem: 'licence_forbids_onward_transfer' },
      { orderId: '00000000-0000-4000-8000-000000000000', problem: 'not_your_purchase' },
    ]);
    const view = (await as(app, acting, { method: 'GET', url: `/catalog/listings/${draft.id}` })).json<{ working: { provenance: { version: number } } }>();
    t.equal(view.working.provenance.version, 1, 'no new declaration');
  });

  t.test('a valid citation is kept, and buyers see the chain of trades without private terms', async (t) => {
    const res = await declare([bought.id]);
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    await submit(app, acting, draft.id);
    await approve(app, clerk, draft.id);
    const seen = await as(app, buyer.user, { method: 'GET', url: `/catalog/listings/${draft.id}` });
    t.equal(seen.statusCode, 200);
    const lineage = seen.json<{ live: { provenance: { declaration: { citedOrders: string[]; lineage: Record<string, unknown>[] } } } }>().live.provenance.declaration.lineage;
    t.equal(lineage.length, 1);
    t.match(lineage[0], { depth: 1, orderId: bought.id, listingId: resellable.id, title: { en: 'Chongqing public transport ridership' } });
    t.ok(lineage[0]!.orderedAt && lineage[0]!.completedAt);
    t.notOk(JSON.stringify(lineage).includes('amountMinor') || JSON.stringify(lineage).includes('purpose'), 'no price, no purpose');
  });

  t.test('a listing made from a listing made from bought data shows the whole chain', async (t) => {
    const reseller = await signUp(app, ['buyer', 'provider'], 'reseller');
    const resellerParty = await createVerifiedParty(app, reseller, clerk);
    const r = { ...reseller, auth: { ...reseller.auth, ...resellerParty.headers } };
    const boughtForecast = await completedOrder(app, r, draft.id);
    const next = await completeDraft(app, r, { title: { en: 'Bus fleet plan' } });
    const res = await as(app, r, {
      method: 'PUT',
      url: `/catalog/listings/${next.id}/provenance`,
      payload: { ...sampleProvenance([{ sha256: next.evidence.sha256, description: 'Method' }]), sourceType: 'bought_on_exchange', citedOrders: [boughtForecast.id] },
    });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    const chain = res.json<{ working: { provenance: { declaration: { lineage: { depth: number; orderId: string; title: { en?: string } }[] } } } }>().working.provenance.declaration.lineage;
    t.same(chain.map((e) => [e.depth, e.orderId, e.title.en]), [
      [1, boughtForecast.id, 'Ridership forecast'],
      [2, bought.id, 'Chongqing public transport ridership'],
    ]);
  });
});
