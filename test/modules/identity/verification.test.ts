import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { createVerifiedParty, fullChecklist, registerParty, submitParty } from '../../helpers/identity.js';

t.test('a company goes from registration to verified, and may then trade', async (t) => {
  const app = await buildTestApp(t);
  const seller = await signUp(app, ['provider']);
  const operator = await signUp(app, ['operator']);
  const party = await registerParty(app, seller, 'company');

  const created = (await as(app, seller, { method: 'GET', url: `/parties/${party.id}` })).json();
  t.equal(created.verificationStatus, 'unverified');
  t.equal(created.identityNumberMasked, party.identityNumber.slice(0, 4) + '*'.repeat(10) + party.identityNumber.slice(-4));
  expectProblem(t, await as(app, seller, { method: 'GET', url: '/me/acting-party' }), 403, 'party-not-verified');

  await submitParty(app, seller, party);
  const queue = (await as(app, operator, { method: 'GET', url: '/parties?status=submitted' })).json();
  t.same(queue.items.map((p: { id: string }) => p.id), [party.id], 'the submission is in the review queue');

  const reviewed = await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: { decision: 'verified', checklist: fullChecklist } });
  t.equal(reviewed.statusCode, 200);
  const view = reviewed.json();
  t.equal(view.verificationStatus, 'verified');
  t.match(view.lastReview, { decision: 'verified', verifier: 'operator', checklist: fullChecklist });
  const months = (Date.parse(view.verifiedUntil) - Date.parse(view.verifiedAt)) / (30.4 * 86_400_000);
  t.ok(months > 11.9 && months < 12.1, 'verified for 12 months by default');

  const acting = await as(app, seller, { method: 'GET', url: '/me/acting-party' });
  t.equal(acting.statusCode, 200);
  t.same(acting.json(), { id: party.id, legalName: party.legalName, kind: 'company', overseas: false });

  const events = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectType=party&subjectId=${party.id}&order=asc` })).json();
  t.same(events.items.map((e: { action: string }) => e.action), [
    'party.registered',
    'party.document_added',
    'party.verification_submitted',
    'party.verification_decided',
  ]);
  t.equal(events.items[2].actor.partyId, party.id, 'the acting party is recorded on the audit event');
});

t.test('a natural person is verified without documents', async (t) => {
  const app = await buildTestApp(t);
  const buyer = await signUp(app, ['buyer']);
  const operator = await signUp(app, ['operator']);
  const party = await createVerifiedParty(app, buyer, operator, 'person');
  const view = (await as(app, buyer, { method: 'GET', url: `/parties/${party.id}` })).json();
  t.equal(view.kind, 'person');
  t.equal(view.identityScheme, 'resident_id');
  t.equal(view.verificationStatus, 'verified');
});

t.test('rejection with reasons, correction and resubmission', async (t) => {
  const app = await buildTestApp(t);
  const seller = await signUp(app, ['provider']);
  const operator = await signUp(app, ['operator']);
  const party = await registerParty(app, seller, 'company');
  await submitParty(app, seller, party);

  const noReason = expectProblem(t, await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: { decision: 'rejected', checklist: { ...fullChecklist, legalNameMatchesDocuments: false } } }), 400, 'validation-failed');
  t.match(noReason.detail, /reasons/);
  const halfChecked = expectProblem(t, await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: { decision: 'verified', checklist: { ...fullChecklist, representativeConfirmed: false } } }), 400, 'validation-failed');
  t.match(halfChecked.detail, /checklist/);

  const rejected = await as(app, operator, {
    method: 'POST',
    url: `/parties/${party.id}/reviews`,
    payload: { decision: 'rejected', checklist: { ...fullChecklist, legalNameMatchesDocuments: false }, reasons: 'The name on the licence differs.' },
  });
  t.equal(rejected.json().verificationStatus, 'rejected');
  t.match((await as(app, seller, { method: 'GET', url: `/parties/${party.id}` })).json().lastReview, { decision: 'rejected', reasons: 'The name on the licence differs.' });
  const blocked = expectProblem(t, await as(app, seller, { method: 'GET', url: '/me/acting-party' }), 403, 'party-not-verified');
  t.match(blocked, { verificationStatus: 'rejected' });

  const fixed = await as(app, seller, { method: 'PATCH', url: `/parties/${party.id}`, payload: { legalName: '重庆正确名称有限公司' } });
  t.equal(fixed.statusCode, 200);
  t.equal((await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` })).json().verificationStatus, 'submitted');
  expectProblem(t, await as(app, seller, { method: 'PATCH', url: `/parties/${party.id}`, payload: { legalName: 'changed while in review' } }), 409, 'invalid-state');
  expectProblem(t, await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` }), 409, 'invalid-state');

  const more = await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: { decision: 'needs_more_info', checklist: fullChecklist, reasons: 'Send the authorisation letter.' } });
  t.equal(more.json().verificationStatus, 'needs_more_info');
  t.match(expectProblem(t, await as(app, seller, { method: 'GET', url: '/me/acting-party' }), 403, 'party-not-verified'), { verificationStatus: 'needs_more_info' });
  t.equal((await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` })).statusCode, 200);
  t.equal((await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: { decision: 'verified', checklist: fullChecklist } })).json().verificationStatus, 'verified');
  expectProblem(t, await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: { decision: 'verified', checklist: fullChecklist } }), 409, 'invalid-state');
});

t.test('a company cannot submit without its business licence', async (t) => {
  const app = await buildTestApp(t);
  const seller = await signUp(app, ['provider']);
  const party = await registerParty(app, seller, 'company');
  const res = expectProblem(t, await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` }), 409, 'invalid-state');
  t.match(res, { missingDocument: 'business_licence' });
});
