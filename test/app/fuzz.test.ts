// Every operation of the served OpenAPI document, sent valid and then broken one way at a time
// (test/helpers/mutations.ts). Whatever the request: never a 5xx, every error a problem+json with a
// status the operation documents, and a refused request changes nothing in the database. Every
// other request asks for Chinese (Accept-Language: zh-CN), whose problems the response contract
// (test/helpers/contract.ts) holds to Chinese titles and details. New modules' operations are
// covered as they appear in the document.
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import t from 'tap';
import type { RouteRule } from '../../src/plugins/auth.js';
import { buildTestApp } from '../helpers/app.js';
import { changedTables, fingerprinter } from '../helpers/db-fingerprint.js';
import { mutantsOf, type Mutant } from '../helpers/mutations.js';
import { documentedOperations, fillPath, queryString, validRequest, type DocumentedOperation, type GeneratedRequest } from '../helpers/openapi-requests.js';
import { buildWorld, fixtureSource, headersOf, personaNames, rolesOf, type Fixture, type Persona, type World } from '../helpers/route-world.js';

const SEED = Number(process.env.FUZZ_SEED ?? 7_2024);
/**
 * Broken requests per operation at most: a seeded sample when an operation has more, so the fuzz's
 * cost grows with the number of operations, not with the size of their bodies. FUZZ_BUDGET=… widens it.
 */
const BUDGET = Number(process.env.FUZZ_BUDGET ?? 24);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * A caller the route lets in; for a route that names a resource, the first such persona that owns
 * one (as the fixture factories say), else one of its staff on another party's.
 */
async function callerFor(world: World, rule: RouteRule, fixtures: ReturnType<typeof fixtureSource>): Promise<{ caller: Persona; owner: Persona | undefined }> {
  const order = [...personaNames.filter((n) => n !== 'anonymous'), 'anonymous' as const].map((n) => world.personas[n]);
  const allowed = order.filter((p) => rule.auth === 'public' || (p.user && (rule.auth === 'authenticated' || rolesOf(p).some((r) => (rule.auth as readonly string[]).includes(r)))));
  if (rule.access === 'none') return { caller: allowed[0]!, owner: undefined };
  const access = rule.access;
  for (const p of allowed) if ((await fixtures(access.resource, p, false)).length) return { caller: p, owner: p };
  return { caller: allowed.find((p) => rolesOf(p).some((r) => access.staff?.includes(r))) ?? allowed[0]!, owner: world.other };
}

const describe = (r: GeneratedRequest) => `${r.method} ${r.url} ${r.headers['content-type'] ?? ''} ${r.payload === undefined ? '' : String(r.payload).slice(0, 160)}`;
const withoutIds = (res: LightMyRequestResponse) => res.body.replace(/"requestId":"[^"]*"/, '').replace(/"instance":"[^"]*"/, '').toLowerCase();

t.test('every operation refuses broken requests cleanly and changes nothing when it does', async (t) => {
  const app = await buildTestApp(t);
  const world = await buildWorld(app);
  const fixtures = fixtureSource(world);
  const fingerprint = await fingerprinter(app);
  const operations = documentedOperations(app.swagger() as never);
  const rules = new Map(app.routeRules.map((r) => [`${r.method} ${r.url}`, r]));
  const failures: string[] = [];
  let requests = 0;
  let refused = 0;
  t.comment(`seed ${SEED} (FUZZ_SEED=… to replay another), at most ${BUDGET} broken requests per operation (FUZZ_BUDGET=…)`);

  // The database as the last request left it: each request's "after" is the next one's "before".
  let last: Record<string, string> = {};
  // Which requests ask for Chinese follows the order of the requests, so a seed replays it.
  const asksChinese = () => requests % 2 === 1;
  async function send(op: DocumentedOperation, caller: Persona, request: GeneratedRequest, mutant: Mutant | undefined, seed: number, chinese = asksChinese()) {
    const before = last;
    const language = chinese ? { 'accept-language': 'zh-CN' } : {};
    const res = await app.inject({ method: request.method as 'GET', url: request.url, payload: request.payload, headers: { ...request.headers, ...headersOf(caller), ...language } });
    last = await fingerprint();
    requests++;
    const where = `${mutant?.kind ?? 'valid request'}: ${describe(request)} as ${caller.name}${chinese ? ' in Chinese' : ''} (seed ${seed})`;
    const status = res.statusCode;
    if (status >= 500) failures.push(`${status} for ${where}: ${res.body.slice(0, 200)}`);
    if (status >= 400) {
      if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) failures.push(`${status} is not problem+json for ${where}`);
      if (!op.responses[String(status)]) failures.push(`${status} is not documented for ${where}`);
    }
    if (mutant?.refused && (status < 400 || status >= 500)) failures.push(`accepted (${status}) ${where}`);
    if (mutant?.status && !mutant.status.includes(status)) failures.push(`expected ${mutant.status.join('/')}, got ${status} for ${where}: ${res.body.slice(0, 200)}`);
    if (status >= 400 && status < 500) {
      refused++;
      const changed = changedTables(before, last);
      if (changed.length) failures.push(`refused (${status}) but changed ${changed.join(', ')}: ${where}`);
    }
    return res;
  }

  let seed = SEED;
  for (const op of operations) {
    const rule = rules.get(`${op.method} ${op.url}`);
    if (!rule) {
      failures.push(`${op.method} ${op.path} is documented but has no route rule`);
      continue;
    }
    const { caller, owner } = await callerFor(world, rule, fixtures);
    // A request that may change the resource gets one of its own, so later operations see the world unchanged.
    let fixture: Fixture | undefined;
    if (owner && rule.access !== 'none') fixture = (await fixtures(rule.access.resource, owner, op.method !== 'GET'))[0];
    const acting = owner === caller && fixture?.caller ? fixture.caller : caller;
    const params: Record<string, string> = { ...fixture?.params };
    if (fixture && rule.access !== 'none') params[rule.access.param ?? 'id'] = fixture.params.id!;
    // Making the fixture wrote to the database: start this operation's requests from here.
    last = await fingerprint();
    const opSeed = ++seed * 1000;
    const base = validRequest(op, params, opSeed, true);
    const pathValues = base.params;


    // Upper-case UUIDs name the same things: a read answers the same, a change reaches the resource.
    // First, while the fixture is as made (a broken request that is accepted, e.g. an empty body, may use it up).
    const upper: GeneratedRequest = { ...base, url: base.url.replace(UUID, (u) => u.toUpperCase()), payload: typeof base.payload === 'string' ? base.payload.replace(UUID, (u) => u.toUpperCase()) : base.payload };
    if (upper.url === base.url && upper.payload === base.payload) {
      // no UUID to shout
    } else if (op.method === 'GET') {
      // Both in one language, so their bodies compare.
      const chinese = asksChinese();
      const lower = await send(op, acting, base, undefined, opSeed, chinese);
      const shouting = await send(op, acting, upper, undefined, opSeed, chinese);
      if (lower.statusCode !== shouting.statusCode || withoutIds(lower) !== withoutIds(shouting)) {
        failures.push(`upper-case UUIDs answer ${shouting.statusCode}, lower-case ${lower.statusCode}: ${describe(upper)} (seed ${opSeed})`);
      }
    } else {
      const pathOnly = { ...base, url: fillPath(op.path, Object.fromEntries(Object.entries(pathValues).map(([k, v]) => [k, v.replace(UUID, (u) => u.toUpperCase())]))) + queryString(base.query) };
      const res = await send(op, acting, pathOnly, undefined, opSeed);
      const errors = res.statusCode === 400 ? JSON.stringify(res.json().errors ?? []) : '';
      // A 404 may be the body's or the query's doing (an optional id naming nothing): it is the
      // case's only if the same request in lower case finds what it names. A refusal changed
      // nothing, so the lower-case request meets the fixture as made.
      const lowerFinds = res.statusCode === 404 && (await send(op, acting, base, undefined, opSeed)).statusCode !== 404;
      if (lowerFinds || errors.includes('/params')) failures.push(`upper-case path UUIDs refused (${res.statusCode}): ${describe(pathOnly)} (seed ${opSeed})`);
    }
    const mutants = mutantsOf(op, base, pathValues, opSeed, app.config.bodyLimitBytes);
    const sample = mutants.length <= BUDGET ? mutants : fc.sample(fc.shuffledSubarray(mutants, { minLength: BUDGET, maxLength: BUDGET }), { numRuns: 1, seed: opSeed })[0]!;
    for (const mutant of sample) await send(op, acting, mutant.request, mutant, opSeed);
  }
  t.same(failures.slice(0, 40), [], `no server error, every error documented problem+json, refused requests change nothing (${failures.length} failures)`);
  t.comment(`${operations.length} operations, ${requests} requests (${refused} refused)`);
});
