import t from 'tap';
import { dueAfterWorkingDays, loadWorkingCalendar } from '../../../src/modules/calendar/index.js';
import { extendRequestDeadline } from '../../../src/modules/public-data/request-answer.js';
import { submitOpenRequest, submitSharingRequest } from '../../../src/modules/public-data/request-receipt.js';
import { flagOverdueRequests } from '../../../src/modules/public-data/request-sweep.js';
import { as, buildTestApp, expectProblem } from '../../helpers/app.js';
import { answer, auditActions, callerFor, headApproval, openRequestBody, requestWorld, sharingRequestBody } from '../../helpers/public-data-requests.js';
import { department, notOpen, publishedEntry, statute } from '../../helpers/public-data.js';

const shanghai = (local: string) => new Date(`${local}+08:00`);

t.test('ten working days across National Day 2026, and an extension of ten from the day after', async (t) => {
  const app = await buildTestApp(t);
  const { dept, applicant, applicantParty, entry } = await requestWorld(app);
  const applicantCaller = callerFor(applicant, applicantParty);
  const deptCaller = callerFor(dept.user, dept.party);
  // Received Monday 28 September: 29, 30 September; 1-7 October are the holiday; 8, 9, Saturday 10
  // (a make-up working day), 12-16 October. Due Friday 16 October.
  const r = await submitOpenRequest(app.db, applicantCaller, openRequestBody([entry.id]), shanghai('2026-09-28T10:15:00'));
  t.match(r, { dueDate: '2026-10-16', deadlineProvisional: false, calendarVersions: { 2026: 1 }, answerDays: 10 });
  t.equal(r.dueAt.toISOString(), '2026-10-16T15:59:59.999Z', 'the end of the day in Shanghai');
  // Extended on 12 October by ten from Saturday 17 October: 19-23 and 26-30 October.
  const extended = await extendRequestDeadline(app.db, deptCaller, r.id, headApproval(10, shanghai('2026-10-12T09:00:00')), shanghai('2026-10-12T09:00:00'));
  t.match(extended, { state: 'extended', dueDate: '2026-10-30', extension: { workingDays: 10, previousDueAt: '2026-10-16T15:59:59.999Z' } });
  const read = (await as(app, applicant, { method: 'GET', url: `/public-data/requests/${r.id}` })).json();
  t.match(read.deadline, { dueDate: '2026-10-30', provisional: false, answerWorkingDays: 10 });

  const late = await submitOpenRequest(app.db, applicantCaller, openRequestBody([entry.id]), shanghai('2026-09-28T10:15:00'));
  await t.rejects(extendRequestDeadline(app.db, deptCaller, late.id, headApproval(5, shanghai('2026-10-17T00:00:01')), shanghai('2026-10-17T00:00:01')), { code: 'deadline-passed' }, 'not after the deadline passed');
  await t.rejects(extendRequestDeadline(app.db, deptCaller, late.id, headApproval(11, shanghai('2026-10-16T23:00:00')), shanghai('2026-10-16T23:00:00')), { code: 'extension-too-long' }, 'at most ten');
});

t.test('another department shares within five working days, across the make-up Sunday and Mid-Autumn', async (t) => {
  const app = await buildTestApp(t);
  const { clerk, bureau, dept } = await requestWorld(app);
  const asker = await department(app, clerk);
  const askerCaller = callerFor(asker.user, asker.party);
  // Not open to the public, shared between departments on conditions (Art. 15 ¶2).
  const shared = await publishedEntry(app, dept.user, bureau, { open: notOpen, sharing: { class: 'conditional', conditions: '仅限履职使用', legalBasis: statute } });
  // Received Friday 18 September: Sunday 20 (make-up), 21-24. Due Thursday 24, before Mid-Autumn.
  const r = await submitSharingRequest(app.db, askerCaller, sharingRequestBody([shared.id]), shanghai('2026-09-18T15:00:00'));
  t.match(r, { kind: 'sharing', state: 'received', dueDate: '2026-09-24', answerDays: 5, deadlineProvisional: false });
  // Extended by five from Friday 25: 25-27 Mid-Autumn, 28-30, 1-7 National Day, 8, 9 October.
  const deptCaller = callerFor(dept.user, dept.party);
  await t.rejects(extendRequestDeadline(app.db, deptCaller, r.id, headApproval(6, shanghai('2026-09-23T09:00:00')), shanghai('2026-09-23T09:00:00')), { code: 'extension-too-long' }, 'sharing: at most five');
  const extended = await extendRequestDeadline(app.db, deptCaller, r.id, headApproval(5, shanghai('2026-09-23T09:00:00')), shanghai('2026-09-23T09:00:00'));
  t.equal(extended.dueDate, '2026-10-09');

  const download = () => as(app, asker.user, { method: 'GET', url: `/public-data/entries/${shared.id}/versions/${shared.version.id}/download` });
  expectProblem(t, await download(), 403, 'data-not-open');
  const approved = await answer(app, dept.user, r.id, { decision: 'approve' });
  t.match(approved.json(), { state: 'approved', agreementId: null, approvedEntryIds: [shared.id] }, 'sharing needs no utilization agreement');
  t.equal((await download()).statusCode, 200, 'the requesting department uses the data within its term');

  const open = await publishedEntry(app, dept.user, bureau);
  const atOnce = await as(app, asker.user, { method: 'POST', url: '/public-data/sharing-requests', payload: sharingRequestBody([open.id]) });
  t.match(atOnce.json(), { state: 'approved', answer: { decision: 'approved' }, approvedEntryIds: [open.id] }, 'unconditional sharing is granted on the stated request');
  const closed = await publishedEntry(app, dept.user, bureau, { open: notOpen, sharing: { class: 'not_shared', legalBasis: statute } });
  const refused = expectProblem(t, await as(app, asker.user, { method: 'POST', url: '/public-data/sharing-requests', payload: sharingRequestBody([closed.id]) }), 422, 'data-not-shared');
  t.match(refused, { legalBasis: statute, detail: /Art\. 15 ¶2/ });
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: '/public-data/sharing-requests', payload: sharingRequestBody([open.id]) }), 422, 'own-department-data');
});

t.test('a request received mid-December 2026 has a provisional deadline, final once the bureau loads 2027', async (t) => {
  const app = await buildTestApp(t);
  const { bureau, dept, applicant, applicantParty, entry } = await requestWorld(app);
  // 21-25, 28-31 December are nine; on weekends alone Friday 1 January 2027 is the tenth.
  const r = await submitOpenRequest(app.db, callerFor(applicant, applicantParty), openRequestBody([entry.id]), shanghai('2026-12-18T10:00:00'));
  t.match(r, { dueDate: '2027-01-01', deadlineProvisional: true, calendarVersions: { 2026: 1 } });
  t.match((await as(app, bureau, { method: 'GET', url: '/public-data/request-deadlines/provisional' })).json().items, [{ id: r.id, deadline: { provisional: true } }]);
  expectProblem(t, await as(app, dept.user, { method: 'GET', url: '/public-data/request-deadlines/provisional' }), 403, 'forbidden');

  const load = await as(app, bureau, {
    method: 'PUT',
    url: '/calendar/years/2027',
    payload: { notice: { reference: '国办发明电〔2026〕测试号' }, days: ['2027-01-01', '2027-01-02', '2027-01-03'].map((date) => ({ date, kind: 'holiday', name: '元旦' })) },
  });
  t.equal(load.statusCode, 201, load.body);
  const after = (await as(app, applicant, { method: 'GET', url: `/public-data/requests/${r.id}` })).json();
  t.match(after.deadline, { dueDate: '2027-01-04', provisional: false, calendarVersions: { 2026: 1, 2027: 1 } }, 'New Year’s Day no longer counts: Monday 4 January');
  t.same(await auditActions(app, r.id), ['public_data.request_received', 'public_data.request_deadline_recomputed']);
  t.same((await as(app, bureau, { method: 'GET', url: '/public-data/request-deadlines/provisional' })).json().items, []);
});

t.test('the sweep flags an overdue request once under two concurrent sweeps; supervision lists due and overdue per department', async (t) => {
  const app = await buildTestApp(t);
  const { clerk, bureau, dept, applicant, applicantParty, entry } = await requestWorld(app);
  const caller = callerFor(applicant, applicantParty);
  const overdue = await submitOpenRequest(app.db, caller, openRequestBody([entry.id]), shanghai('2026-09-28T10:15:00'));
  // A receipt whose tenth working day falls within the next two working days from now.
  const now = new Date();
  const calendar = await loadWorkingCalendar(app.db);
  const horizon = dueAfterWorkingDays(calendar, now, 2).dueAt;
  let receivedAt = now;
  for (let d = 1; d < 40; d++) {
    receivedAt = new Date(now.getTime() - d * 86_400_000);
    const due = dueAfterWorkingDays(calendar, receivedAt, 10).dueAt;
    if (due > now && due <= horizon) break;
  }
  const soon = await submitOpenRequest(app.db, caller, openRequestBody([entry.id]), receivedAt);

  const [a, b] = await Promise.all([flagOverdueRequests(app.db, shanghai('2026-10-17T00:00:01')), flagOverdueRequests(app.db, shanghai('2026-10-17T00:00:01'))]);
  t.equal(a + b, 1, 'one of the two sweeps flagged it');
  t.equal(await flagOverdueRequests(app.db), 0, 'a later sweep finds nothing new');
  t.equal((await auditActions(app, overdue.id)).filter((x) => x === 'public_data.request_flagged_overdue').length, 1, 'audited once');
  t.match((await as(app, applicant, { method: 'GET', url: `/public-data/requests/${overdue.id}` })).json(), { overdue: true, state: 'received' });

  const mine = (await as(app, dept.user, { method: 'GET', url: '/public-data/request-deadlines' })).json();
  t.match(mine.items, [{ departmentPartyId: dept.party.id, dueSoon: [{ id: soon.id }], overdue: [{ id: overdue.id }] }]);
  const elsewhere = await department(app, clerk);
  t.same((await as(app, elsewhere.user, { method: 'GET', url: '/public-data/request-deadlines' })).json().items, [], 'another department sees none of them');
  t.equal((await as(app, bureau, { method: 'GET', url: '/public-data/request-deadlines' })).json().items.length, 1, 'the bureau sees every department');
  expectProblem(t, await as(app, applicant, { method: 'GET', url: '/public-data/request-deadlines' }), 403, 'forbidden');
});
