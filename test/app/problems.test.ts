import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../helpers/app.js';

t.test('every error kind comes back as problem+json with a stable type', async (t) => {
  const app = await buildTestApp(t, { bodyLimitBytes: 2048, authRateLimit: { max: 1, windowSeconds: 60 } });
  const buyer = await signUp(app, ['buyer']);

  expectProblem(t, await app.inject({ method: 'POST', url: '/users', payload: {} }), 401, 'unauthenticated');
  expectProblem(t, await as(app, buyer, { method: 'GET', url: '/users' }), 403, 'forbidden');
  expectProblem(t, await app.inject({ method: 'GET', url: '/no/such/route' }), 404, 'not-found');
  // Each of these comes from its own address, so the limit of one per window does not hit early.
  const invalid = expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '10.9.0.1', payload: { email: 'not-an-email' } }), 400, 'validation-failed');
  t.ok(Array.isArray((invalid as { errors?: unknown[] }).errors), 'validation errors are listed');
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '10.9.0.2', headers: { 'content-type': 'application/json' }, payload: '{"email":' }), 400, 'bad-request');
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '10.9.0.3', headers: { 'content-type': 'text/plain' }, payload: 'hello' }), 415, 'unsupported-media-type');
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '10.9.0.4', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'x'.repeat(4000) }) }), 413, 'payload-too-large');

  const body = { email: 'dup@example.cn', password: 'correct horse battery staple', displayName: 'D', roles: ['buyer'] };
  t.equal((await app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '10.0.0.1', payload: body })).statusCode, 201);
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '10.0.0.2', payload: body }), 409, 'conflict');
  expectProblem(t, await app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '10.0.0.2', payload: body }), 429, 'rate-limited');
});

t.test('a server error says nothing of its cause', async (t) => {
  // The database is pulled away below: a database of its own.
  const app = await buildTestApp(t, {}, { freshDatabase: true });
  const operator = await signUp(app, ['operator']);
  // Pull the database away under the running app.
  await app.database.close();
  const res = expectProblem(t, await as(app, operator, { method: 'GET', url: '/users' }), 500, 'internal');
  t.notMatch(res.detail ?? '', /select|users|closed|pglite|postgres/i, 'no SQL or driver text');
  t.notMatch(JSON.stringify(res), /at .*\.ts:\d+/, 'no stack trace');
  expectProblem(t, await app.inject({ method: 'GET', url: '/ready' }), 503, 'unavailable');
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'the process is still up');
});

t.test('error types document themselves', async (t) => {
  const app = await buildTestApp(t);
  const res = await app.inject({ method: 'GET', url: '/problems/rate-limited' });
  t.same(res.json(), { type: '/problems/rate-limited', title: 'Too many requests', status: 429 });
  expectProblem(t, await app.inject({ method: 'GET', url: '/problems/constructor' }), 404, 'not-found');
});

t.test('request ids: kept when sane, made when not, always echoed', async (t) => {
  const app = await buildTestApp(t);
  const given = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
  t.equal(given.headers['x-request-id'], 'abc-123');
  const hostile = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b\nc' } });
  t.match(hostile.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  const problem = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'trace-9' } });
  t.equal(problem.json().requestId, 'trace-9');
});
