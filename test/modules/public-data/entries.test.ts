import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { createVerifiedParty } from '../../helpers/identity.js';
import { conditionalOpen, decide, department, draftEntry, notOpen, publishedEntry, sampleEntry, statute, submitEntry } from '../../helpers/public-data.js';

t.test('a department publishes entries in all three open classes after the bureau reviews them', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const { user, party } = await department(app, clerk);

  const open = await publishedEntry(app, user, bureau);
  const conditional = await publishedEntry(app, user, bureau, { title: { zh: '企业信用评价数据' }, open: conditionalOpen, sharing: { class: 'conditional', conditions: '仅限执法部门', legalBasis: statute } });
  const closed = await publishedEntry(app, user, bureau, { title: { zh: '个人社保缴费明细' }, sensitive: { personalInformation: true, tradeSecrets: false }, open: notOpen, sharing: { class: 'not_shared', legalBasis: statute } });

  for (const [id, cls] of [[open.id, 'unconditional'], [conditional.id, 'conditional'], [closed.id, 'not_open']] as const) {
    const res = await as(app, user, { method: 'GET', url: `/public-data/entries/${id}` });
    t.equal(res.statusCode, 200);
    t.equal(res.json().live.content.open.class, cls);
    t.equal(res.json().live.reviewStatus, 'approved');
    t.equal(res.json().departmentPartyId, party.id);
  }
  const reviews = await as(app, user, { method: 'GET', url: `/public-data/entries/${open.id}/reviews` });
  t.equal(reviews.json()[0].decision, 'approved');
  const events = await as(app, user, { method: 'GET', url: `/parties/${party.id}/audit-events?limit=200` });
  const actions = events.json().items.map((e: { action: string }) => e.action);
  for (const action of ['public_data.entry_created', 'public_data.version_uploaded', 'public_data.entry_submitted', 'public_data.entry_approved']) t.ok(actions.includes(action), action);
});

t.test('the bureau rejects with reasons; a rejected or draft entry does not exist for others', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const { user } = await department(app, clerk);
  const reader = await signUp(app, ['buyer'], 'reader');
  const entry = await draftEntry(app, user);
  expectProblem(t, await as(app, reader, { method: 'GET', url: `/public-data/entries/${entry.id}` }), 404, 'not-found');
  await submitEntry(app, user, entry.id);
  expectProblem(t, await decide(app, bureau, entry.id, 'reject', ''), 400, 'validation-failed');
  t.equal((await decide(app, bureau, entry.id, 'reject', '数据项描述不完整')).statusCode, 200);
  expectProblem(t, await as(app, reader, { method: 'GET', url: `/public-data/entries/${entry.id}` }), 404, 'not-found');
  const own = await as(app, user, { method: 'GET', url: `/public-data/entries/${entry.id}` });
  t.equal(own.json().working.reviewStatus, 'rejected', 'the department sees its rejected revision');
  t.equal((await as(app, user, { method: 'GET', url: `/public-data/entries/${entry.id}/reviews` })).json()[0].reasons, '数据项描述不完整');
});

t.test('a revision under review leaves the published one visible to everyone', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const { user } = await department(app, clerk);
  const reader = await signUp(app, ['buyer'], 'reader');
  const { id } = await publishedEntry(app, user, bureau);
  const edit = await as(app, user, { method: 'PATCH', url: `/public-data/entries/${id}`, payload: { title: { zh: '重庆市交通运输客运量统计（修订）' } } });
  t.equal(edit.statusCode, 200);
  t.equal(edit.json().working.number, 2);
  await submitEntry(app, user, id);
  expectProblem(t, await as(app, user, { method: 'PATCH', url: `/public-data/entries/${id}`, payload: { formats: ['json'] } }), 409, 'invalid-state');
  const seen = (await as(app, reader, { method: 'GET', url: `/public-data/entries/${id}` })).json();
  t.equal(seen.live.content.title.zh, '重庆市交通运输客运量统计', 'the published revision stays');
  t.equal(seen.working, null, 'others never see the revision under review');
  t.notOk('downloadCount' in seen, 'the count is the department’s and the bureau’s');
  t.equal((await decide(app, bureau, id)).statusCode, 200);
  t.equal((await as(app, reader, { method: 'GET', url: `/public-data/entries/${id}` })).json().live.content.title.zh, '重庆市交通运输客运量统计（修订）');
});

t.test('only departments acting for a public body keep entries; another department gets 404', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const { user } = await department(app, clerk);
  const other = await department(app, clerk);
  const provider = await signUp(app, ['provider'], 'provider');
  expectProblem(t, await as(app, provider, { method: 'POST', url: '/public-data/entries', payload: sampleEntry() }), 403, 'forbidden');
  const company = await signUp(app, ['department'], 'not-a-body');
  await createVerifiedParty(app, company, clerk, 'company');
  expectProblem(t, await as(app, company, { method: 'POST', url: '/public-data/entries', payload: sampleEntry() }), 403, 'department-required');
  const entry = await draftEntry(app, user);
  expectProblem(t, await as(app, other.user, { method: 'PATCH', url: `/public-data/entries/${entry.id}`, payload: { formats: ['json'] } }), 404, 'not-found');
  expectProblem(t, await as(app, other.user, { method: 'POST', url: `/public-data/entries/${entry.id}/submission` }), 404, 'not-found');
  expectProblem(t, await as(app, other.user, { method: 'GET', url: `/public-data/entries/${entry.id}` }), 404, 'not-found');
});
