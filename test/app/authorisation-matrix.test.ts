// Every route × every kind of caller × (the caller's own resource, another party's): the answer is
// what the route's declaration (config.auth, config.access; plugins/auth.ts) implies. Routes come
// from app.routeRules, so a later module's routes are covered without a line of test code here;
// a new resource kind needs one fixture factory in test/helpers/route-world.ts.
import Fastify, { type LightMyRequestResponse } from 'fastify';
import t from 'tap';
import auth, { type RouteRule } from '../../src/plugins/auth.js';
import { buildTestApp } from '../helpers/app.js';
import { documentedOperations, validRequest, type DocumentedOperation } from '../helpers/openapi-requests.js';
import { buildWorld, fixtureSource, headersOf, personaNames, rolesOf, type Fixture, type Persona } from '../helpers/route-world.js';

const SEED = Number(process.env.MATRIX_SEED ?? 20240611);

type Outcome = 'unauthenticated' | 'forbidden' | 'hidden' | 'reached' | 'answered';

const passesGuard = (rule: RouteRule, p: Persona) =>
  rule.auth === 'public' || (p.user !== null && (rule.auth === 'authenticated' || rolesOf(p).some((r) => (rule.auth as readonly string[]).includes(r))));

/** What the declaration promises this caller, for a resource of `owner` (undefined: access 'none'). */
function expectedOutcome(rule: RouteRule, caller: Persona, owner: Persona | undefined, fixture: Fixture | undefined): Outcome {
  if (rule.auth !== 'public' && !caller.user) return 'unauthenticated';
  if (!passesGuard(rule, caller)) return 'forbidden';
  if (rule.access === 'none' || !owner) return 'answered';
  if (owner === caller || rolesOf(caller).some((r) => rule.access !== 'none' && rule.access.staff?.includes(r))) return 'reached';
  if (rule.access.onSale && rule.method === 'GET' && fixture?.onSale) return 'reached';
  return 'hidden';
}

const problemType = (res: LightMyRequestResponse) => {
  try {
    return (JSON.parse(res.body) as { type?: string }).type;
  } catch {
    return undefined;
  }
};

/** Why the answer breaks the promise, or undefined. */
function mismatch(rule: RouteRule, expected: Outcome, res: LightMyRequestResponse): string | undefined {
  const status = res.statusCode;
  const type = problemType(res);
  if (status >= 500) return 'a server error';
  // 403s that say what the caller's party must do first (act for one, have it verified) are answers, not refusals.
  const refusedByRole = status === 403 && type === '/problems/forbidden';
  // On a public route a 401 is about credentials in the body (a login), never the guard.
  const refusedAsAnonymous = status === 401 && (rule.auth !== 'public' || type === '/problems/unauthenticated');
  switch (expected) {
    case 'unauthenticated':
      return status === 401 ? undefined : 'expected 401';
    case 'forbidden':
      return refusedByRole ? undefined : 'expected 403 forbidden';
    case 'hidden':
      return status === 404 ? undefined : 'expected 404';
    case 'reached':
      return refusedAsAnonymous || refusedByRole || status === 404 ? 'the owner or staff was refused' : undefined;
    case 'answered':
      return refusedAsAnonymous || refusedByRole ? 'refused on a route that names no resource' : undefined;
  }
}

t.test('every route answers every persona as its declaration says', async (t) => {
  const app = await buildTestApp(t);
  const world = await buildWorld(app);
  const fixtures = fixtureSource(world);
  const operations = new Map<string, DocumentedOperation>(documentedOperations(app.swagger() as never).map((op) => [`${op.method} ${op.url}`, op]));
  const failures: string[] = [];
  let cells = 0;
  let skipped = 0;
  let seed = SEED;
  t.comment(`seed ${SEED} (MATRIX_SEED=… to replay another)`);

  async function cell(rule: RouteRule, op: DocumentedOperation, caller: Persona, owner: Persona | undefined, fixture: Fixture | undefined) {
    const expected = expectedOutcome(rule, caller, owner, fixture);
    // A resource of the caller's own that the request may change is a stand-in's, and the stand-in calls.
    const actingCaller = owner === caller && fixture?.caller ? fixture.caller : caller;
    const params: Record<string, string> = {};
    if (fixture && rule.access !== 'none') {
      const resourceParam = rule.access.param ?? 'id';
      Object.assign(params, fixture.params, { [resourceParam]: fixture.params.id! });
      const missing = op.pathParams.map((p) => p.name).filter((name) => params[name] === undefined);
      if (missing.length) throw new Error(`${rule.method} ${rule.url}: the ${rule.access.resource} fixture gives no ${missing.join(', ')}; add it to the factory`);
    }
    const request = validRequest(op, params, ++seed);
    const res = await app.inject({ method: request.method as 'GET', url: request.url, payload: request.payload, headers: { ...request.headers, ...headersOf(actingCaller) } });
    cells++;
    const why = mismatch(rule, expected, res);
    if (why) {
      const whose = fixture ? ` on ${fixture.label}` : '';
      failures.push(`${rule.method} ${rule.url} as ${actingCaller.name}${whose}: ${why}, got ${res.statusCode} ${res.body.slice(0, 200)} (seed ${seed})`);
    }
  }

  for (const rule of app.routeRules) {
    const op = operations.get(`${rule.method} ${rule.url}`);
    if (!op) {
      failures.push(`${rule.method} ${rule.url} is not in the OpenAPI document`);
      continue;
    }
    for (const name of personaNames) {
      const caller = world.personas[name];
      if (rule.access === 'none') {
        await cell(rule, op, caller, undefined, undefined);
        continue;
      }
      // Another party's first, then the caller's own; a request that may change the resource gets a fresh one.
      for (const owner of [world.other, caller]) {
        const reaches = expectedOutcome(rule, caller, owner, undefined) === 'reached';
        const made = await fixtures(rule.access.resource, owner, rule.method !== 'GET' && reaches);
        if (made.length === 0) skipped++;
        for (const fixture of made) await cell(rule, op, caller, owner, fixture);
      }
    }
  }
  t.same(failures, [], 'every answer is the one the declaration implies');
  t.comment(`${app.routeRules.length} operations, ${cells} cells (${skipped} skipped: the persona cannot own that kind of resource)`);
});

t.test('a route that does not declare who may call it and whose resource it names cannot be registered', async (t) => {
  const app = Fastify();
  await app.register(auth, { secret: 'x'.repeat(32), accessTokenTtlSeconds: 60, loadUser: async () => undefined, settle: async () => {} });
  t.throws(() => app.get('/undeclared', async () => 'x'), /must declare config\.auth/);
  t.throws(() => app.get('/half-declared', { config: { auth: 'authenticated' } }, async () => 'x'), /must declare config\.access/);
  await app.close();
});
