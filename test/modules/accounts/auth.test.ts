import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';

const password = 'correct horse battery staple';

t.test('register, log in, read me', async (t) => {
  const app = await buildTestApp(t);
  const reg = await app.inject({
    method: 'POST',
    url: '/auth/register',
    payload: { email: 'Seller@Example.CN', password, displayName: '数据公司', roles: ['provider', 'buyer'] },
  });
  t.equal(reg.statusCode, 201);
  const user = reg.json();
  t.equal(user.email, 'seller@example.cn', 'e-mail is normalised');
  t.same(user.roles, ['provider', 'buyer']);
  t.notOk('passwordHash' in user, 'no password hash in the response');

  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'seller@example.cn', password } });
  t.equal(login.statusCode, 200);
  const tokens = login.json();
  t.equal(tokens.tokenType, 'Bearer');
  const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
  t.equal(me.statusCode, 200);
  t.equal(me.json().id, user.id);
});

t.test('registration refuses staff roles, duplicates and weak input', async (t) => {
  const app = await buildTestApp(t);
  const body = { email: 'x@example.cn', password, displayName: 'X', roles: ['buyer'] };
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', payload: { ...body, roles: ['operator'] } }), 400, 'validation-failed');
  t.equal((await app.inject({ method: 'POST', url: '/auth/register', payload: body })).statusCode, 201);
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', payload: { ...body, email: 'X@example.cn' } }), 409, 'conflict');
  const weak = expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', payload: { ...body, email: 'y@example.cn', password: 'short' } }), 400, 'validation-failed');
  t.match(weak, { errors: [{ path: '/body/password' }] });
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', payload: { ...body, email: 'z@example.cn', admin: true } }), 400, 'validation-failed');
});

t.test('failed logins are refused alike and audited', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['buyer']);
  const operator = await signUp(app, ['operator']);
  const wrong = expectProblem(t, await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: 'not the password' } }), 401, 'invalid-credentials');
  const unknown = expectProblem(t, await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'nobody@example.cn', password } }), 401, 'invalid-credentials');
  t.equal(wrong.detail, unknown.detail, 'the answer does not tell which accounts exist');
  const events = await as(app, operator, { method: 'GET', url: '/audit/events?action=account.login_failed&order=asc' });
  t.match(events.json().items, [
    { subject: { type: 'user', id: user.id }, payload: { reason: 'wrong_password' } },
    { subject: { type: 'login', id: 'unknown-account' }, payload: { reason: 'unknown_account' } },
  ]);
  t.notMatch(events.body, /nobody@example\.cn/, 'the unknown e-mail is not recorded');
});

const refreshWith = (app: Awaited<ReturnType<typeof buildTestApp>>, refreshToken: string) =>
  app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken } });

t.test('refresh rotates; a used token presented after its successor was used revokes the whole family', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['buyer']);
  const operator = await signUp(app, ['operator']);
  const first = await refreshWith(app, user.refreshToken);
  t.equal(first.statusCode, 200);
  const second = first.json();
  t.not(second.refreshToken, user.refreshToken, 'a new refresh token each time');
  t.equal((await refreshWith(app, second.refreshToken)).statusCode, 200, 'the successor is used: the chain has moved on');

  const reuse = expectProblem(t, await refreshWith(app, user.refreshToken), 401, 'invalid-token');
  t.match(reuse.detail, /already used/);
  expectProblem(t, await refreshWith(app, second.refreshToken), 401, 'invalid-token');

  const events = await as(app, operator, { method: 'GET', url: `/audit/events?action=account.token_family_revoked&actorUserId=${user.id}` });
  t.equal(events.json().items.length, 1);
  t.equal(events.json().items[0].payload.reason, 'reuse');

  const again = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password } });
  t.equal(again.statusCode, 200, 'logging in again starts a new family');
});

t.test('a lost answer: the used token presented again within the grace gets a pair of its own, audited', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['buyer']);
  const operator = await signUp(app, ['operator']);
  const lost = (await refreshWith(app, user.refreshToken)).json();
  const retried = await refreshWith(app, user.refreshToken);
  t.equal(retried.statusCode, 200, 'a page reloaded mid-refresh is not a theft');
  const kept = retried.json();
  t.not(kept.refreshToken, lost.refreshToken, 'a token of its own: the lost one is not stored to be sent again');
  t.equal((await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${kept.accessToken}` } })).json().id, user.id);

  const next = await refreshWith(app, kept.refreshToken);
  t.equal(next.statusCode, 200, 'the retried chain goes on');
  const stale = expectProblem(t, await refreshWith(app, user.refreshToken), 401, 'invalid-token');
  t.match(stale.detail, /already used/, 'once a later token is used, the old one is a replay again');
  expectProblem(t, await refreshWith(app, next.json().refreshToken), 401, 'invalid-token');
  expectProblem(t, await refreshWith(app, lost.refreshToken), 401, 'invalid-token'); // the lost successor went with the family

  const retries = await as(app, operator, { method: 'GET', url: `/audit/events?action=account.refresh_retried&actorUserId=${user.id}` });
  t.match(retries.json().items, [{ subject: { type: 'token_family' }, payload: { secondsSinceUse: Number } }]);
  t.equal(retries.json().items.length, 1);
});

t.test('no grace for a revoked token, after the grace, or when it is turned off', async (t) => {
  const app = await buildTestApp(t, { refreshRetryGraceSeconds: 0 });
  const user = await signUp(app, ['buyer']);
  t.equal((await refreshWith(app, user.refreshToken)).statusCode, 200);
  const reuse = expectProblem(t, await refreshWith(app, user.refreshToken), 401, 'invalid-token');
  t.match(reuse.detail, /already used/, 'grace 0: the old rule');

  const graced = await buildTestApp(t, { refreshRetryGraceSeconds: 1 });
  const other = await signUp(graced, ['buyer']);
  const pair = (await refreshWith(graced, other.refreshToken)).json();
  t.equal((await as(graced, other, { method: 'POST', url: '/auth/logout', payload: { refreshToken: pair.refreshToken } })).statusCode, 204);
  const afterLogout = expectProblem(t, await refreshWith(graced, other.refreshToken), 401, 'invalid-token');
  t.match(afterLogout.detail, /revoked/, 'a logout is not undone by a retry');

  const late = await signUp(graced, ['buyer']);
  t.equal((await refreshWith(graced, late.refreshToken)).statusCode, 200);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.match(expectProblem(t, await refreshWith(graced, late.refreshToken), 401, 'invalid-token').detail, /already used/, 'past the grace it is a replay');
});

t.test('two concurrent refreshes with one token both succeed (two tabs); the family lives on', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['buyer']);
  const results = await Promise.all([1, 2].map(() => refreshWith(app, user.refreshToken)));
  t.same(results.map((r) => r.statusCode), [200, 200]);
  const [a, b] = results.map((r) => r.json());
  t.not(a.refreshToken, b.refreshToken);
  t.equal((await refreshWith(app, a.refreshToken)).statusCode, 200);
  expectProblem(t, await refreshWith(app, user.refreshToken), 401, 'invalid-token'); // the original is a replay once a successor was used
});

t.test('logout revokes the session; an unknown or foreign token changes nothing', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['buyer']);
  const other = await signUp(app, ['provider']);
  t.equal((await as(app, other, { method: 'POST', url: '/auth/logout', payload: { refreshToken: user.refreshToken } })).statusCode, 204);
  t.equal((await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: user.refreshToken } })).statusCode, 200, "another user's logout did not touch it");
  const login = (await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password } })).json();
  t.equal((await as(app, user, { method: 'POST', url: '/auth/logout', payload: { refreshToken: login.refreshToken } })).statusCode, 204);
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: login.refreshToken } }), 401, 'invalid-token');
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/logout', payload: { refreshToken: login.refreshToken } }), 401, 'unauthenticated');
});

t.test('access tokens: missing, forged, expired', async (t) => {
  const app = await buildTestApp(t, { accessTokenTtlSeconds: 30 });
  const user = await signUp(app, ['buyer']);
  expectProblem(t, await app.inject({ method: 'GET', url: '/me' }), 401, 'unauthenticated');
  const forged = user.accessToken.slice(0, -4) + 'AAAA';
  expectProblem(t, await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${forged}` } }), 401, 'invalid-token');
  const expired = app.jwt.sign({ sub: user.id, roles: ['buyer'], typ: 'access' }, { expiresIn: -10 } as never);
  const res = expectProblem(t, await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${expired}` } }), 401, 'invalid-token');
  t.match(res.detail, /expired/);
});

t.test('authentication routes are rate limited per client', async (t) => {
  const app = await buildTestApp(t, { authRateLimit: { max: 3, windowSeconds: 60 } });
  const codes = [];
  for (let i = 0; i < 4; i++) {
    codes.push((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'a@example.cn', password } })).statusCode);
  }
  t.same(codes, [401, 401, 401, 429]);
  const limited = expectProblem(t, await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'a@example.cn', password } }), 429, 'rate-limited');
  t.ok(limited.detail);
  const other = await app.inject({ method: 'POST', url: '/auth/login', remoteAddress: '10.1.2.3', payload: { email: 'a@example.cn', password } });
  t.equal(other.statusCode, 401, 'another client is not limited');
});

t.test('a user changes their password: the current one proven, every session ended, a new one begun', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['buyer']);
  const operator = await signUp(app, ['operator']);
  const otherLogin = (await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password } })).json<{ refreshToken: string }>();
  const change = (body: object, who = user) => as(app, who, { method: 'POST', url: '/me/password', payload: body });
  const newPassword = 'a new and longer passphrase';

  const wrong = expectProblem(t, await change({ currentPassword: 'not the password', newPassword }), 403, 'reauthentication-failed');
  t.match(wrong.detail, /current password is wrong/);
  expectProblem(t, await change({ currentPassword: password, newPassword: 'short' }), 400, 'validation-failed');
  t.match(expectProblem(t, await change({ currentPassword: password, newPassword: password }), 400, 'validation-failed'), { errors: [{ path: '/body/newPassword' }] });
  expectProblem(t, await change({ currentPassword: password, newPassword, extra: 1 }), 400, 'validation-failed');
  expectProblem(t, await app.inject({ method: 'POST', url: '/me/password', payload: { currentPassword: password, newPassword } }), 401, 'unauthenticated');

  const changed = await change({ currentPassword: password, newPassword });
  t.equal(changed.statusCode, 200, changed.body);
  const pair = changed.json<{ accessToken: string; refreshToken: string }>();
  t.equal((await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${pair.accessToken}` } })).json().id, user.id, 'the new session works');
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: user.refreshToken } }), 401, 'invalid-token');
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: otherLogin.refreshToken } }), 401, 'invalid-token');
  t.equal((await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: pair.refreshToken } })).statusCode, 200, 'the new session refreshes');
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password } }), 401, 'invalid-credentials');
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: newPassword } })).statusCode, 200, 'the new password logs in');

  const events = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectId=${user.id}&action=account.*&order=asc` })).json<{ items: { action: string; payload: unknown }[] }>();
  t.match(events.items.filter((e) => e.action.startsWith('account.password_')), [{ action: 'account.password_change_failed', payload: { reason: 'wrong_password' } }, { action: 'account.password_changed' }]);
  const revoked = (await as(app, operator, { method: 'GET', url: `/audit/events?action=account.token_family_revoked&actorUserId=${user.id}` })).json<{ items: { payload: { reason: string } }[] }>();
  t.same(revoked.items.map((e) => e.payload.reason), ['password_changed', 'password_changed'], 'both earlier sessions revoked');
  t.notMatch(JSON.stringify(events), new RegExp(newPassword), 'no password in the log');
});
