import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

interface Operation {
  tags?: string[];
  security?: unknown[];
  requestBody?: unknown;
  parameters?: unknown[];
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
