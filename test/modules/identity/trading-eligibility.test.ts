import t from 'tap';
import { systemActor } from '../../../src/modules/audit/events.js';
import { IdentityCipher } from '../../../src/modules/identity/crypto.js';
import { decideVerification, requireVerifiedParty, type IdentityContext } from '../../../src/modules/identity/service.js';
import { operatorReview, type PartyVerifier } from '../../../src/modules/identity/verifier.js';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { createVerifiedParty, fullChecklist, registerParty, submitParty } from '../../helpers/identity.js';

t.test('trading needs a party: none, unverified, submitted', async (t) => {
  const app = await buildTestApp(t);
  const buyer = await signUp(app, ['buyer']);
  const none = expectProblem(t, await as(app, buyer, { method: 'GET', url: '/me/acting-party' }), 403, 'party-required');
  t.match(none.detail, /X-Party-Id/);
  const party = await registerParty(app, buyer, 'person');
  t.match(expectProblem(t, await as(app, buyer, { method: 'GET', url: '/me/acting-party' }), 403, 'party-not-verified'), { verificationStatus: 'unverified' });
  await submitParty(app, buyer, party);
  t.match(expectProblem(t, await as(app, buyer, { method: 'GET', url: '/me/acting-party' }), 403, 'party-not-verified'), { verificationStatus: 'submitted' });
  await t.rejects(requireVerifiedParty(app.db, null), { code: 'party-required' }, 'the function itself, as other modules call it');
});

t.test('nobody verifies their own party; buyers cannot review at all', async (t) => {
  const app = await buildTestApp(t);
  const buyer = await signUp(app, ['buyer']);
  const staffBuyer = await signUp(app, ['operator', 'buyer'], 'staff-buyer');
  const review = { decision: 'verified', checklist: fullChecklist };
  const party = await registerParty(app, buyer, 'person');
  await submitParty(app, buyer, party);
  expectProblem(t, await as(app, buyer, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: review }), 403, 'forbidden');

  const own = await registerParty(app, staffBuyer, 'person');
  await submitParty(app, staffBuyer, own);
  const selfReview = expectProblem(t, await as(app, staffBuyer, { method: 'POST', url: `/parties/${own.id}/reviews`, payload: review }), 403, 'forbidden');
  t.match(selfReview.detail, /member/);
  t.equal((await as(app, staffBuyer, { method: 'GET', url: `/parties/${own.id}` })).json().verificationStatus, 'submitted');
});

t.test('an expired verification stops trading until renewed', async (t) => {
  const app = await buildTestApp(t);
  const seller = await signUp(app, ['provider']);
  const operator = await signUp(app, ['operator']);
  const party = await registerParty(app, seller, 'company');
  await submitParty(app, seller, party);
  // Verified thirteen months ago, through the service with its clock set back.
  const ctx: IdentityContext = {
    db: app.db,
    blobs: app.blobs,
    cipher: new IdentityCipher(app.config.identityKey),
    verifier: operatorReview,
    verificationMonths: 12,
    documentMaxBytes: 1024,
  };
  const longAgo = new Date(Date.now() - 395 * 86_400_000);
  await decideVerification(ctx, systemActor(), operator.id, party.id, { decision: 'verified', checklist: fullChecklist, reasons: '' }, 'operator', longAgo);

  const expired = expectProblem(t, await as(app, seller, { method: 'GET', url: '/me/acting-party' }), 403, 'party-not-verified');
  t.match(expired, { verificationStatus: 'expired', detail: /renew/ });
  t.equal((await as(app, seller, { method: 'GET', url: `/parties/${party.id}` })).json().verificationStatus, 'expired');

  const renewal = await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` });
  t.equal(renewal.json().verificationStatus, 'submitted');
  t.equal((await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: { decision: 'verified', checklist: fullChecklist } })).statusCode, 200);
  t.equal((await as(app, seller, { method: 'GET', url: '/me/acting-party' })).statusCode, 200, 'renewed');
  const submitted = (await as(app, operator, { method: 'GET', url: `/audit/events?action=party.verification_submitted&subjectId=${party.id}&order=asc` })).json();
  t.same(submitted.items.map((e: { payload: { renewal: boolean } }) => e.payload.renewal), [false, true]);
});

t.test('a suspended party cannot trade until reinstated', async (t) => {
  const app = await buildTestApp(t);
  const seller = await signUp(app, ['provider']);
  const operator = await signUp(app, ['operator']);
  const party = await createVerifiedParty(app, seller, operator);
  t.equal((await as(app, seller, { method: 'GET', url: '/me/acting-party' })).statusCode, 200);

  expectProblem(t, await as(app, seller, { method: 'POST', url: `/parties/${party.id}/suspension`, payload: { reason: 'self-service' } }), 403, 'forbidden');
  const suspended = await as(app, operator, { method: 'POST', url: `/parties/${party.id}/suspension`, payload: { reason: 'Licence revoked by the market regulator' } });
  t.match(suspended.json(), { verificationStatus: 'suspended', suspensionReason: 'Licence revoked by the market regulator' });
  // Its own members are told the reason; the check other modules make for either side of a trade does not tell it.
  t.match(expectProblem(t, await as(app, seller, { method: 'GET', url: '/me/acting-party' }), 403, 'party-suspended'), { partyId: party.id, reason: 'Licence revoked by the market regulator' });
  await t.rejects(requireVerifiedParty(app.db, party.id), { code: 'party-suspended', extensions: { verificationStatus: 'suspended', partyId: party.id } });
  t.notOk(JSON.stringify(await requireVerifiedParty(app.db, party.id).catch((e: { extensions: unknown }) => e.extensions)).includes('Licence'), 'no reason');
  expectProblem(t, await as(app, operator, { method: 'POST', url: `/parties/${party.id}/suspension`, payload: { reason: 'again' } }), 409, 'invalid-state');

  await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reinstatement`, payload: { reason: 'Licence restored' } });
  t.same(await requireVerifiedParty(app.db, party.id), { id: party.id, legalName: party.legalName, kind: 'company', overseas: false });
  const events = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectId=${party.id}&order=asc` })).json();
  t.match(events.items.slice(-2), [{ action: 'party.suspended', actor: { userId: operator.id } }, { action: 'party.reinstated' }]);
});

t.test('a verifier plug-in can decide a submission in place of an operator', async (t) => {
  const seen: string[] = [];
  const registry: PartyVerifier = {
    name: 'test-registry',
    check: async (party) => {
      seen.push(party.identityNumber);
      return { decision: 'verified', checklist: fullChecklist, reasons: 'found in the registry' };
    },
  };
  const app = await buildTestApp(t, {}, { identityVerifier: registry });
  const buyer = await signUp(app, ['buyer']);
  const party = await registerParty(app, buyer, 'person');
  await submitParty(app, buyer, party);
  t.same(seen, [party.identityNumber], 'the verifier receives the full number');
  const view = (await as(app, buyer, { method: 'GET', url: `/parties/${party.id}` })).json();
  t.match(view, { verificationStatus: 'verified', lastReview: { verifier: 'test-registry', reasons: 'found in the registry' } });
});

t.test('a verification renewed in its last weeks keeps the party trading while it is reviewed', async (t) => {
  // Verifications of one month: every verified party is inside the renewal window at once.
  const app = await buildTestApp(t, { identityVerificationMonths: 1 });
  const seller = await signUp(app, ['provider']);
  const operator = await signUp(app, ['operator']);
  const party = await createVerifiedParty(app, seller, operator);
  const firstUntil = (await as(app, seller, { method: 'GET', url: `/parties/${party.id}` })).json().verifiedUntil;

  const renewal = await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` });
  t.equal(renewal.json().verificationStatus, 'submitted');
  t.equal((await as(app, seller, { method: 'GET', url: '/me/acting-party' })).statusCode, 200, 'still trading while the renewal is reviewed');

  const ask = { decision: 'needs_more_info', checklist: { ...fullChecklist, documentsLegibleAndCurrent: false }, reasons: '营业执照已过期，请上传新证' };
  t.equal((await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: ask })).statusCode, 200);
  t.equal((await as(app, seller, { method: 'GET', url: '/me/acting-party' })).statusCode, 200, 'and while more is asked for');

  t.equal((await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` })).statusCode, 200);
  t.equal((await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: { decision: 'verified', checklist: fullChecklist } })).statusCode, 200);
  const renewed = (await as(app, seller, { method: 'GET', url: `/parties/${party.id}` })).json();
  t.equal(renewed.verificationStatus, 'verified');
  t.ok(Date.parse(renewed.verifiedUntil) > Date.parse(firstUntil), 'the verification runs from the renewal');
  const submitted = (await as(app, operator, { method: 'GET', url: `/audit/events?action=party.verification_submitted&subjectId=${party.id}&order=asc` })).json();
  t.same(submitted.items.map((e: { payload: { renewal: boolean } }) => e.payload.renewal), [false, true, true]);
});

t.test('a rejected renewal, or a changed name during one, stops trading at once', async (t) => {
  const app = await buildTestApp(t, { identityVerificationMonths: 1 });
  const operator = await signUp(app, ['operator']);
  const seller = await signUp(app, ['provider']);
  const party = await createVerifiedParty(app, seller, operator);
  await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` });
  const reject = { decision: 'rejected', checklist: { ...fullChecklist, identityNumberMatchesDocuments: false }, reasons: '证照号码不一致' };
  t.equal((await as(app, operator, { method: 'POST', url: `/parties/${party.id}/reviews`, payload: reject })).statusCode, 200);
  t.match(expectProblem(t, await as(app, seller, { method: 'GET', url: '/me/acting-party' }), 403, 'party-not-verified'), { verificationStatus: 'rejected' });

  const other = await signUp(app, ['provider']);
  const second = await createVerifiedParty(app, other, operator);
  await as(app, other, { method: 'POST', url: `/parties/${second.id}/submission` });
  const ask = { decision: 'needs_more_info', checklist: { ...fullChecklist, legalNameMatchesDocuments: false }, reasons: '名称与执照不符' };
  await as(app, operator, { method: 'POST', url: `/parties/${second.id}/reviews`, payload: ask });
  t.equal((await as(app, other, { method: 'GET', url: '/me/acting-party' })).statusCode, 200);
  t.equal((await as(app, other, { method: 'PATCH', url: `/parties/${second.id}`, payload: { legalName: '重庆改名数据有限公司' } })).statusCode, 200);
  expectProblem(t, await as(app, other, { method: 'GET', url: '/me/acting-party' }), 403, 'party-not-verified');
});

t.test('a renewal cannot start long before the verification ends', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const seller = await signUp(app, ['provider']);
  const party = await createVerifiedParty(app, seller, operator);
  const early = expectProblem(t, await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` }), 409, 'invalid-state');
  t.match(early.detail, /renewed from 60 days before it ends/);
  t.equal((await as(app, seller, { method: 'GET', url: '/me/acting-party' })).statusCode, 200, 'nothing changed');
});
