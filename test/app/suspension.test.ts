// A suspended party trying every kind of action (issue 18, Art. 28(4)). Every operation of the route
// table that may change something is called by a member of a suspended party, on the party's own
// resources: it is refused, 403 party-suspended naming the reason, unless the route declares why it
// stays open (config.whileSuspended, plugins/auth.ts), and a refusal changes nothing. The party's
// own records still read. Once reinstated, no refusal is left. Routes come from app.routeRules and
// their fixtures from test/helpers/route-world.ts, so a new route is covered with no code here.
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { deliverNotifications } from '../../src/modules/notifications/notifier.js';
import type { RouteRule } from '../../src/plugins/auth.js';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { changedTables, fingerprinter } from '../helpers/db-fingerprint.js';
import { createVerifiedParty } from '../helpers/identity.js';
import { documentedOperations, validRequest, type DocumentedOperation } from '../helpers/openapi-requests.js';
import { listedProduct } from '../helpers/catalog.js';
import { acting, buildWorld, fixtureSource, headersOf, rolesOf, type Persona } from '../helpers/route-world.js';
import { sampleOrder } from '../helpers/trading.js';

const REASON = '涉嫌交易来源不明的数据，暂停交易待查 (suspected data of unknown source, pending investigation)';

/**
 * Reads that are refused while suspended, and why: they are not the party's records but something
 * it would obtain or be vouched for anew. Anything else a member reads answers.
 */
const refusedReads: Record<string, string> = {
  'GET /me/acting-party': 'it answers whether the party may act: it tells the suspension and its reason',
  'GET /public-data/entries/:id/versions/:versionId/download': 'Art. 18: open public data is obtained by a party whose identity is vouched for',
};

interface Cell {
  rule: RouteRule;
  op: DocumentedOperation;
  caller: Persona;
  params: Record<string, string>;
  label: string;
}

const key = (rule: Pick<RouteRule, 'method' | 'url'>) => `${rule.method} ${rule.url}`;
const passesGuard = (rule: RouteRule, p: Persona) => rule.auth === 'authenticated' || rolesOf(p).some((r) => (rule.auth as readonly string[]).includes(r));
const operatorsOnly = (rule: RouteRule) => Array.isArray(rule.auth) && (rule.auth as readonly string[]).every((role) => role === 'operator');
const problemOf = (res: LightMyRequestResponse) => (res.headers['content-type']?.toString().startsWith('application/problem+json') ? res.json<{ type: string; reason?: string }>() : undefined);
const isSuspensionRefusal = (res: LightMyRequestResponse) => res.statusCode === 403 && problemOf(res)?.type === '/problems/party-suspended';

t.test('a suspended party trying every kind of action', async (t) => {
  const app = await buildTestApp(t);
  const world = await buildWorld(app);
  const { clerk } = world;
  // The bureau buys centrally as a public body of its own: one more member, for the bureau's routes.
  const bureauUser = await signUp(app, ['bureau'], 'bureau-for-its-body');
  const bureau: Persona = { name: 'bureau-for-its-body', user: bureauUser, party: await createVerifiedParty(app, bureauUser, clerk, 'public_body') };
  const members = [world.personas.buyer, world.personas.provider, world.personas.department, bureau];
  const fixtures = fixtureSource(world);
  const operations = new Map(documentedOperations(app.swagger() as never).map((op) => [key(op), op]));

  // Every operation a member could call on its own party's resources, with the resources made while it may still act.
  async function cellsOf(rules: RouteRule[]): Promise<Cell[]> {
    const cells: Cell[] = [];
    for (const rule of rules) {
      const op = operations.get(key(rule));
      if (!op) throw new Error(`${key(rule)} is not in the OpenAPI document`);
      for (const member of members.filter((m) => passesGuard(rule, m))) {
        if (rule.access === 'none') {
          cells.push({ rule, op, caller: member, params: {}, label: member.name });
          continue;
        }
        // A member staff for the route (the bureau reviewing an entry) acts on another party's resource.
        const staff = rolesOf(member).some((r) => rule.access !== 'none' && rule.access.staff?.includes(r));
        const own = await fixtures(rule.access.resource, member, false);
        for (const fixture of own.length === 0 && staff ? await fixtures(rule.access.resource, world.other, false) : own) {
          const caller = fixture.caller ?? member;
          if (caller.party) cells.push({ rule, op, caller, params: { ...fixture.params, [rule.access.param ?? 'id']: fixture.params.id! }, label: `${caller.name} on ${fixture.label}` });
        }
      }
    }
    return cells;
  }
  const guarded = app.routeRules.filter((r) => r.auth !== 'public');
  const changing = await cellsOf(guarded.filter((r) => r.method !== 'GET'));
  const reading = await cellsOf(guarded.filter((r) => r.method === 'GET'));
  // Only the exchange's own staff act for no party: every other operation that changes something is tried.
  const untried = guarded.filter((r) => r.method !== 'GET' && !operatorsOnly(r) && !changing.some((c) => c.rule === r));
  t.same(untried.map(key), [], 'every operation a party member can call is tried; one missing needs a fixture in route-world.ts');

  let seed = 20260611;
  const call = (cell: Cell) => {
    const request = validRequest(cell.op, cell.params, ++seed);
    return app.inject({ method: request.method as 'POST', url: request.url, payload: request.payload, headers: { ...request.headers, ...headersOf(cell.caller) } });
  };

  // The operator suspends every party the members act for, with the reason.
  const parties = [...new Map([...changing, ...reading].map((c) => [c.caller.party!.id, c.caller.party!])).values()];
  for (const party of parties) t.equal((await as(app, clerk, { method: 'POST', url: `/parties/${party.id}/suspension`, payload: { reason: REASON } })).statusCode, 200);

  // Every operation that is not declared open is refused before it runs, naming the reason, and changes nothing.
  const fingerprint = await fingerprinter(app);
  const before = await fingerprint();
  const failures: string[] = [];
  const refusedOps = new Set<string>();
  for (const cell of changing.filter((c) => !c.rule.whileSuspended)) {
    const res = await call(cell);
    if (!isSuspensionRefusal(res) || problemOf(res)?.reason !== REASON) failures.push(`${key(cell.rule)} as ${cell.label}: expected 403 party-suspended naming the reason, got ${res.statusCode} ${res.body.slice(0, 200)}`);
    else refusedOps.add(key(cell.rule));
  }
  t.same(changedTables(before, await fingerprint()), [], 'the refusals changed nothing');

  // What is declared open answers as it would for any party: never the suspension.
  const openOps = new Set<string>();
  for (const cell of changing.filter((c) => c.rule.whileSuspended)) {
    const res = await call(cell);
    if (isSuspensionRefusal(res) || res.statusCode >= 500) failures.push(`${key(cell.rule)} (open: ${cell.rule.whileSuspended}) as ${cell.label}: got ${res.statusCode} ${res.body.slice(0, 200)}`);
    else openOps.add(key(cell.rule));
  }

  // Its own records read: every resource of its own answers 200; only the reads listed above refuse.
  for (const cell of reading) {
    const res = await call(cell);
    const refusedRead = refusedReads[key(cell.rule)];
    if (refusedRead) {
      if (!isSuspensionRefusal(res)) failures.push(`${key(cell.rule)} as ${cell.label}: expected the suspension (${refusedRead}), got ${res.statusCode}`);
    } else if (res.statusCode >= 500 || isSuspensionRefusal(res) || (cell.rule.access !== 'none' && res.statusCode !== 200)) {
      failures.push(`${key(cell.rule)} as ${cell.label}: a read of its own, got ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
  }
  t.same(failures, [], 'refused, open and readable as declared');
  t.comment(`${refusedOps.size} operations refused, ${openOps.size} open (${[...openOps].join(', ')}), ${reading.length} reads; ${changing.length + reading.length} calls`);

  // Audited with the reason; the party is told, with the reason.
  const buyer = world.personas.buyer;
  const events = (await as(app, clerk, { method: 'GET', url: `/audit/events?action=party.suspended&subjectId=${buyer.party!.id}` })).json<{ items: { payload: { reason: string } }[] }>();
  t.match(events.items, [{ payload: { reason: REASON } }]);
  await deliverNotifications(app.db);
  const told = (await as(app, acting(buyer), { method: 'GET', url: '/me/notifications?kind=party.suspended' })).json<{ items: { title: { zh: string; en: string } }[] }>();
  t.match(told.items, [{ title: { zh: new RegExp(`暂停.*${REASON.slice(0, 8)}`), en: /suspended your party/ } }]);

  // The party appeals; its statement is audited for the operators.
  const appeal = await as(app, acting(buyer), { method: 'POST', url: `/parties/${buyer.party!.id}/suspension/appeal`, payload: { statement: '数据来源均有授权书，请复核。' } });
  t.equal(appeal.statusCode, 201);
  t.match((await as(app, clerk, { method: 'GET', url: `/audit/events?action=party.suspension_appealed&subjectId=${buyer.party!.id}` })).json().items, [{ payload: { statement: '数据来源均有授权书，请复核。' } }]);

  // Reinstated: no operation is refused for the suspension any more, and the member trades again.
  for (const party of parties) t.equal((await as(app, clerk, { method: 'POST', url: `/parties/${party.id}/reinstatement`, payload: { reason: '核查完毕，来源合法 (cleared)' } })).statusCode, 200);
  const stillRefused: string[] = [];
  for (const cell of changing) {
    const res = await call(cell);
    if (isSuspensionRefusal(res) || res.statusCode >= 500) stillRefused.push(`${key(cell.rule)} as ${cell.label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  }
  t.same(stillRefused, [], 'after reinstatement nothing is refused for the suspension');
  t.equal((await as(app, acting(buyer), { method: 'POST', url: `/parties/${buyer.party!.id}/suspension/appeal`, payload: { statement: 'again' } })).statusCode, 409, 'nothing to appeal');
  const listing = await listedProduct(app, acting(world.personas.provider), clerk);
  t.equal((await as(app, acting(buyer), { method: 'POST', url: '/orders', payload: sampleOrder(listing.id) })).statusCode, 201, 'the buyer orders again, from the provider listing again');
});
