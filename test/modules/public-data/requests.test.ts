import t from 'tap';
import { as, buildTestApp, expectProblem } from '../../helpers/app.js';
import { answer, applyFor, auditActions, headApproval, requestWorld, signAgreementOf } from '../../helpers/public-data-requests.js';
import { conditionalOpen, publishedEntry, uploadDataVersion } from '../../helpers/public-data.js';
import { sweepPublicDataRequests } from '../../../src/modules/public-data/request-sweep.js';

t.test('a company requests conditional data; the department extends, approves; both sign; the bureau has its copy; the company downloads in its term', async (t) => {
  const app = await buildTestApp(t);
  const { bureau, dept, applicant, applicantParty, entry } = await requestWorld(app);
  const other = await publishedEntry(app, dept.user, bureau, { open: conditionalOpen });
  const download = (id: string, versionId: string) => as(app, applicant, { method: 'GET', url: `/public-data/entries/${id}/versions/${versionId}/download` });
  expectProblem(t, await download(entry.id, entry.version.id), 403, 'conditional-request-required');

  const made = await applyFor(app, applicant, [entry.id]);
  t.match(made, { kind: 'open', state: 'received', applicantPartyId: applicantParty.id, departmentPartyId: dept.party.id, deadline: { answerWorkingDays: 10, provisional: false }, extension: null, answer: null, agreementId: null, nextSteps: [] });
  t.ok(Object.keys(made.deadline.calendarVersions).length > 0, 'the calendar versions the deadline was counted on are kept');

  const asDept = await as(app, dept.user, { method: 'GET', url: `/public-data/requests/${made.id}` });
  t.same(asDept.json().nextSteps, ['extend', 'approve', 'refuse'], 'the department sees what it may do');
  const extended = await as(app, dept.user, { method: 'POST', url: `/public-data/requests/${made.id}/extension`, payload: headApproval(10) });
  t.equal(extended.statusCode, 200, extended.body);
  t.match(extended.json(), { state: 'extended', nextSteps: ['approve', 'refuse'], extension: { workingDays: 10, approverName: '王建国', approverTitle: '主任', reason: '数据量大，需脱敏复核', previousDueAt: made.deadline.dueAt } });
  t.ok(Date.parse(extended.json().deadline.dueAt) > Date.parse(made.deadline.dueAt), 'the deadline moved later');

  const approved = await answer(app, dept.user, made.id, { decision: 'approve' });
  t.equal(approved.statusCode, 200, approved.body);
  const { agreementId } = approved.json();
  t.match(approved.json(), { state: 'approved', approvedEntryIds: [entry.id], agreementId: /^[0-9a-f-]{36}$/, answer: { decision: 'approved' }, nextSteps: ['sign_agreement'] });
  const mine = (await as(app, applicant, { method: 'GET', url: '/public-data/requests' })).json();
  t.match(mine.items, [{ id: made.id, state: 'approved', agreementId, nextSteps: ['sign_agreement'] }], 'the applicant lists its request with its agreement');
  const agreement = (await as(app, applicant, { method: 'GET', url: `/agreements/${agreementId}` })).json();
  t.match(agreement, { kind: 'utilization', status: 'draft', sourceReference: made.id });

  expectProblem(t, await download(entry.id, entry.version.id), 403, 'agreement-not-signed');
  const signed = await signAgreementOf(app, agreementId, [dept.user, applicant]);
  t.equal(signed.status, 'signed', 'both signed and the exchange sealed');
  const inbox = (await as(app, bureau, { method: 'GET', url: '/bureau/agreement-inbox' })).json();
  t.match(inbox.items, [{ sourceReference: made.id, agreement: { id: agreementId, status: 'signed' } }], 'the bureau has its copy (抄送)');

  const ok = await download(entry.id, entry.version.id);
  t.equal(ok.statusCode, 200, ok.body);
  t.equal((await as(app, dept.user, { method: 'GET', url: `/public-data/entries/${entry.id}` })).json().downloadCount, 1, 'downloads stay counted');
  t.ok((await auditActions(app, entry.id)).includes('public_data.downloaded'), 'downloads stay audited');
  t.same(await auditActions(app, made.id), ['public_data.request_received', 'public_data.request_extend', 'public_data.request_approve'], 'every step is audited');
  expectProblem(t, await download(other.id, other.version.id), 403, 'entry-not-granted');

  t.same(await sweepPublicDataRequests(app.db), { flagged: 0, moved: 1 });
  t.equal((await as(app, applicant, { method: 'GET', url: `/public-data/requests/${made.id}` })).json().state, 'active', 'the term has begun: active');
  t.equal((await as(app, bureau, { method: 'GET', url: `/public-data/requests/${made.id}` })).statusCode, 200, 'the bureau reads every request');
});

t.test('a request whose term has ended gives no access, nor one never signed, nor for an entry it does not list', async (t) => {
  const app = await buildTestApp(t);
  const { bureau, dept, applicant, entry } = await requestWorld(app);
  const second = await publishedEntry(app, dept.user, bureau, { open: conditionalOpen });
  const newer = await uploadDataVersion(app, dept.user, second.id);

  const past = await applyFor(app, applicant, [entry.id], { start: '2025-01-01', end: '2025-06-30' });
  const { agreementId } = (await answer(app, dept.user, past.id, { decision: 'approve' })).json();
  await signAgreementOf(app, agreementId, [dept.user, applicant]);
  const ended = expectProblem(t, await as(app, applicant, { method: 'GET', url: `/public-data/entries/${entry.id}/versions/${entry.version.id}/download` }), 403, 'request-term-outside');
  t.match(ended.detail, /Art\. 19 ¶2 \(.*使用期限/);
  t.match(ended, { terms: [{ start: '2025-01-01', end: '2025-06-30' }] });
  t.same(await sweepPublicDataRequests(app.db), { flagged: 0, moved: 1 });
  t.equal((await as(app, applicant, { method: 'GET', url: `/public-data/requests/${past.id}` })).json().state, 'ended');

  const both = await applyFor(app, applicant, [entry.id, second.id]);
  const partly = await answer(app, dept.user, both.id, { decision: 'approve', entryIds: [entry.id] });
  t.same(partly.json().approvedEntryIds, [entry.id], 'the department may approve part of a request');
  expectProblem(t, await as(app, applicant, { method: 'GET', url: `/public-data/entries/${second.id}/versions/${newer.id}/download` }), 403, 'entry-not-granted');
  expectProblem(t, await as(app, applicant, { method: 'GET', url: `/public-data/entries/${entry.id}/versions/${entry.version.id}/download` }), 403, 'agreement-not-signed');
});
