import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../helpers/app.js';
import { registerParty } from '../helpers/identity.js';

interface Operation {
  tags?: string[];
  security?: unknown[];
  requestBody?: unknown;
  parameters?: { in: string; name: string; schema?: { format?: string } }[];
  responses?: Record<string, unknown>;
}

t.test('the OpenAPI document lists every route with its schemas', async (t) => {
  const app = await buildTestApp(t);
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(res.statusCode, 200);
  const doc = res.json<{ openapi: string; paths: Record<string, Record<string, Operation>> }>();
  t.equal(doc.openapi, '3.1.0');

  // Every route that is not hidden must declare config.auth, and swagger records exactly those routes,
  // so the document lists every API route; check the known ones and the shape of each.
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  for (const expected of ['POST /auth/register', 'POST /auth/login', 'POST /auth/refresh', 'POST /auth/logout', 'GET /me', 'GET /users', 'PATCH /users/{id}', 'GET /audit/events', 'POST /audit/verify', 'GET /health', 'GET /ready']) {
    t.ok(documented.includes(expected), `${expected} is documented`);
  }

  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const name = `${method.toUpperCase()} ${path}`;
      t.ok(op.tags?.length, `${name} has a tag`);
      const statuses = Object.keys(op.responses ?? {});
      t.ok(statuses.some((s) => s.startsWith('2')), `${name} documents its success response`);
      if (op.security?.length) t.ok(statuses.includes('401') && statuses.includes('403'), `${name} documents 401 and 403`);
    }
  }
  // Routes that take a JSON body document its schema.
  const withBody: [string, string][] = [
    ['/auth/register', 'post'], ['/auth/login', 'post'], ['/users', 'post'], ['/users/{id}', 'patch'],
    ['/parties', 'post'], ['/parties/{id}/reviews', 'post'], ['/catalog/listings', 'post'], ['/catalog/listings/{id}/provenance', 'put'],
  ];
  for (const [path, method] of withBody) {
    const body = doc.paths[path]?.[method]?.requestBody as { content?: Record<string, { schema?: { properties?: object } }> } | undefined;
    t.ok(body?.content?.['application/json']?.schema?.properties, `${method.toUpperCase()} ${path} documents its body schema`);
  }
  t.notOk(doc.paths['/users']?.get?.security === undefined, 'guarded routes carry the bearer scheme');
  t.same(doc.paths['/auth/login']?.post?.security, [], 'public routes say they need no credentials');
});

t.test('the interactive docs page is served', async (t) => {
  const app = await buildTestApp(t);
  const res = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/html/);
});

t.test('the errors any operation can give are documented with it, and so is X-Party-Id', async (t) => {
  const app = await buildTestApp(t);
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, Operation>> }>();
  let guarded = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const name = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(op.responses ?? {});
      // The router refuses a path segment over 100 characters before any route runs.
      if (path.includes('{')) t.ok(statuses.includes('414'), `${name} documents 414`);
      // Fastify reads the body of these methods whether or not the operation takes one.
      if (['post', 'put', 'patch', 'delete'].includes(method)) t.ok(statuses.includes('413') && statuses.includes('415'), `${name} documents 413 and 415`);
      const party = op.parameters?.find((p) => p.in === 'header' && p.name === 'x-party-id');
      if (op.security?.length) {
        guarded++;
        t.equal(party?.schema?.format, 'uuid', `${name} documents the X-Party-Id header`);
      } else {
        t.notOk(party, `${name} is public and acts for no party`);
      }
    }
  }
  t.ok(guarded > 50, `every guarded operation was checked (${guarded})`);

  // Through the API: the contract (helpers/contract.ts) fails the test for any undocumented status.
  const user = await signUp(app, ['buyer']);
  const first = await registerParty(app, user);
  const second = await registerParty(app, user);
  const id = first.id;
  expectProblem(t, await as(app, user, { method: 'GET', url: `/parties/${'a'.repeat(101)}` }), 414, 'uri-too-long');
  const asText = { 'content-type': 'text/plain' };
  expectProblem(t, await as(app, user, { method: 'POST', url: `/parties/${id}/submission`, headers: asText, payload: 'submit' }), 415, 'unsupported-media-type');
  const huge = Buffer.alloc(app.config.bodyLimitBytes + 1, 0x20);
  expectProblem(t, await as(app, user, { method: 'POST', url: `/parties/${id}/submission`, headers: { 'content-type': 'application/json' }, payload: huge }), 413, 'payload-too-large');
  expectProblem(t, await as(app, user, { method: 'DELETE', url: `/parties/${id}/members/${user.id}`, headers: asText, payload: 'x' }), 415, 'unsupported-media-type');

  // The documented header does what it says: it picks one of the user's two parties.
  expectProblem(t, await as(app, user, { method: 'GET', url: '/me/acting-party' }), 403, 'party-required');
  const chosen = expectProblem(t, await as(app, user, { method: 'GET', url: '/me/acting-party', headers: second.headers }), 403, 'party-not-verified');
  t.equal((chosen as { partyId?: string }).partyId, second.id, 'the party the header names');
  expectProblem(t, await as(app, user, { method: 'GET', url: '/me/acting-party', headers: { 'x-party-id': 'not-a-uuid' } }), 400, 'validation-failed');
});
