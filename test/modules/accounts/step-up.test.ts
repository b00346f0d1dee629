// Step-up (issue 20): one password check, then several signatures in the same session without
// hashing the password again; a step-up token is the user's and the session's, and only in time.
import argon2 from 'argon2';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { contentHash, draftTrade, recordingEvents, sampleOrder, signAs, signWithStepUp, stepUp } from '../../helpers/agreements.js';
import { createVerifiedParty } from '../../helpers/identity.js';

/** Counts argon2 verifications (the real ones still run): timing-free evidence of how often a password was hashed. */
function countPasswordChecks(t: Test): { count: number } {
  const module = argon2 as { verify: typeof argon2.verify };
  const real = module.verify;
  const counter = { count: 0 };
  module.verify = (...args) => {
    counter.count++;
    return real(...args);
  };
  t.teardown(() => {
    module.verify = real;
  });
  return counter;
}

/** A provider and a buyer, both verified, and `agreements` trade agreements between them to sign. */
async function tradingPair(app: FastifyInstance, agreements: number) {
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const providerParty = await createVerifiedParty(app, provider, operator);
  const buyerParty = await createVerifiedParty(app, buyer, operator);
  const drafted = [];
  for (let i = 0; i < agreements; i++) {
    const { agreementId } = await draftTrade(app, sampleOrder(providerParty.id, buyerParty.id));
    drafted.push({ id: agreementId, hash: await contentHash(app, buyer, agreementId) });
  }
  return { operator, provider, buyer, agreements: drafted };
}

/** The same user in a second session: another login. */
async function secondSession(app: FastifyInstance, user: TestUser): Promise<TestUser> {
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: user.password } });
  const tokens = login.json<{ accessToken: string; refreshToken: string }>();
  return { ...user, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, auth: { authorization: `Bearer ${tokens.accessToken}` } };
}

const auditEvents = async (app: FastifyInstance, operator: TestUser, action: string) =>
  (await as(app, operator, { method: 'GET', url: `/audit/events?action=${action}&order=asc` })).json<{ items: { id: string; subject: { id: string }; payload: Record<string, unknown> }[] }>().items;

t.test('one step-up, several signatures: the password is hashed once, and each signature records the fresh authentication', async (t) => {
  const app = await buildTestApp(t, {}, { orderAgreementEvents: recordingEvents() });
  const { operator, provider, buyer, agreements } = await tradingPair(app, 3);
  const checks = countPasswordChecks(t);

  const before = Date.now();
  const res = await as(app, buyer, { method: 'POST', url: '/auth/step-up', payload: { password: buyer.password } });
  t.equal(res.statusCode, 200, res.body);
  const { stepUpToken, expiresIn, expiresAt } = res.json<{ stepUpToken: string; expiresIn: number; expiresAt: string }>();
  t.ok(expiresIn > 290 && expiresIn <= 300, `valid for STEP_UP_TTL_SECONDS (${expiresIn} s)`);
  t.ok(Math.abs(Date.parse(expiresAt) - (before + 300_000)) < 2000, 'expiresAt says when');

  for (const agreement of agreements.slice(0, 2)) t.equal((await signWithStepUp(app, buyer, agreement.id, agreement.hash, stepUpToken)).statusCode, 201);
  // A refreshed access token is the same session: the step-up still holds.
  const refreshed = (await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: buyer.refreshToken } })).json<{ accessToken: string }>();
  const buyerAfterRefresh = { ...buyer, auth: { authorization: `Bearer ${refreshed.accessToken}` } };
  const third = await signWithStepUp(app, buyerAfterRefresh, agreements[2]!.id, agreements[2]!.hash, stepUpToken);
  t.equal(third.statusCode, 201, third.body);
  t.equal(checks.count, 1, 'one step-up and three signatures: argon2 verified the password once');

  // The password still signs on its own (one check with that signature).
  t.equal((await signAs(app, provider, agreements[0]!.id, agreements[0]!.hash)).statusCode, 201);
  t.equal(checks.count, 2, 'a signature with the password checks it');

  const [steppedUp] = await auditEvents(app, operator, 'account.stepped_up');
  t.match(steppedUp, { subject: { id: buyer.id }, payload: { sessionId: /^[0-9a-f-]{36}$/, expiresAt } }, 'the step-up is an audit event');
  const signed = await auditEvents(app, operator, 'agreement.signed');
  t.equal(signed.length, 4);
  const checkedAt = (signed[0]!.payload.authentication as { at: string }).at;
  t.ok(Date.parse(checkedAt) >= before - 1000 && Date.parse(checkedAt) <= before + 2000, 'when the step-up checked the password');
  for (const event of signed.slice(0, 3)) {
    t.same(event.payload.authentication, { method: 'step_up', at: checkedAt, stepUpEventId: steppedUp!.id }, 'a step-up signature records it and when the password was checked');
  }
  t.match(signed[3]!.payload.authentication, { method: 'password', at: /^\d{4}-/, stepUpEventId: null }, 'a password signature says so');
});

t.test('a step-up token is refused for another user, another or ended session, and as anything but itself; nothing is signed', async (t) => {
  const app = await buildTestApp(t, {}, { orderAgreementEvents: recordingEvents() });
  const { operator, provider, buyer, agreements } = await tradingPair(app, 1);
  const [{ id, hash }] = agreements as [{ id: string; hash: string }];
  const token = await stepUp(app, buyer);

  const refusals: [string, TestUser, string][] = [
    ['another account', provider, 'issued to another account'],
    ['another session of the same account', await secondSession(app, buyer), 'another session'],
  ];
  for (const [what, user, detail] of refusals) {
    t.match(expectProblem(t, await signWithStepUp(app, user, id, hash, token), 403, 'reauthentication-failed').detail, detail, what);
  }
  const accessAsStepUp = expectProblem(t, await signWithStepUp(app, buyer, id, hash, buyer.accessToken), 403, 'reauthentication-failed');
  t.match(accessAsStepUp.detail, /not valid/, 'an access token is no step-up token');
  const forged = token.replace(/\.[^.]+$/, '.' + 'A'.repeat(43));
  t.match(expectProblem(t, await signWithStepUp(app, buyer, id, hash, forged), 403, 'reauthentication-failed').detail, /not valid/, 'a changed signature');
  expectProblem(t, await as(app, null, { method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } }), 401, 'invalid-token');

  // Bad input: both proofs, neither, a token of the wrong shape; a wrong password at the step-up.
  const sign = (payload: object) => as(app, buyer, { method: 'POST', url: `/agreements/${id}/signatures`, payload });
  expectProblem(t, await sign({ contentSha256: hash, stepUpToken: token, password: buyer.password }), 400, 'validation-failed');
  expectProblem(t, await sign({ contentSha256: hash }), 400, 'validation-failed');
  expectProblem(t, await sign({ contentSha256: hash, stepUpToken: 'not a token' }), 400, 'validation-failed');
  expectProblem(t, await as(app, buyer, { method: 'POST', url: '/auth/step-up', payload: {} }), 400, 'validation-failed');
  expectProblem(t, await as(app, null, { method: 'POST', url: '/auth/step-up', payload: { password: buyer.password } }), 401, 'unauthenticated');
  const wrong = expectProblem(t, await as(app, buyer, { method: 'POST', url: '/auth/step-up', payload: { password: 'not my password' } }), 403, 'reauthentication-failed');
  t.match(wrong.detail, /password is wrong/);
  t.match(await auditEvents(app, operator, 'account.step_up_failed'), [{ subject: { id: buyer.id }, payload: { reason: 'wrong_password' } }], 'a wrong password is recorded like a failed login');

  // After logout the access token still passes the guard until it expires, but the session is over.
  t.equal((await as(app, buyer, { method: 'POST', url: '/auth/logout', payload: { refreshToken: buyer.refreshToken } })).statusCode, 204);
  t.match(expectProblem(t, await signWithStepUp(app, buyer, id, hash, token), 403, 'reauthentication-failed').detail, /session has ended/, 'replayed after logout');
  t.match(expectProblem(t, await as(app, buyer, { method: 'POST', url: '/auth/step-up', payload: { password: buyer.password } }), 403, 'reauthentication-failed').detail, /session has ended/, 'no step-up in an ended session');

  const view = (await as(app, buyer, { method: 'GET', url: `/agreements/${id}` })).json<{ status: string; signatures: unknown[] }>();
  t.match(view, { status: 'draft', signatures: [] }, 'nothing was signed');
});

t.test('an expired step-up token is refused', async (t) => {
  const app = await buildTestApp(t, { stepUpTtlSeconds: 1 }, { orderAgreementEvents: recordingEvents() });
  const { buyer, agreements } = await tradingPair(app, 1);
  const [{ id, hash }] = agreements as [{ id: string; hash: string }];
  const res = await as(app, buyer, { method: 'POST', url: '/auth/step-up', payload: { password: buyer.password } });
  const { stepUpToken, expiresAt } = res.json<{ stepUpToken: string; expiresAt: string }>();
  await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 100));
  t.match(expectProblem(t, await signWithStepUp(app, buyer, id, hash, stepUpToken), 403, 'reauthentication-failed').detail, /expired/);
  t.equal((await signAs(app, buyer, id, hash)).statusCode, 201, 'the password still signs');
});
