// One regression test per finding of the hardening review (issue 7): each failed on the code before
// the fix. The route-table-driven tests (matrix, fuzz, response contract) cover the rest.
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { encodeCursor } from '../../src/lib/http.js';
import { rowsOf } from '../../src/lib/database.js';
import { as, buildTestApp, expectProblem, signUp } from '../helpers/app.js';
import { completeDraft, listedProduct, sampleListing, verifiedProvider } from '../helpers/catalog.js';
import { createVerifiedParty, generateUscc, registerParty } from '../helpers/identity.js';

const NUL = '\u0000';

t.test('1. NUL and other control characters in free text are a 400 naming the field, never a 500', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const register = await app.inject({
    method: 'POST',
    url: '/auth/register',
    payload: { email: 'nul@example.cn', password: 'correct horse battery staple', displayName: `a${NUL}b`, roles: ['buyer'] },
  });
  t.same(expectProblem(t, register, 400, 'validation-failed').errors?.[0]?.path, '/body/displayName');

  const { user } = await verifiedProvider(app, operator);
  const listing = await completeDraft(app, user);
  for (const [url, method, payload, path] of [
    ['/parties', 'POST', { kind: 'company', legalName: `x${NUL}`, representative: 'r', contacts: [{ name: 'n' }], identityNumber: generateUscc() }, '/body/legalName'],
    [`/catalog/listings/${listing.id}`, 'PATCH', { content: { title: { zh: `标题${NUL}` } } }, '/body/content/title/zh'],
    [`/catalog/listings/${listing.id}`, 'PATCH', { content: { tags: ['a\u0085b'] } }, '/body/content/tags/0'],
    [`/catalog/listings/${listing.id}`, 'PATCH', { content: { title: { en: 'lone \ud800 surrogate' } } }, '/body/content/title/en'],
  ] as const) {
    const res = await as(app, user, { method, url, payload });
    t.equal(expectProblem(t, res, 400, 'validation-failed').errors?.[0]?.path, path, `${method} ${url} ${path}`);
  }
  // Multi-line fields keep line breaks and tabs.
  const multiline = await as(app, user, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { content: { description: { zh: '第一行\n第二行\t制表' } } } });
  t.equal(multiline.statusCode, 200, 'newline and tab are kept in multi-line text');
  for (const url of [`/audit/events?subjectId=a%00b`, `/audit/events?subjectType=%00`]) {
    expectProblem(t, await as(app, operator, { method: 'GET', url }), 400, 'validation-failed');
  }
  const nulCursor = encodeCursor(`a${NUL}@example.cn`);
  t.equal(expectProblem(t, await as(app, operator, { method: 'GET', url: `/users?cursor=${nulCursor}` }), 400, 'validation-failed').errors?.[0]?.path, '/querystring/cursor');
});

t.test('2. a cursor with a date the database cannot hold is a 400 naming the cursor', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user } = await verifiedProvider(app, operator);
  const id = '00000000-0000-4000-8000-000000000000';
  const extreme = '+275760-09-13T00:00:00.000Z';
  const cursors: [string, unknown, typeof user][] = [
    ['/parties', { createdAt: extreme, id }, operator],
    ['/me/parties', { createdAt: extreme, id }, user],
    ['/catalog/documents', { createdAt: extreme, id }, user],
    ['/catalog/listings', { updatedAt: extreme, id }, user],
    ['/catalog/search', { s: 'newest', k: extreme, id }, user],
    ['/catalog/review-queue', { submittedAt: extreme, id }, operator],
    ['/catalog/dcat', { listedAt: extreme, id }, user],
  ];
  for (const [url, position, caller] of cursors) {
    const res = await as(app, caller, { method: 'GET', url: `${url}?cursor=${encodeCursor(position)}` });
    t.equal(expectProblem(t, res, 400, 'validation-failed').errors?.[0]?.path, '/querystring/cursor', url);
  }
  // Garbage, the wrong sort's cursor and an upper-case id in a forged cursor are all refused the same way.
  expectProblem(t, await as(app, user, { method: 'GET', url: '/catalog/search?cursor=!!!' }), 400, 'validation-failed');
  expectProblem(t, await as(app, user, { method: 'GET', url: `/catalog/search?sort=price_asc&cursor=${encodeCursor({ s: 'newest', k: '2024-01-01T00:00:00.000Z', id })}` }), 400, 'validation-failed');
});

t.test('3. a leap second in a date filter is a 400, not a 500', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const res = await as(app, operator, { method: 'GET', url: '/audit/events?from=2024-06-30T23:59:60Z' });
  t.equal(expectProblem(t, res, 400, 'validation-failed').errors?.[0]?.path, '/querystring/from');
  t.equal((await as(app, operator, { method: 'GET', url: '/audit/events?from=2024-06-30T23:59:59Z' })).statusCode, 200);
});

t.test('4. a partial update refuses unknown members at every depth, and deep bodies are refused before parsing', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user } = await verifiedProvider(app, operator);
  const listing = await completeDraft(app, user);
  const unknown = await as(app, user, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { content: { surprise: 1 } } });
  expectProblem(t, unknown, 400, 'validation-failed');
  const nested = await as(app, user, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { content: { licence: { termMonths: 12, extra: true } } } });
  expectProblem(t, nested, 400, 'validation-failed');
  const deep = '{"content":{"x":' + '['.repeat(5000) + ']'.repeat(5000) + '}}';
  const res = await as(app, user, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, headers: { 'content-type': 'application/json' }, payload: deep });
  t.match(expectProblem(t, res, 400, 'bad-request').detail, /nests deeper than 32/);
  t.equal((await as(app, user, { method: 'GET', url: `/catalog/listings/${listing.id}` })).statusCode, 200, 'the listing still reads');
  t.equal((await as(app, user, { method: 'POST', url: `/catalog/listings/${listing.id}/submit` })).statusCode, 200, 'and submits');
});

t.test('5. an upper-case id in the path is the same party: the number stays decryptable, the audit event is filed under the real id', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const user = await signUp(app, ['provider']);
  const party = await registerParty(app, user);
  const number = generateUscc();
  const patched = await as(app, user, { method: 'PATCH', url: `/parties/${party.id.toUpperCase()}`, payload: { identityNumber: number } });
  t.equal(patched.statusCode, 200, patched.body);
  t.equal(patched.json().id, party.id);
  const revealed = await as(app, operator, { method: 'POST', url: `/parties/${party.id.toUpperCase()}/identity-number/reveal`, payload: { reason: 'checking the fix' } });
  t.equal(revealed.json().identityNumber, number, 'the number decrypts');
  const events = await as(app, operator, { method: 'GET', url: `/audit/events?subjectType=party&subjectId=${party.id}&action=party.updated` });
  t.equal(events.json().items.length, 1, 'the update is found under the lower-case id');
  const acting = await as(app, user, { method: 'GET', url: '/me/acting-party', headers: { 'x-party-id': party.id.toUpperCase() } });
  t.equal(acting.statusCode, 403, 'X-Party-Id in upper case names the same (unverified) party');
});

t.test('6. framework errors are problem+json', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['buyer']);
  expectProblem(t, await as(app, user, { method: 'GET', url: `/catalog/listings/${'a'.repeat(101)}` }), 414, 'uri-too-long');
  expectProblem(t, await app.inject({ method: 'GET', url: '/problems/%E0%A4%A' }), 400, 'bad-request');

  // Headers over Node's 16 KiB limit never reach Fastify: the answer is written to the socket.
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    let received = '';
    socket.on('data', (d) => (received += d));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
  t.match(raw, /^HTTP\/1\.1 431 /);
  t.match(raw, /\r\nConnection: close\r\n/i);
  t.match(raw, /\r\nContent-Type: application\/problem\+json/i);
  t.equal(JSON.parse(raw.split('\r\n\r\n')[1]!).type, '/problems/headers-too-large');
});

t.test('7. JSON bodies are never coerced', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user } = await verifiedProvider(app, operator);
  const plan = { name: 'p', kind: 'one_off', currency: 'CNY' };
  for (const [change, path] of [
    [{ personalInformation: { contains: null } }, '/body/personalInformation/contains'],
    [{ governmentDerived: null }, '/body/governmentDerived'],
    [{ governmentDerived: 'false' }, '/body/governmentDerived'],
    [{ pricePlans: [{ ...plan, amountMinor: null }] }, '/body/pricePlans/0/amountMinor'],
    [{ pricePlans: [{ ...plan, amountMinor: '500' }] }, '/body/pricePlans/0/amountMinor'],
    [{ category: 12345 }, '/body/category'],
    [{ formats: 'csv' }, '/body/formats'],
  ] as const) {
    const res = await as(app, user, { method: 'POST', url: '/catalog/listings', payload: sampleListing(change) });
    t.equal(expectProblem(t, res, 400, 'validation-failed').errors?.[0]?.path, path, JSON.stringify(change));
  }
  const ground = await as(app, user, {
    method: 'PUT',
    url: `/catalog/listings/${(await completeDraft(app, user)).id}/ground`,
    payload: { ground: 'authorised', selfProduced: null, authorisation: 'a', evidence: [] },
  });
  expectProblem(t, ground, 400, 'validation-failed');
  // Query strings are text: there, conversion to the declared type is what a client expects.
  t.equal((await as(app, user, { method: 'GET', url: '/catalog/search?governmentDerived=false&priceMax=100' })).statusCode, 200);
});

t.test('8. the log of a failed statement carries neither its parameters nor row values', async (t) => {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
  const app = await buildTestApp(t, {}, { logger: { level: 'trace', stream }, freshDatabase: true });
  // A constraint the service does not know of makes the next registration fail inside the database.
  await app.db.execute(sql`alter table users add constraint test_refuse_all check (email = 'nobody')`);
  const email = 'secret-person@example.cn';
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: 'correct horse battery staple', displayName: 'Secret Person', roles: ['buyer'] } });
  expectProblem(t, res, 500, 'internal');
  const log = lines.join('');
  t.match(log, /23514/, 'the condition code is logged');
  t.match(log, /insert into \\"users\\"/, 'and the statement text');
  t.notMatch(log, /secret-person|Secret Person|\$argon2id/, 'no parameter and no row value is logged');
});

t.test('9. the contract: problem+json errors, ld+json DCAT, upload bodies, no required defaults, one size name, empty bodies on action routes', async (t) => {
  const app = await buildTestApp(t);
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  type Op = { operationId?: string; security?: unknown[]; requestBody?: { content: Record<string, unknown> }; parameters?: { name: string; in: string; required?: boolean }[]; responses: Record<string, { content?: Record<string, unknown> }> };
  const operations = Object.entries(doc.paths as Record<string, Record<string, Op>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
  const ids = operations.map((o) => o.op.operationId);
  t.equal(new Set(ids).size, operations.length, 'every operation has a unique operationId');
  t.ok(doc.servers?.length && doc.info.license && doc.tags?.length, 'servers, license and tags are declared');
  for (const { path, method, op } of operations) {
    for (const [status, response] of Object.entries(op.responses)) {
      if (Number(status) >= 400) t.same(Object.keys(response.content ?? {}), ['application/problem+json'], `${method} ${path} ${status}`);
    }
    if (!op.security?.length) t.same(op.security, [], `${method} ${path} is public and says so`);
    for (const p of op.parameters ?? []) if (p.name === 'limit' || p.name === 'order') t.notOk(p.required, `${method} ${path} ${p.name} has a default`);
  }
  t.ok(doc.paths['/catalog/dcat'].get.responses['200'].content['application/ld+json'], 'DCAT is documented as JSON-LD');
  t.ok(doc.paths['/parties/{id}/documents'].post.requestBody.content['application/pdf'], 'uploads document their body');
  t.ok(doc.paths['/catalog/listings/{id}/versions'].post.requestBody.content['*/*']);
  t.notOk(JSON.stringify(doc.paths['/parties/{id}'].get).includes('"size"'), 'party documents say sizeBytes');

  const operator = await signUp(app, ['operator']);
  const { user } = await verifiedProvider(app, operator);
  const listing = await completeDraft(app, user);
  const empty = await as(app, user, { method: 'POST', url: `/catalog/listings/${listing.id}/submit`, headers: { 'content-type': 'application/json' }, payload: '' });
  t.equal(empty.statusCode, 200, 'an empty JSON body is accepted where none is needed');
  const unexpected = await as(app, user, { method: 'POST', url: `/catalog/listings/${listing.id}/submit`, payload: { surprise: true } });
  expectProblem(t, unexpected, 400, 'validation-failed');
});

t.test('9b. the response of a listing read is what the document says', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user } = await verifiedProvider(app, operator);
  const listed = await listedProduct(app, user, operator);
  const buyer = await signUp(app, ['buyer']);
  await createVerifiedParty(app, buyer, operator);
  const res = await as(app, buyer, { method: 'GET', url: `/catalog/listings/${listed.id.toUpperCase()}` });
  t.equal(res.json().id, listed.id, 'the id comes back in its one spelling');
  const count = rowsOf<{ n: number }>(await app.db.execute(sql`select count(*)::int as n from catalog_listings`))[0]!.n;
  t.equal(count, 1);
});

t.test('10. JSON that is not UTF-8 is refused, not stored with U+FFFD in place of the bytes', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user } = await verifiedProvider(app, operator);
  const listing = await completeDraft(app, user);
  const payload = Buffer.concat([Buffer.from('{"content":{"tags":["a'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"]}}')]);
  const res = await as(app, user, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, headers: { 'content-type': 'application/json' }, payload });
  t.match(expectProblem(t, res, 400, 'bad-request').detail, /not valid UTF-8/);
  const read = await as(app, user, { method: 'GET', url: `/catalog/listings/${listing.id}` });
  t.notOk(JSON.stringify(read.json().working.content.tags).includes('\ufffd'), 'nothing was stored');
});

t.test('11. a route that declares no query parameters refuses unknown ones, as a declared query schema does', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const res = await as(app, operator, { method: 'GET', url: '/me?surprise=1' });
  t.equal(expectProblem(t, res, 400, 'validation-failed').errors?.[0]?.path, '/querystring');
  t.equal((await as(app, operator, { method: 'GET', url: '/me' })).statusCode, 200);
});

t.test('12. a query string with invalid percent-encoded UTF-8 is refused, not decoded to U+FFFD', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  expectProblem(t, await as(app, operator, { method: 'GET', url: '/audit/events?subjectId=a%ED%A0%80b' }), 400, 'validation-failed');
  expectProblem(t, await as(app, operator, { method: 'GET', url: '/audit/events?subjectId=%FF' }), 400, 'validation-failed');
  const ok = await as(app, operator, { method: 'GET', url: `/audit/events?subjectId=${encodeURIComponent('数据 交易')}&limit=5` });
  t.equal(ok.statusCode, 200, 'valid UTF-8 and + for a space still work');
  t.equal((await as(app, operator, { method: 'GET', url: '/audit/events?subjectType=a+b&limit=1&limit=2' })).statusCode, 400, 'a repeated scalar parameter is refused');
});
