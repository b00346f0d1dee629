// Shanghai Measures Art. 10: the public's demands for data to open, the departments' answers, and
// the bureau's yearly opening priorities, through the HTTP API.
import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { createVerifiedParty, registerParty } from '../../helpers/identity.js';
import { assertNoLeaks, personSecrets } from '../../helpers/leaks.js';
import { raiseDemand, sampleDemand } from '../../helpers/objections.js';
import { department, draftEntry, publishedEntry } from '../../helpers/public-data.js';
import { verifiedUser } from '../../helpers/trading.js';

async function world(t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const dept = await department(app, clerk);
  const person = await signUp(app, ['buyer'], 'li-demander');
  const party = await createVerifiedParty(app, person, clerk);
  const demander = { user: { ...person, auth: { ...person.auth, 'x-party-id': party.id } }, party, secrets: personSecrets('demander', { ...person, displayName: 'li-demander' }) };
  return { app, clerk, bureau, dept, demander };
}

t.test('a demand is routed by the bureau and answered by the department; the demander reads the answer', async (t) => {
  const { app, clerk, bureau, dept, demander } = await world(t);
  const raised = await raiseDemand(app, demander.user);
  t.match(raised, { status: 'unrouted', departmentPartyId: null, demanderPartyId: demander.party.id });
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/demands/${raised.id}/answer`, payload: { answer: 'planned', plannedOn: '2027-03-01' } }), 404, 'not-found');
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/demands/${raised.id}/routing`, payload: { departmentPartyId: dept.party.id } }), 403, 'forbidden');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: `/public-data/demands/${raised.id}/routing`, payload: { departmentPartyId: demander.party.id } }), 400, 'validation-failed');
  const routed = await as(app, bureau, { method: 'POST', url: `/public-data/demands/${raised.id}/routing`, payload: { departmentPartyId: dept.party.id } });
  t.match(routed.json(), { status: 'open', departmentPartyId: dept.party.id });

  const seen = await as(app, dept.user, { method: 'GET', url: '/public-data/demands' });
  t.same(seen.json().items.map((d: { id: string }) => d.id), [raised.id]);
  assertNoLeaks(t, seen.json(), demander.secrets, 'the department reading demands');
  const other = await department(app, clerk);
  expectProblem(t, await as(app, other.user, { method: 'POST', url: `/public-data/demands/${raised.id}/answer`, payload: { answer: 'refused', reasons: '不归我们' } }), 404, 'not-found');
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/demands/${raised.id}/answer`, payload: { answer: 'refused' } }), 400, 'validation-failed');
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/demands/${raised.id}/answer`, payload: { answer: 'planned' } }), 400, 'validation-failed');
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/demands/${raised.id}/answer`, payload: { answer: 'already_open' } }), 400, 'validation-failed');
  const draft = await draftEntry(app, dept.user);
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/demands/${raised.id}/answer`, payload: { answer: 'already_open', entryId: draft.id } }), 400, 'validation-failed');

  const answers = await Promise.all([
    as(app, dept.user, { method: 'POST', url: `/public-data/demands/${raised.id}/answer`, payload: { answer: 'planned', plannedOn: '2027-03-01' } }),
    as(app, dept.user, { method: 'POST', url: `/public-data/demands/${raised.id}/answer`, payload: { answer: 'refused', reasons: '涉及商业秘密' } }),
  ]);
  t.same(answers.map((r) => r.statusCode).sort(), [200, 409]);
  const read = await as(app, demander.user, { method: 'GET', url: `/public-data/demands/${raised.id}` });
  t.equal(read.json().status, answers.find((r) => r.statusCode === 200)!.json().status);
  t.ok(read.json().answeredAt);
  expectProblem(t, await as(app, bureau, { method: 'POST', url: `/public-data/demands/${raised.id}/routing`, payload: { departmentPartyId: dept.party.id } }), 409, 'invalid-state');
});

t.test('a demand addressed to a department is answered as already open; the bureau filters every demand', async (t) => {
  const { app, clerk, bureau, dept, demander } = await world(t);
  const entry = await publishedEntry(app, dept.user, bureau);
  const raised = await raiseDemand(app, demander.user, dept.party.id);
  t.equal(raised.status, 'open');
  const answered = await as(app, dept.user, { method: 'POST', url: `/public-data/demands/${raised.id}/answer`, payload: { answer: 'already_open', entryId: entry.id } });
  t.match(answered.json(), { status: 'already_open', entryId: entry.id });
  await raiseDemand(app, demander.user);
  const year = raised.year as number;
  const all = await as(app, bureau, { method: 'GET', url: `/public-data/demands?year=${year}` });
  t.equal(all.json().items.length, 2);
  const byDept = await as(app, bureau, { method: 'GET', url: `/public-data/demands?departmentPartyId=${dept.party.id}&status=already_open` });
  t.same(byDept.json().items.map((d: { id: string }) => d.id), [raised.id]);
  t.equal((await as(app, bureau, { method: 'GET', url: `/public-data/demands?year=${year - 1}` })).json().items.length, 0);
  const stranger = await verifiedUser(app, ['buyer'], clerk);
  expectProblem(t, await as(app, stranger.user, { method: 'GET', url: `/public-data/demands/${raised.id}` }), 404, 'not-found');
  t.equal((await as(app, stranger.user, { method: 'GET', url: '/public-data/demands' })).json().items.length, 0);
});

t.test('demands that cannot be made', async (t) => {
  const { app, demander } = await world(t);
  const unverified = await signUp(app, ['buyer'], 'unverified');
  const party = await registerParty(app, unverified);
  expectProblem(t, await as(app, { ...unverified, auth: { ...unverified.auth, 'x-party-id': party.id } }, { method: 'POST', url: '/public-data/demands', payload: sampleDemand() }), 403, 'party-not-verified');
  expectProblem(t, await as(app, demander.user, { method: 'POST', url: '/public-data/demands', payload: sampleDemand(demander.party.id) }), 400, 'validation-failed');
  for (const bad of [{ wantedData: '' }, { intendedUse: undefined }, { departmentPartyId: 'x' }, { extra: true }]) {
    expectProblem(t, await as(app, demander.user, { method: 'POST', url: '/public-data/demands', payload: { ...sampleDemand(), ...bad } }), 400, 'validation-failed');
  }
});

t.test("the bureau publishes the year's opening priorities, versioned, readable by anyone signed in", async (t) => {
  const { app, bureau, dept, demander } = await world(t);
  const entry = await publishedEntry(app, dept.user, bureau);
  expectProblem(t, await as(app, demander.user, { method: 'GET', url: '/public-data/opening-priorities/2027' }), 404, 'not-found');
  const items = [{ entryId: entry.id, note: '按月更新' }, { theme: '公共充电设施', note: '群众需求集中' }];
  const first = await as(app, bureau, { method: 'PUT', url: '/public-data/opening-priorities/2027', payload: { note: '2027年公共数据开放重点', items } });
  t.match(first.json(), { year: 2027, current: { version: 1, items }, history: [{ version: 1 }] });
  const second = await as(app, bureau, { method: 'PUT', url: '/public-data/opening-priorities/2027', payload: { note: '2027年公共数据开放重点（修订）', items: items.slice(1) } });
  t.match(second.json(), { current: { version: 2 }, history: [{ version: 2 }, { version: 1 }] });
  const read = await as(app, demander.user, { method: 'GET', url: '/public-data/opening-priorities/2027' });
  t.same(read.json(), second.json());
  expectProblem(t, await as(app, dept.user, { method: 'PUT', url: '/public-data/opening-priorities/2027', payload: { note: 'x', items } }), 403, 'forbidden');
  expectProblem(t, await as(app, bureau, { method: 'PUT', url: '/public-data/opening-priorities/2027', payload: { note: 'x', items: [{ note: '无主题' }] } }), 400, 'validation-failed');
  const draft = await draftEntry(app, dept.user);
  expectProblem(t, await as(app, bureau, { method: 'PUT', url: '/public-data/opening-priorities/2027', payload: { note: 'x', items: [{ entryId: draft.id }] } }), 400, 'validation-failed');
  expectProblem(t, await as(app, bureau, { method: 'PUT', url: '/public-data/opening-priorities/1800', payload: { note: 'x', items } }), 400, 'validation-failed');
});
