import jsonld from 'jsonld';
import t from 'tap';
import { as, buildTestApp, signUp } from '../../helpers/app.js';
import { conditionalOpen, decide, department, draftEntry, notOpen, publishedEntry, statute, submitEntry } from '../../helpers/public-data.js';

t.test('the open list is searched in Chinese with filters; drafts never appear', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const transport = await department(app, clerk);
  const health = await department(app, clerk);
  const reader = await signUp(app, ['buyer'], 'reader');
  const bus = await publishedEntry(app, transport.user, bureau);
  const credit = await publishedEntry(app, transport.user, bureau, { title: { zh: '企业信用评价' }, summary: { zh: '企业信用等级' }, dataItems: ['信用等级'], open: conditionalOpen, sharing: { class: 'not_shared', legalBasis: statute } });
  const clinics = await publishedEntry(app, health.user, bureau, { title: { zh: '医疗机构名录' }, summary: { zh: '全市医疗机构' }, dataItems: ['机构名称'] });
  await draftEntry(app, transport.user, { title: { zh: '交通违法草稿' } });
  const ids = async (query: string) => (await as(app, reader, { method: 'GET', url: `/public-data/search?${query}` })).json().items.map((i: { id: string }) => i.id);

  t.same(await ids(`q=${encodeURIComponent('交通')}`), [bus.id], '交通 finds 交通运输, not the draft');
  t.same(await ids(`q=${encodeURIComponent('信用')}`), [credit.id]);
  t.same(await ids('openClass=conditional'), [credit.id]);
  t.same(await ids('sharingClass=not_shared'), [credit.id]);
  t.same(await ids(`departmentPartyId=${health.party.id}`), [clinics.id]);
  t.same((await ids('limit=2')).length, 2);
  t.equal((await as(app, reader, { method: 'GET', url: '/public-data/search' })).json().items.length, 3);
});

t.test('published entries join the DCAT-AP export with their access rights and department', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const { user, party } = await department(app, clerk);
  const classes = { unconditional: await publishedEntry(app, user, bureau), conditional: await publishedEntry(app, user, bureau, { open: conditionalOpen }), not_open: await publishedEntry(app, user, bureau, { open: notOpen }) };
  const pending = await draftEntry(app, user);
  await submitEntry(app, user, pending.id);

  const res = await app.inject({ method: 'GET', url: '/catalog/dcat', headers: { host: 'exchange.example.cn' } });
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, pending.id, 'an entry under review is not exported');
  const quads = (await jsonld.toRDF(res.json(), { documentLoader: async (url: string) => { throw new Error(`fetched ${url}`); } } as never)) as unknown as { subject: { value: string }; predicate: { value: string }; object: { value: string } }[];
  const object = (subject: string, predicate: string) => quads.filter((q) => q.subject.value === subject && q.predicate.value === predicate).map((q) => q.object.value);
  const rights = { unconditional: 'PUBLIC', conditional: 'RESTRICTED', not_open: 'NON_PUBLIC' } as const;
  for (const [cls, entry] of Object.entries(classes) as [keyof typeof rights, { id: string }][]) {
    const uri = `http://exchange.example.cn/public-data/entries/${entry.id}`;
    t.same(object(uri, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'), ['http://www.w3.org/ns/dcat#Dataset']);
    t.same(object(uri, 'http://purl.org/dc/terms/accessRights'), [`http://publications.europa.eu/resource/authority/access-right/${rights[cls]}`], cls);
    t.same(object(uri, 'http://purl.org/dc/terms/publisher'), [`http://exchange.example.cn/parties/${party.id}`]);
  }
  // Paged with listings on one keyset: two pages of two hold the three entries once each.
  const first = (await app.inject({ method: 'GET', url: '/catalog/dcat?limit=2' })).json();
  const next = new URL(first['hydra:view']['hydra:next']['@id']);
  const second = (await app.inject({ method: 'GET', url: `/catalog/dcat${next.search}&limit=2` })).json();
  const seen = [...first['dcat:dataset'], ...second['dcat:dataset']].map((d: { 'dct:identifier': string }) => d['dct:identifier']);
  t.same(seen.sort(), Object.values(classes).map((e) => e.id).sort());
  t.equal((await decide(app, bureau, pending.id, 'reject', '缺少数据项')).statusCode, 200);
});
