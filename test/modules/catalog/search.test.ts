import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { listedProduct, sampleListing, verifiedProvider } from '../../helpers/catalog.js';

t.test('search: Chinese and English text, filters, sorts, pages, hostile input', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const { user: bank, party: bankParty } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);

  const transport = await listedProduct(app, provider, operator);
  const credit = await listedProduct(app, bank, operator, {
    title: { zh: '企业信用评分数据' },
    description: { zh: '基于政务数据加工的企业信用评分。' },
    category: 'finance',
    tags: ['信用'],
    grade: 'important',
    governmentDerived: true,
    deliveryMethod: 'api',
    pricePlans: [{ name: '按年', kind: 'subscription', period: 'year', amountMinor: 100000, currency: 'CNY' }],
  });
  const weather = await listedProduct(app, provider, operator, {
    title: { en: 'Hourly weather observations' },
    description: { en: 'Temperature, rain and wind from 300 stations.' },
    category: 'weather',
    tags: ['climate'],
    pricePlans: [{ name: 'once', kind: 'one_off', amountMinor: 900000, currency: 'CNY' }],
  });
  const draft = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing({ title: { zh: '未审核的客流草稿' } }) })).json();

  const ids = async (query: string) => {
    const res = await as(app, buyer, { method: 'GET', url: `/catalog/search?${query}` });
    t.equal(res.statusCode, 200, `${query}: ${res.body.slice(0, 200)}`);
    return res.json().items.map((i: { id: string }) => i.id) as string[];
  };
  const q = (text: string) => `q=${encodeURIComponent(text)}`;

  t.same(await ids(q('客流')), [transport.id], 'a Chinese keyword inside a longer title; the draft is not found');
  t.same(await ids(q('公共交通')), [transport.id]);
  t.same(await ids(q('交通所')), [], 'every pair of characters must match');
  t.same(await ids(q('信')), [credit.id], 'one character');
  t.same(await ids(q('weath')), [weather.id], 'an English word by its start');
  t.same(await ids(q('RAIN stations')), [weather.id], 'case-insensitive, every word must match');
  t.same(await ids(q('信用 weather')), []);
  t.notOk((await ids('')).includes(draft.id));

  t.same(await ids('category=finance'), [credit.id]);
  t.same(await ids('governmentDerived=true'), [credit.id]);
  t.same(await ids('grade=important&deliveryMethod=api'), [credit.id]);
  t.same(await ids('currency=CNY&priceMin=400000&priceMax=600000'), [transport.id], 'by the cheapest plan, in minor units');
  t.same(await ids(`providerPartyId=${bankParty.id}`), [credit.id]);
  t.same(await ids(`tag=${encodeURIComponent('信用')}`), [credit.id]);

  t.same(await ids('sort=price_asc'), [credit.id, transport.id, weather.id]);
  t.same(await ids('sort=price_desc'), [weather.id, transport.id, credit.id]);
  t.same(await ids('sort=newest'), [weather.id, credit.id, transport.id]);

  // Pages of one, following `next`, see each listing exactly once.
  for (const sort of ['price_asc', 'newest', 'relevance']) {
    const seen: string[] = [];
    let cursor: string | null = null;
    const base = sort === 'relevance' ? `sort=relevance&${q('数据')}` : `sort=${sort}`;
    do {
      const page: { items: { id: string }[]; next: string | null } = (
        await as(app, buyer, { method: 'GET', url: `/catalog/search?${base}&limit=1${cursor ? `&cursor=${cursor}` : ''}` })
      ).json();
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next;
    } while (cursor && seen.length < 10);
    t.equal(new Set(seen).size, seen.length, `${sort}: no repeats`);
    t.equal(seen.length, sort === 'relevance' ? 2 : 3, `${sort}: every match once`);
  }

  const first = (await as(app, buyer, { method: 'GET', url: '/catalog/search?sort=price_asc&limit=1' })).json();
  expectProblem(t, await as(app, buyer, { method: 'GET', url: `/catalog/search?sort=newest&cursor=${first.next}` }), 400, 'validation-failed');
  expectProblem(t, await as(app, buyer, { method: 'GET', url: '/catalog/search?cursor=not-a-cursor' }), 400, 'validation-failed');

  const hostile = [
    "'",
    '\\',
    "客流' | '",
    'a & b | !c :* ( )',
    '!!! ::: *** &&& |||',
    "'); drop table catalog_listings; --",
    '<script>alert(1)</script>',
    '%00',
    '交'.repeat(400),
    'word '.repeat(99),
    '😀🚀',
  ];
  for (const text of hostile) {
    const res = await as(app, buyer, { method: 'GET', url: `/catalog/search?${q(text)}` });
    t.equal(res.statusCode, 200, `hostile ${JSON.stringify(text.slice(0, 30))}: ${res.body.slice(0, 200)}`);
  }
  t.same(await ids(q("客流' | '")), [transport.id], 'operators and quotes are separators, not syntax');
  expectProblem(t, await as(app, buyer, { method: 'GET', url: `/catalog/search?${q('x'.repeat(501))}` }), 400, 'validation-failed');
  expectProblem(t, await as(app, buyer, { method: 'GET', url: `/catalog/search?category=${encodeURIComponent("x' or 1=1")}` }), 400, 'validation-failed');
  expectProblem(t, await as(app, buyer, { method: 'GET', url: '/catalog/search?tag=%00' }), 400, 'validation-failed');
  expectProblem(t, await as(app, buyer, { method: 'GET', url: `/catalog/search?${q('\u0000客流')}` }), 400, 'validation-failed');
  t.equal((await ids('')).length, 3, 'still all there');
  expectProblem(t, await app.inject({ method: 'GET', url: '/catalog/search' }), 401, 'unauthenticated');
});

t.test("a suspended provider's listings leave the catalog at once and come back on reinstatement", async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider, party } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);
  const product = await listedProduct(app, provider, operator);
  const visible = async () => ({
    search: (await as(app, buyer, { method: 'GET', url: '/catalog/search' })).json().items.length,
    dcat: (await app.inject({ method: 'GET', url: '/catalog/dcat' })).json()['dcat:dataset'].length,
    view: (await as(app, buyer, { method: 'GET', url: `/catalog/listings/${product.id}` })).statusCode,
  });
  t.same(await visible(), { search: 1, dcat: 1, view: 200 });

  const suspended = await as(app, operator, { method: 'POST', url: `/parties/${party.id}/suspension`, payload: { reason: '涉嫌数据来源不合法，暂停交易' } });
  t.equal(suspended.statusCode, 200);
  t.same(await visible(), { search: 0, dcat: 0, view: 404 }, 'gone for buyers and harvesters');
  t.equal((await as(app, provider, { method: 'GET', url: `/catalog/listings/${product.id}` })).statusCode, 200, 'the provider still sees its own');

  t.equal((await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reinstatement`, payload: { reason: '核查完毕' } })).statusCode, 200);
  t.same(await visible(), { search: 1, dcat: 1, view: 200 });
});

t.test('relevance ranks a bounded window of the newest matches; the other sorts walk every match', async (t) => {
  const app = await buildTestApp(t, { searchRelevanceWindow: 2 });
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);
  // The oldest has the word in its title (ranked highest), the newer two only in the description.
  const oldest = await listedProduct(app, provider, operator, { title: { zh: '气象观测记录' } });
  const middle = await listedProduct(app, provider, operator, { title: { zh: '空气质量' }, description: { zh: '含气象观测字段' } });
  const newest = await listedProduct(app, provider, operator, { title: { zh: '噪声监测' }, description: { zh: '附带气象观测' } });
  const ids = async (query: string) => (await as(app, buyer, { method: 'GET', url: `/catalog/search?q=${encodeURIComponent('气象')}&${query}` })).json().items.map((i: { id: string }) => i.id);

  t.same(await ids('sort=relevance'), [middle.id, newest.id].sort().reverse(), 'the two newest matches only, equal in rank');
  t.same(await ids('sort=newest'), [newest.id, middle.id, oldest.id], 'newest walks every match');
  t.equal((await ids('sort=price_asc')).length, 3, 'so does a price sort');
});

t.test('relevance puts a match in the title or tags above a match in the description', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);
  const inDescription = await listedProduct(app, provider, operator, { title: { zh: '空气质量' }, description: { zh: '含气象观测字段' } });
  const inTitle = await listedProduct(app, provider, operator, { title: { zh: '气象观测记录' } });
  const inTag = await listedProduct(app, provider, operator, { title: { en: 'Station records' }, tags: ['气象'] });
  const newer = await listedProduct(app, provider, operator, { title: { zh: '噪声监测' }, description: { zh: '附带气象观测' } });
  const res = await as(app, buyer, { method: 'GET', url: `/catalog/search?q=${encodeURIComponent('气象')}` });
  const items = res.json().items.map((i: { id: string }) => i.id) as string[];
  t.same(new Set(items.slice(0, 2)), new Set([inTitle.id, inTag.id]), 'title and tag matches first');
  t.same(new Set(items.slice(2)), new Set([inDescription.id, newer.id]), 'then the description matches');
});
