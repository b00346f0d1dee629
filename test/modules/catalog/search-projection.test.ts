import t from 'tap';
import { as, buildTestApp, signUp } from '../../helpers/app.js';
import { approve, completeDraft, fullChecklist, submit, verifiedProvider } from '../../helpers/catalog.js';

// Search reads catalog_search, which the database keeps at commit (migration 0009). Every step that
// changes what buyers may find is taken through the API, and search must show exactly the listing
// view's live revision, or nothing when the listing is off sale.
t.test('search shows what is on sale after every listing transition', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);
  const draft = await completeDraft(app, provider, { title: { zh: '港口集装箱吞吐量' }, pricePlans: [{ name: '一次', kind: 'one_off', amountMinor: 70000, currency: 'CNY' }] });
  const id = draft.id;

  const found = async (words: string) => {
    const res = await as(app, buyer, { method: 'GET', url: `/catalog/search?q=${encodeURIComponent(words)}` });
    t.equal(res.statusCode, 200);
    return res.json().items.filter((i: { id: string }) => i.id === id);
  };
  /** The search result matches the listing view's live revision, field by field. */
  const shownAsView = async (words: string, what: string) => {
    const [item] = await found(words);
    const view = (await as(app, operator, { method: 'GET', url: `/catalog/listings/${id}` })).json();
    t.match(
      item,
      {
        status: 'listed', revisionId: view.live.id, reviewStatus: 'approved', title: view.live.content.title, grade: view.live.content.grade,
        minPrice: { amountMinor: view.live.content.pricePlans[0].amountMinor, currency: 'CNY' }, listedAt: view.listedAt, updatedAt: view.updatedAt,
      },
      what,
    );
  };
  const step = async (user: typeof operator, path: string) => t.equal((await as(app, user, { method: 'POST', url: `/catalog/listings/${id}/${path}`, payload: { reason: '核查' } })).statusCode, 200, path);
  const edit = async (content: object) => t.equal((await as(app, provider, { method: 'PATCH', url: `/catalog/listings/${id}`, payload: { content } })).statusCode, 200, 'edit');

  t.same(await found('吞吐'), [], 'a draft is not on sale');
  await submit(app, provider, id);
  t.same(await found('吞吐'), [], 'nor a submitted one');
  await approve(app, operator, id);
  await shownAsView('吞吐', 'approval puts it on sale');

  await edit({ title: { zh: '港口散货吞吐量' }, grade: 'important' });
  await shownAsView('集装箱', 'an edit waits for review; the approved text stays, the listing’s time moves');
  t.same(await found('散货'), [], 'the draft’s words are not searchable');
  await submit(app, provider, id);
  const working = (await as(app, operator, { method: 'GET', url: `/catalog/listings/${id}` })).json().working;
  const review = await as(app, operator, { method: 'POST', url: `/catalog/listings/${id}/review`, payload: { revisionId: working.id, decision: 'request_changes', checklist: fullChecklist(false), notes: '补充' } });
  t.equal(review.statusCode, 200);
  await shownAsView('集装箱', 'changes requested: the approved revision stays on sale');

  await edit({ title: { zh: '港口散货吞吐量' }, grade: 'important' });
  await submit(app, provider, id);
  await approve(app, operator, id);
  await shownAsView('散货', 'a new approval replaces what search shows');
  t.same(await found('集装箱'), [], 'the old words are gone');

  await step(operator, 'suspend');
  t.same(await found('散货'), [], 'suspended: off sale');
  await edit({ title: { zh: '港口冷链吞吐量' } });
  await submit(app, provider, id);
  await approve(app, operator, id);
  t.same(await found('冷链'), [], 'an approval while suspended does not put it back');
  await step(operator, 'reinstate');
  await shownAsView('冷链', 'reinstated with the revision approved meanwhile');

  await step(provider, 'delist');
  t.same(await found('吞吐'), [], 'delisted: gone for good');
  t.equal((await as(app, buyer, { method: 'GET', url: '/catalog/search' })).json().items.length, 0, 'nothing else is on sale');
});

t.test('a refused transition leaves search as it was', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);
  const draft = await completeDraft(app, provider, { title: { zh: '港口集装箱吞吐量' } });
  await submit(app, provider, draft.id);
  await approve(app, operator, draft.id);
  const before = (await as(app, buyer, { method: 'GET', url: '/catalog/search' })).json();
  t.equal(before.items.length, 1);

  t.equal((await as(app, operator, { method: 'POST', url: `/catalog/listings/${draft.id}/reinstate`, payload: { reason: '核查' } })).statusCode, 409, 'a listed listing cannot be reinstated');
  t.equal((await as(app, provider, { method: 'POST', url: `/catalog/listings/${draft.id}/suspend`, payload: { reason: '核查' } })).statusCode, 403, 'a provider cannot suspend');
  t.same((await as(app, buyer, { method: 'GET', url: '/catalog/search' })).json(), before);
});
