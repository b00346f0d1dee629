import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { registerParty } from '../../helpers/identity.js';
import { answer, applyFor, headApproval, openRequestBody, refusalBasis, requestWorld } from '../../helpers/public-data-requests.js';
import { department, draftEntry, notOpen, publishedEntry } from '../../helpers/public-data.js';

t.test('only the owning department answers or extends; nobody else sees the request', async (t) => {
  const app = await buildTestApp(t);
  const { clerk, dept, applicant, entry } = await requestWorld(app);
  const made = await applyFor(app, applicant, [entry.id]);
  const stranger = await department(app, clerk);
  expectProblem(t, await answer(app, stranger.user, made.id, { decision: 'approve' }), 404, 'not-found');
  expectProblem(t, await as(app, stranger.user, { method: 'POST', url: `/public-data/requests/${made.id}/extension`, payload: headApproval(5) }), 404, 'not-found');
  expectProblem(t, await as(app, stranger.user, { method: 'GET', url: `/public-data/requests/${made.id}` }), 404, 'not-found');
  t.same((await as(app, stranger.user, { method: 'GET', url: '/public-data/requests' })).json().items, []);
  expectProblem(t, await as(app, await signUp(app, ['buyer'], 'passer-by'), { method: 'GET', url: `/public-data/requests/${made.id}` }), 404, 'not-found');
  expectProblem(t, await answer(app, applicant, made.id, { decision: 'approve' }), 403, 'forbidden');
  t.match((await as(app, dept.user, { method: 'GET', url: '/public-data/requests?role=department' })).json().items, [{ id: made.id }], 'the department lists what is addressed to it');
});

t.test('one extension only, of at most ten working days; a refusal gives reasons and its legal basis', async (t) => {
  const app = await buildTestApp(t);
  const { dept, applicant, entry } = await requestWorld(app);
  const made = await applyFor(app, applicant, [entry.id]);
  const extend = (days: number) => as(app, dept.user, { method: 'POST', url: `/public-data/requests/${made.id}/extension`, payload: headApproval(days) });
  const tooLong = expectProblem(t, await extend(11), 422, 'extension-too-long');
  t.match(tooLong, { maxWorkingDays: 10, detail: /Art\. 18 ¶2 \(.*延長答復期限不得超過10個工作日/ });
  const misdated = (approvedAt: Date) => as(app, dept.user, { method: 'POST', url: `/public-data/requests/${made.id}/extension`, payload: headApproval(3, approvedAt) });
  t.match(expectProblem(t, await misdated(new Date(Date.now() + 3600_000)), 400, 'validation-failed').errors, [{ path: '/body/approvedAt' }], 'not an approval dated in the future');
  expectProblem(t, await misdated(new Date(Date.parse(made.receivedAt) - 86_400_000)), 400, 'validation-failed');
  t.equal((await extend(3)).statusCode, 200);
  expectProblem(t, await extend(3), 409, 'already-extended');

  const noBasis = expectProblem(t, await answer(app, dept.user, made.id, { decision: 'refuse', reasons: '数据涉及在办案件' }), 400, 'refusal-grounds-required');
  t.match(noBasis.errors, [{ path: '/body/legalBasis' }]);
  expectProblem(t, await answer(app, dept.user, made.id, { decision: 'refuse', legalBasis: refusalBasis.legalBasis }), 400, 'refusal-grounds-required');
  const refused = await answer(app, dept.user, made.id, { decision: 'refuse', ...refusalBasis });
  t.match(refused.json(), { state: 'refused', nextSteps: [], answer: { decision: 'refused', reasons: '数据涉及在办案件', legalBasis: refusalBasis.legalBasis } });
  expectProblem(t, await answer(app, dept.user, made.id, { decision: 'approve' }), 409, 'invalid-state');
  expectProblem(t, await extend(1), 409, 'already-extended');
});

t.test('what cannot be requested: not-open data, open data, another department’s mixed with one’s own; an unverified party', async (t) => {
  const app = await buildTestApp(t);
  const { clerk, bureau, dept, applicant, entry } = await requestWorld(app);
  const closed = await publishedEntry(app, dept.user, bureau, { open: notOpen });
  t.match(expectProblem(t, await as(app, applicant, { method: 'POST', url: '/public-data/requests', payload: openRequestBody([closed.id]) }), 403, 'data-not-open').detail, /Art\. 17 ¶2/);
  const open = await publishedEntry(app, dept.user, bureau);
  expectProblem(t, await as(app, applicant, { method: 'POST', url: '/public-data/requests', payload: openRequestBody([open.id]) }), 422, 'entry-not-conditional');
  const elsewhere = await department(app, clerk);
  const theirs = await publishedEntry(app, elsewhere.user, bureau, { open: { class: 'conditional', conditions: '科研', legalBasis: { kind: 'law', title: '数据安全法' } } });
  expectProblem(t, await as(app, applicant, { method: 'POST', url: '/public-data/requests', payload: openRequestBody([entry.id, theirs.id]) }), 422, 'one-department-per-request');
  const draft = await draftEntry(app, dept.user, { open: { class: 'conditional', conditions: '科研', legalBasis: { kind: 'law', title: '数据安全法' } } });
  const unknown = '00000000-0000-4000-8000-000000000000';
  const notListed = expectProblem(t, await as(app, applicant, { method: 'POST', url: '/public-data/requests', payload: openRequestBody([entry.id, draft.id, unknown]) }), 400, 'validation-failed');
  t.same(notListed.errors!.map((e: { path: string }) => e.path), ['/body/entryIds/1', '/body/entryIds/2'], 'a draft and an unknown id are named alike: not on the open list');
  const newcomer = await signUp(app, ['buyer'], 'newcomer');
  const party = await registerParty(app, newcomer);
  expectProblem(t, await as(app, { ...newcomer, auth: { ...newcomer.auth, 'x-party-id': party.id } }, { method: 'POST', url: '/public-data/requests', payload: openRequestBody([entry.id]) }), 403, 'party-not-verified');
  expectProblem(t, await as(app, applicant, { method: 'POST', url: '/public-data/requests', payload: openRequestBody([entry.id], { start: '2027-01-02', end: '2027-01-01' }) }), 400, 'validation-failed');
  t.same((await as(app, applicant, { method: 'GET', url: '/public-data/requests' })).json().items, [], 'nothing refused was recorded');
});

t.test('two answers at once: one wins, the other is a 409', async (t) => {
  const app = await buildTestApp(t);
  const { dept, applicant, entry } = await requestWorld(app);
  const made = await applyFor(app, applicant, [entry.id]);
  const results = await Promise.all([answer(app, dept.user, made.id, { decision: 'approve' }), answer(app, dept.user, made.id, { decision: 'refuse', ...refusalBasis })]);
  t.same(results.map((r) => r.statusCode).sort(), [200, 409], results.map((r) => r.body).join('\n'));
  const agreements = (await as(app, applicant, { method: 'GET', url: '/agreements?kind=utilization' })).json().items;
  t.equal(agreements.length, results[0]!.statusCode === 200 ? 1 : 0, 'an agreement only if the approval won');
});
