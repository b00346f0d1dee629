import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';

t.test('a user reads itself; another user gets 404; an operator reads anyone', async (t) => {
  const app = await buildTestApp(t);
  const alice = await signUp(app, ['buyer']);
  const bob = await signUp(app, ['provider']);
  const operator = await signUp(app, ['operator']);
  t.equal((await as(app, alice, { method: 'GET', url: `/users/${alice.id}` })).statusCode, 200);
  expectProblem(t, await as(app, alice, { method: 'GET', url: `/users/${bob.id}` }), 404, 'not-found');
  t.equal((await as(app, operator, { method: 'GET', url: `/users/${bob.id}` })).json().email, bob.email);
  expectProblem(t, await as(app, operator, { method: 'GET', url: '/users/00000000-0000-4000-8000-000000000000' }), 404, 'not-found');
  expectProblem(t, await as(app, operator, { method: 'GET', url: '/users/not-a-uuid' }), 400, 'validation-failed');
});

t.test('only operators list, create and change users', async (t) => {
  const app = await buildTestApp(t);
  const buyer = await signUp(app, ['buyer']);
  const bureau = await signUp(app, ['bureau']);
  for (const user of [buyer, bureau]) {
    expectProblem(t, await as(app, user, { method: 'GET', url: '/users' }), 403, 'forbidden');
    expectProblem(t, await as(app, user, { method: 'POST', url: '/users', payload: { email: 'd@example.cn', password: 'a long enough password', displayName: 'D', roles: ['department'] } }), 403, 'forbidden');
    expectProblem(t, await as(app, user, { method: 'PATCH', url: `/users/${buyer.id}`, payload: { roles: ['operator'] } }), 403, 'forbidden');
  }
});

t.test('an operator creates staff accounts and pages through users', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const created = await as(app, operator, {
    method: 'POST',
    url: '/users',
    payload: { email: 'dept@gov.example.cn', password: 'a long enough password', displayName: '市经济信息委', roles: ['department'] },
  });
  t.equal(created.statusCode, 201);
  t.same(created.json().roles, ['department']);
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'dept@gov.example.cn', password: 'a long enough password' } });
  t.equal(login.statusCode, 200, 'the department can log in');

  await signUp(app, ['buyer']);
  const first = (await as(app, operator, { method: 'GET', url: '/users?limit=2' })).json();
  t.equal(first.items.length, 2);
  const second = (await as(app, operator, { method: 'GET', url: `/users?limit=2&cursor=${first.next}` })).json();
  t.equal(second.items.length, 1);
  t.equal(second.next, null);
  const departments = (await as(app, operator, { method: 'GET', url: '/users?role=department' })).json();
  t.same(departments.items.map((u: { email: string }) => u.email), ['dept@gov.example.cn']);
});

t.test('role and status changes are audited and end live sessions', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const user = await signUp(app, ['buyer']);
  const changed = await as(app, operator, { method: 'PATCH', url: `/users/${user.id}`, payload: { roles: ['buyer', 'provider'] } });
  t.same(changed.json().roles, ['buyer', 'provider']);
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: user.refreshToken } }), 401, 'invalid-token');

  const login = (await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: user.password } })).json();
  const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${login.accessToken}` } });
  t.same(me.json().roles, ['buyer', 'provider'], 'the new roles are in the new token');

  t.equal((await as(app, operator, { method: 'PATCH', url: `/users/${user.id}`, payload: { status: 'disabled' } })).statusCode, 200);
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: user.password } }), 401, 'invalid-credentials');

  const events = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectType=user&subjectId=${user.id}&order=asc` })).json();
  t.match(
    events.items.filter((e: { action: string }) => e.action === 'account.roles_changed' || e.action === 'account.status_changed'),
    [
      { action: 'account.roles_changed', actor: { userId: operator.id, role: 'operator' }, payload: { from: ['buyer'], to: ['buyer', 'provider'] } },
      { action: 'account.status_changed', payload: { from: 'active', to: 'disabled' } },
    ],
  );
});

t.test('bad changes are refused', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  expectProblem(t, await as(app, operator, { method: 'PATCH', url: `/users/${operator.id}`, payload: { roles: ['buyer'] } }), 409, 'invalid-state');
  expectProblem(t, await as(app, operator, { method: 'PATCH', url: `/users/${operator.id}`, payload: {} }), 400, 'validation-failed');
  expectProblem(t, await as(app, operator, { method: 'PATCH', url: `/users/${operator.id}`, payload: { roles: ['king'] } }), 400, 'validation-failed');
  expectProblem(t, await as(app, operator, { method: 'PATCH', url: '/users/00000000-0000-4000-8000-000000000000', payload: { status: 'disabled' } }), 404, 'not-found');
});

t.test('a role taken away or an account disabled counts from the next request, old tokens included', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const colleague = await signUp(app, ['operator']);
  t.equal((await as(app, colleague, { method: 'GET', url: '/users' })).statusCode, 200);
  await as(app, operator, { method: 'PATCH', url: `/users/${colleague.id}`, payload: { roles: ['bureau'] } });
  expectProblem(t, await as(app, colleague, { method: 'GET', url: '/users' }), 403, 'forbidden');
  t.equal((await as(app, colleague, { method: 'GET', url: '/me' })).statusCode, 200, 'the token itself is still good');

  await as(app, operator, { method: 'PATCH', url: `/users/${colleague.id}`, payload: { status: 'disabled' } });
  const refused = expectProblem(t, await as(app, colleague, { method: 'GET', url: '/me' }), 401, 'invalid-token');
  t.match(refused.detail, /disabled/);
});
