// Lineage: a provenance declaration cites orders its party bought here. Each must be the party's
// own, completed, and bought under a licence that allows onward processing and resale; buyers see
// the cited trades (titles and dates, no private terms) on the listing, and only the parties to a
// cited trade, and operators, its order and listing ids.
import t from 'tap';
import { as, expectProblem, signUp } from '../../helpers/app.js';
import { assertNoLeaks } from '../../helpers/leaks.js';
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

  t.test('a valid citation is kept; buyers see the chain as titles and dates, its parties the trade too', async (t) => {
    const res = await declare([bought.id]);
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    await submit(app, acting, draft.id);
    await approve(app, clerk, draft.id);
    type Declaration = { citedOrders?: string[]; lineage: Record<string, unknown>[] };
    const declarationFor = async (user: typeof buyer.user) => {
      const seen = await as(app, user, { method: 'GET', url: `/catalog/listings/${draft.id}` });
      t.equal(seen.statusCode, 200);
      return seen.json<{ live: { provenance: { declaration: Declaration } } }>().live.provenance.declaration;
    };
    const third = await declarationFor(buyer.user);
    t.equal(third.lineage.length, 1);
    t.same(Object.keys(third.lineage[0]!).sort(), ['completedAt', 'depth', 'orderedAt', 'title'], 'a third party: titles and dates only');
    t.match(third.lineage[0], { depth: 1, title: { en: 'Chongqing public transport ridership' }, orderedAt: String, completedAt: String });
    t.notOk('citedOrders' in third, 'nor the cited order ids');
    assertNoLeaks(t, third, { 'the cited order id': bought.id, 'the cited listing id': resellable.id }, 'a third party’s lineage');
    t.notOk(JSON.stringify(third).includes('amountMinor') || JSON.stringify(third).includes('purpose'), 'no price, no purpose');
    for (const [user, who] of [[acting, 'the buyer of the cited trade'], [provider.user, 'its provider'], [clerk, 'an operator']] as const) {
      t.match(await declarationFor(user), { citedOrders: [bought.id], lineage: [{ depth: 1, orderId: bought.id, listingId: resellable.id }] }, `${who} sees the trade`);
    }
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
    type Chain = { depth: number; orderId?: string; title: { en?: string } }[];
    const chain = res.json<{ working: { provenance: { declaration: { lineage: Chain } } } }>().working.provenance.declaration.lineage;
    t.same(chain.map((e) => [e.depth, e.orderId, e.title.en]), [
      [1, boughtForecast.id, 'Ridership forecast'],
      [2, undefined, 'Chongqing public transport ridership'],
    ], 'the reseller sees its own purchase; of the trade before it, only the title and dates');
    const staffView = await as(app, clerk, { method: 'GET', url: `/catalog/listings/${next.id}` });
    t.same(staffView.json<{ working: { provenance: { declaration: { lineage: Chain } } } }>().working.provenance.declaration.lineage.map((e) => e.orderId), [boughtForecast.id, bought.id], 'operators see the whole chain');
  });
});
