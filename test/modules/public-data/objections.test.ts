// Art. 22: quality objections to published entries, through the HTTP API (the deadline's clock set
// back through the service, as identity's expiry test does).
import { eq } from 'drizzle-orm';
import t from 'tap';
import { auditEvents } from '../../../src/modules/audit/tables.js';
import { raiseObjection as raiseObjectionService } from '../../../src/modules/public-data/objections.js';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { createVerifiedParty, registerParty } from '../../helpers/identity.js';
import { personSecrets, assertNoLeaks } from '../../helpers/leaks.js';
import { answerObjection, raiseObjection, sampleObjection, uploadEvidence } from '../../helpers/objections.js';
import { department, draftEntry, publishedEntry } from '../../helpers/public-data.js';
import { verifiedUser } from '../../helpers/trading.js';

async function world(t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const dept = await department(app, clerk);
  const entry = await publishedEntry(app, dept.user, bureau);
  // A name of their own, so the privacy checks can look for it.
  const person = await signUp(app, ['buyer'], 'wang-xiaoming');
  const party = await createVerifiedParty(app, person, clerk);
  const objector = { user: { ...person, auth: { ...person.auth, 'x-party-id': party.id } }, party, secrets: personSecrets('objector', { ...person, displayName: 'wang-xiaoming' }) };
  return { app, clerk, bureau, dept, entry, objector };
}

t.test('an error reported with a file is confirmed and corrected by a new version that names it; the objector reads the answer', async (t) => {
  const { app, clerk, dept, entry, objector } = await world(t);
  const raised = await raiseObjection(app, objector.user, entry.id, { evidenceFileId: await uploadEvidence(app, objector.user) });
  t.match(raised, { status: 'open', objectorPartyId: objector.party.id, deadline: { workingDays: 5, provisional: false }, evidenceFile: { filename: 'yearbook.pdf' }, overdue: false });

  const reader = await verifiedUser(app, ['buyer'], clerk);
  const summary = await as(app, reader.user, { method: 'GET', url: `/public-data/entries/${entry.id}/objections` });
  t.match(summary.json(), { openCount: 1, open: [{ id: raised.id, kind: 'error', status: 'open' }] });
  const secrets = { ...objector.secrets, "objector's party": objector.party.id };
  assertNoLeaks(t, summary.json(), secrets, 'a third party reading the entry');
  expectProblem(t, await as(app, reader.user, { method: 'GET', url: `/public-data/objections/${raised.id}` }), 404, 'not-found');

  const seen = await as(app, dept.user, { method: 'GET', url: `/public-data/objections/${raised.id}` });
  t.equal(seen.json().objectorPartyId, objector.party.id, 'the department sees the objecting party');
  assertNoLeaks(t, seen.json(), objector.secrets, 'the department reading the objection');
  const listed = await as(app, dept.user, { method: 'GET', url: '/public-data/objections?status=open' });
  t.same(listed.json().items.map((o: { id: string }) => o.id), [raised.id]);
  assertNoLeaks(t, listed.json(), objector.secrets, "the department's list");
  const evidence = await as(app, dept.user, { method: 'GET', url: `/public-data/objections/${raised.id}/evidence` });
  t.equal(evidence.statusCode, 200);
  t.equal(evidence.body, '%PDF-1.4 yearbook page 12');

  const confirmed = await answerObjection(app, dept.user, raised.id, { answer: 'confirmed' });
  t.equal(confirmed.json().status, 'confirmed');
  const corrected = await as(app, dept.user, {
    method: 'POST',
    url: `/public-data/entries/${entry.id}/versions?filename=data.csv&note=${encodeURIComponent('更正2024年1月客运量')}&objection=${raised.id}`,
    headers: { 'content-type': 'text/csv' },
    payload: 'month,passengers\n2024-01,1234\n',
  });
  t.equal(corrected.statusCode, 201);
  t.match(corrected.json(), { number: 2, changeNote: `更正2024年1月客运量 (corrects objection ${raised.id})` });

  const answer = await as(app, objector.user, { method: 'GET', url: `/public-data/objections/${raised.id}` });
  t.match(answer.json(), { status: 'corrected', correctionVersionId: corrected.json().id });
  t.ok(answer.json().answeredAt && answer.json().closedAt);
  t.equal((await as(app, reader.user, { method: 'GET', url: `/public-data/entries/${entry.id}/objections` })).json().openCount, 0);
  expectProblem(t, await answerObjection(app, dept.user, raised.id, { answer: 'rejected', reasons: '晚了' }), 409, 'invalid-state');
  const deptEvents = await as(app, dept.user, { method: 'GET', url: `/parties/${dept.party.id}/audit-events?limit=50` });
  t.ok(deptEvents.json().items.some((e: { action: string }) => e.action === 'public_data.objection_corrected'));
  assertNoLeaks(t, deptEvents.json(), objector.secrets, "the department's audit events");
  const events = await as(app, objector.user, { method: 'GET', url: `/parties/${objector.party.id}/audit-events?limit=50` });
  const actions = events.json().items.map((e: { action: string }) => e.action);
  for (const action of ['public_data.objection_raised', 'public_data.objection_confirmed', 'public_data.objection_corrected']) t.ok(actions.includes(action), action);
});

t.test('a doubt is rejected with reasons; the objector reads them; only the department answers, once', async (t) => {
  const { app, clerk, bureau, dept, entry, objector } = await world(t);
  const raised = await raiseObjection(app, objector.user, entry.id, { kind: 'doubt', evidenceText: undefined });
  expectProblem(t, await answerObjection(app, dept.user, raised.id, { answer: 'rejected' }), 400, 'validation-failed');
  expectProblem(t, await answerObjection(app, dept.user, raised.id, { answer: 'rejected', reasons: '   ' }), 400, 'validation-failed');
  const other = await department(app, clerk);
  expectProblem(t, await answerObjection(app, other.user, raised.id, { answer: 'rejected', reasons: '不是我们的数据' }), 404, 'not-found');
  expectProblem(t, await answerObjection(app, bureau, raised.id, { answer: 'confirmed' }), 403, 'forbidden');

  // Two answers at once: one wins, the other finds it answered.
  const answers = await Promise.all([
    answerObjection(app, dept.user, raised.id, { answer: 'rejected', reasons: '数据与统计局公报一致，年鉴口径不同' }),
    answerObjection(app, dept.user, raised.id, { answer: 'confirmed' }),
  ]);
  t.same(answers.map((r) => r.statusCode).sort(), [200, 409]);
  const winner = answers.find((r) => r.statusCode === 200)!.json();
  const read = await as(app, objector.user, { method: 'GET', url: `/public-data/objections/${raised.id}` });
  t.equal(read.json().status, winner.status);
  if (winner.status === 'rejected') t.equal(read.json().reasons, '数据与统计局公报一致，年鉴口径不同');
  expectProblem(t, await answerObjection(app, dept.user, raised.id, { answer: 'rejected', reasons: '再次' }), 409, 'invalid-state');
  const mine = await as(app, objector.user, { method: 'GET', url: '/public-data/objections' });
  t.same(mine.json().items.map((o: { id: string }) => o.id), [raised.id]);
});

t.test('objections that cannot be raised, and bad input', async (t) => {
  const { app, clerk, bureau, dept, entry, objector } = await world(t);
  const draft = await draftEntry(app, dept.user);
  expectProblem(t, await as(app, objector.user, { method: 'POST', url: '/public-data/objections', payload: sampleObjection(draft.id) }), 400, 'validation-failed');
  // A draft answers as an id that names nothing: its existence is not revealed.
  const none = await as(app, objector.user, { method: 'POST', url: '/public-data/objections', payload: sampleObjection('00000000-0000-4000-8000-000000000000') });
  t.equal(none.json().detail, expectProblem(t, await as(app, objector.user, { method: 'POST', url: '/public-data/objections', payload: sampleObjection(draft.id) }), 400, 'validation-failed').detail);
  const unverified = await signUp(app, ['buyer'], 'unverified');
  const party = await registerParty(app, unverified);
  const asUnverified = { ...unverified, auth: { ...unverified.auth, 'x-party-id': party.id } };
  expectProblem(t, await as(app, asUnverified, { method: 'POST', url: '/public-data/objections', payload: sampleObjection(entry.id) }), 403, 'party-not-verified');
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: '/public-data/objections', payload: sampleObjection(entry.id) }), 409, 'invalid-state');
  for (const bad of [{ kind: 'complaint' }, { description: '' }, { entryId: 'not-a-uuid' }, { extra: 1 }]) {
    expectProblem(t, await as(app, objector.user, { method: 'POST', url: '/public-data/objections', payload: sampleObjection(entry.id, bad) }), 400, 'validation-failed');
  }
  const stranger = await verifiedUser(app, ['buyer'], clerk);
  const foreign = await as(app, stranger.user, { method: 'POST', url: '/public-data/objection-evidence', headers: { 'content-type': 'text/plain' }, payload: 'x' });
  expectProblem(t, await as(app, objector.user, { method: 'POST', url: '/public-data/objections', payload: sampleObjection(entry.id, { evidenceFileId: foreign.json().id }) }), 422, 'unknown-evidence');
  const raised = await raiseObjection(app, objector.user, entry.id);
  expectProblem(t, await answerObjection(app, dept.user, raised.id, { answer: 'maybe' }), 400, 'validation-failed');
  expectProblem(t, await as(app, dept.user, { method: 'PUT', url: '/public-data/settings', payload: { objectionAnswerWorkingDays: 1 } }), 403, 'forbidden');
  expectProblem(t, await as(app, bureau, { method: 'PUT', url: '/public-data/settings', payload: { objectionAnswerWorkingDays: 0 } }), 400, 'validation-failed');
  t.equal((await as(app, objector.user, { method: 'GET', url: '/public-data/settings' })).json().objectionAnswerWorkingDays, 5);
});

t.test('the bureau sets 3 working days: a new objection counts them across the 2026 National Day week', async (t) => {
  const { app, bureau, entry, objector } = await world(t);
  const caller = (at: string) => ({
    actor: { userId: objector.user.id, roles: ['buyer' as const], role: 'buyer' as const, partyId: objector.party.id },
    audit: { userId: objector.user.id, partyId: objector.party.id, role: 'buyer', ip: null, requestId: `received ${at}` },
  });
  const raiseAt = async (at: string) => {
    const o = await raiseObjectionService(app.db, caller(at), { entryId: entry.id, kind: 'error', description: '数据有误' }, new Date(at));
    return (await as(app, objector.user, { method: 'GET', url: `/public-data/objections/${o.id}` })).json();
  };
  // Default 5: received Wed 30 Sep; 1-7 Oct off; Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13.
  t.match((await raiseAt('2026-09-30T10:00:00+08:00')).deadline, { workingDays: 5, dueDate: '2026-10-13', dueAt: '2026-10-13T15:59:59.999Z', provisional: false, calendarVersions: { 2026: 1 } });
  const set = await as(app, bureau, { method: 'PUT', url: '/public-data/settings', payload: { objectionAnswerWorkingDays: 3 } });
  t.same(set.json(), { objectionAnswerWorkingDays: 3 });
  // 3: Thu 8, Fri 9, Sat 10 October (make-up working day).
  t.match((await raiseAt('2026-09-30T10:00:00+08:00')).deadline, { workingDays: 3, dueDate: '2026-10-10', dueAt: '2026-10-10T15:59:59.999Z' });
  // Received Fri 18 Sep: Sat 19 is a rest day, Sun 20 a make-up working day; then Mon 21, Tue 22.
  t.match((await raiseAt('2026-09-18T16:00:00+08:00')).deadline, { dueDate: '2026-09-22' });
  const events = await app.db.select().from(auditEvents).where(eq(auditEvents.action, 'public_data.setting_changed'));
  t.match(events, [{ actorUserId: bureau.id, payload: { key: 'objection_answer_working_days', from: 5, to: 3 } }]);

  // A deadline in a year not loaded yet is provisional; the bureau's load of 2027 recomputes it.
  const late = await raiseAt('2026-12-30T10:00:00+08:00');
  t.match(late.deadline, { dueDate: '2027-01-04', provisional: true });
  const load = await as(app, bureau, {
    method: 'PUT',
    url: '/calendar/years/2027',
    payload: { notice: { reference: '国办发明电〔2026〕1号' }, days: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }] },
  });
  t.equal(load.statusCode, 201);
  t.match(load.json().recomputed, [{ holder: 'publicdata.objections', deadlines: 1 }]);
  const after = (await as(app, objector.user, { method: 'GET', url: `/public-data/objections/${late.id}` })).json();
  t.match(after.deadline, { dueDate: '2027-01-05', provisional: false, calendarVersions: { 2026: 1, 2027: 1 } });

  // Overdue unanswered objections, for the department and the bureau.
  const overdue = await as(app, bureau, { method: 'GET', url: '/public-data/objections?overdue=true' });
  t.equal(overdue.json().items.length, 3, 'the September objections are past their deadlines');
  t.ok(overdue.json().items.every((o: { overdue: boolean }) => o.overdue));
});
