import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { conditionalOpen, department, draftEntry, notOpen, sampleEntry } from '../../helpers/public-data.js';

t.test('Art. 17 and Shanghai Art. 12: the classes an entry may take, refused with the article quoted', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const { user } = await department(app, clerk);
  const create = (overrides: Record<string, unknown>) => as(app, user, { method: 'POST', url: '/public-data/entries', payload: sampleEntry(overrides) });

  const noBasis = expectProblem(t, await create({ open: { class: 'conditional', conditions: '科研' } }), 400, 'legal-basis-required');
  t.match(noBasis.detail, /Art\. 17 ¶2 \(政務數據不予開放或者有條件開放的/);
  t.same(noBasis.errors, [{ path: '/body/open/legalBasis', message: noBasis.errors![0]!.message }]);
  expectProblem(t, await create({ open: { class: 'not_open' } }), 400, 'legal-basis-required');
  expectProblem(t, await create({ sharing: { class: 'not_shared' } }), 400, 'legal-basis-required');
  expectProblem(t, await create({ open: { ...conditionalOpen, conditions: undefined } }), 400, 'legal-basis-required');

  const personal = { sensitive: { personalInformation: true, tradeSecrets: false } };
  const unreleased = expectProblem(t, await create({ ...personal }), 422, 'release-required');
  t.match(unreleased.detail, /脫敏/);
  expectProblem(t, await create({ sensitive: { personalInformation: false, tradeSecrets: true }, open: conditionalOpen }), 422, 'release-required');
  const release = { kind: 'desensitised', reference: '脱敏处理报告 2024-07', recordedAt: '2024-07-01T00:00:00.000Z' };
  t.equal((await create({ ...personal, release })).statusCode, 201, 'a recorded release moves it to an open class');
  t.equal((await create({ ...personal, open: notOpen })).statusCode, 201, 'not open needs no release');

  const shared = expectProblem(t, await create({ origin: 'obtained_by_sharing' }), 422, 'shared-data-not-open');
  t.match(shared.detail, /Shanghai Measures Art\. 12/);
  t.equal((await create({ origin: 'obtained_by_sharing', open: notOpen })).statusCode, 201);

  // In Chinese, the article is cited as the Chinese titles cite it: Chongqing's with its words, Shanghai's (held in English) without.
  const inChinese = (overrides: Record<string, unknown>) =>
    as(app, user, { method: 'POST', url: '/public-data/entries', headers: { 'accept-language': 'zh-CN' }, payload: sampleEntry(overrides) });
  const noBasisZh = expectProblem(t, await inChinese({ open: { class: 'conditional', conditions: '科研' } }), 400, 'legal-basis-required');
  t.match(noBasisZh.detail, /^重庆第十七条第二款（政務數據不予開放或者有條件開放的.*）：conditional 类目录须注明其法律依据（法律、行政法规或国家有关文件）$/);
  const sharedZh = expectProblem(t, await inChinese({ origin: 'obtained_by_sharing' }), 422, 'shared-data-not-open');
  t.equal(sharedZh.detail, '上海第十二条：部门通过共享从其他部门获得的数据保持 not_open，由持有该数据的部门开放');

  // An edit is held to the same rules.
  const entry = await draftEntry(app, user);
  expectProblem(t, await as(app, user, { method: 'PATCH', url: `/public-data/entries/${entry.id}`, payload: { origin: 'obtained_by_sharing' } }), 422, 'shared-data-not-open');
});

t.test('bad input answers 400 naming the field', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const { user } = await department(app, clerk);
  const post = (payload: unknown) => as(app, user, { method: 'POST', url: '/public-data/entries', payload: payload as Record<string, unknown> });
  expectProblem(t, await post(sampleEntry({ title: { en: 'English only' } })), 400, 'validation-failed');
  expectProblem(t, await post(sampleEntry({ open: { class: 'sometimes' } })), 400, 'validation-failed');
  expectProblem(t, await post(sampleEntry({ fields: [] })), 400, 'validation-failed');
  expectProblem(t, await post({ ...sampleEntry(), extra: 1 }), 400, 'validation-failed');
  expectProblem(t, await as(app, user, { method: 'PATCH', url: `/public-data/entries/${(await draftEntry(app, user)).id}`, payload: {} }), 400, 'validation-failed');
  expectProblem(t, await as(app, user, { method: 'GET', url: '/public-data/entries/not-a-uuid' }), 400, 'validation-failed');
});
