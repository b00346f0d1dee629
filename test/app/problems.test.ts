import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { problemKinds } from '../../src/lib/errors.js';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../helpers/app.js';
import { sampleListing, verifiedProvider } from '../helpers/catalog.js';

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

t.test('problems speak Chinese to a caller who prefers it, and English otherwise', async (t) => {
  const app = await buildTestApp(t);
  const buyer = await signUp(app, ['buyer']);
  const forbidden = (acceptLanguage?: string) =>
    as(app, buyer, { method: 'GET', url: '/users', headers: acceptLanguage === undefined ? {} : { 'accept-language': acceptLanguage } });

  const chinese = await forbidden('zh-CN,zh;q=0.9,en;q=0.8');
  t.equal(chinese.statusCode, 403);
  t.equal(chinese.json().title, '您的角色无权进行此操作');
  t.equal(chinese.json().type, '/problems/forbidden', 'the type stays the stable, language-free code');
  t.equal(chinese.headers['content-language'], 'zh-CN');
  t.match(chinese.headers.vary, /Accept-Language/);

  const cases: [string | undefined, 'zh' | 'en', string][] = [
    [undefined, 'en', 'no header: English, as before'],
    ['en-US,en;q=0.9', 'en', 'English asked'],
    ['zh', 'zh', 'bare zh'],
    ['zh-Hans-CN', 'zh', 'a script subtag'],
    ['zh-TW', 'zh', 'any written Chinese reads as the one the service has'],
    ['en;q=0.5, zh;q=0.8', 'zh', 'by weight, not by order'],
    ['zh;q=0, en', 'en', 'q=0 refuses a language'],
    ['fr-FR, de;q=0.9', 'en', 'no language the service has: English'],
    ['*', 'en', 'any language: English'],
    ['zh;q=2, en;q=0.1', 'en', 'a malformed weight ignores its range'],
    ['ZH-cn', 'zh', 'tags are case-insensitive'],
    [`${'x-y;q=0.1,'.repeat(500)}zh`, 'en', 'a header of hundreds of ranges is read no further than 32'],
  ];
  for (const [header, language, why] of cases) {
    const res = await forbidden(header);
    t.equal(res.json().title, language === 'zh' ? '您的角色无权进行此操作' : 'Your role does not allow this', why);
    t.equal(res.headers['content-language'], language === 'zh' ? 'zh-CN' : 'en', `${why}: Content-Language`);
  }

  // Validation: the detail and each error's message in Chinese, the paths as they are.
  const invalid = await app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '10.8.0.1', headers: { 'accept-language': 'zh-CN' }, payload: { email: 'not-an-email' } });
  const problem = invalid.json() as { title: string; detail: string; errors: { path: string; message: string }[] };
  t.equal(problem.title, '请求不符合接口要求');
  t.ok(problem.errors.length > 0);
  t.ok(problem.errors.every((e) => /^\/body/.test(e.path) && /[\u4e00-\u9fff]/.test(e.message)), `each message in Chinese: ${JSON.stringify(problem.errors)}`);
  t.match(problem.detail, /^body[^：]*：[\s\S]*[\u4e00-\u9fff]/, 'the detail names the field and says what is wrong, in Chinese');
  const english = await app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '10.8.0.2', payload: { email: 'not-an-email' } });
  t.match(english.json().errors[0].message, /^must /, 'ajv’s English otherwise');

  // The documentation of a kind, too; every kind has a Chinese title.
  const documented = await app.inject({ method: 'GET', url: '/problems/rate-limited', headers: { 'accept-language': 'zh' } });
  t.same(documented.json(), { type: '/problems/rate-limited', title: '请求过于频繁', status: 429 });
  t.equal(documented.headers['content-language'], 'zh-CN');
  const kinds = Object.keys(problemKinds);
  for (const code of kinds) {
    const title = (await app.inject({ method: 'GET', url: `/problems/${code}`, headers: { 'accept-language': 'zh' } })).json().title as string;
    if (!/[\u4e00-\u9fff]/.test(title)) t.fail(`${code} has no Chinese title: ${title}`);
  }
  t.pass(`${kinds.length} kinds, each with a Chinese title`);
});

t.test('a module’s own detail speaks Chinese too, and English is unchanged without the header', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const buyer = await signUp(app, ['buyer']);
  const partyless = await signUp(app, ['provider']);
  const { user: provider } = await verifiedProvider(app, operator);
  const draft = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() })).json<{ id: string }>();
  const taken = { email: `taken-${randomUUID()}@example.cn`, password: 'correct horse battery staple', displayName: 'T', roles: ['buyer'] };
  t.equal((await app.inject({ method: 'POST', url: '/auth/register', payload: taken })).statusCode, 201);

  const cases: { what: string; user: TestUser | null; request: InjectOptions; status: number; type: string; en: string; zh?: string }[] = [
    {
      what: 'a listing that is not there',
      user: buyer,
      request: { method: 'GET', url: `/catalog/listings/${randomUUID()}` },
      status: 404,
      type: 'not-found',
      en: 'listing does not exist or is not visible to you',
      zh: '数据产品不存在或您无权查看',
    },
    {
      what: 'a listing submitted before it is complete',
      user: provider,
      request: { method: 'POST', url: `/catalog/listings/${draft.id}/submit` },
      status: 422,
      type: 'listing-incomplete',
      en: 'complete the listing before review: provenance, ground, datasetVersionId',
      zh: '请先完善数据产品信息再提交审核：provenance、ground、datasetVersionId',
    },
    {
      what: 'a provider acting for no party',
      user: partyless,
      request: { method: 'POST', url: '/catalog/listings', payload: sampleListing() },
      status: 403,
      type: 'party-required',
      en: 'this needs the party you act for; send its id in the X-Party-Id header',
    },
    {
      what: 'an e-mail already registered',
      user: null,
      request: { method: 'POST', url: '/auth/register', payload: taken },
      status: 409,
      type: 'conflict',
      en: 'an account with this e-mail already exists',
    },
  ];
  for (const c of cases) {
    const chinese = await as(app, c.user, { ...c.request, headers: { 'accept-language': 'zh-CN' } });
    const problem = expectProblem(t, chinese, c.status, c.type);
    t.equal(chinese.headers['content-language'], 'zh-CN', `${c.what}: Content-Language`);
    t.match(problem.title, /[\u4e00-\u9fff]/, `${c.what}: the title in Chinese`);
    t.match(problem.detail, /[\u4e00-\u9fff]/, `${c.what}: the detail in Chinese (${problem.detail})`);
    t.notMatch(problem.detail, /\b(the|is|a|of|you)\b/, `${c.what}: no English words left in it`);
    if (c.zh) t.equal(problem.detail, c.zh, `${c.what}: the Chinese detail`);
    const english = expectProblem(t, await as(app, c.user, c.request), c.status, c.type);
    t.equal(english.detail, c.en, `${c.what}: the English detail as before`);
  }
});
