import { sql } from 'drizzle-orm';
import t from 'tap';
import { rowsOf } from '../../../src/lib/database.js';
import { systemActor } from '../../../src/modules/audit/events.js';
import { appendAudit, verifyAuditChain } from '../../../src/modules/audit/service.js';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';

declare module '../../../src/modules/audit/events.js' {
  interface AuditPayloads {
    'test.appended': { n: number; note?: string };
  }
}

t.test('state changes land in the chain with actor, subject and request id', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const buyer = await signUp(app, ['buyer']);
  const res = await as(app, operator, { method: 'GET', url: `/audit/events?subjectType=user&subjectId=${buyer.id}&order=asc` });
  t.equal(res.statusCode, 200);
  const [registered, login] = res.json().items;
  t.match(registered, { action: 'account.registered', actor: { userId: buyer.id }, payload: { roles: ['buyer'], createdBy: 'self' } });
  t.match(login, { action: 'account.login_succeeded', actor: { userId: buyer.id, ip: '127.0.0.1' } });
  t.match(login.actor.requestId, /.+/);
  t.equal(login.prevHash.length, 64);
});

t.test('only operators read the audit record', async (t) => {
  const app = await buildTestApp(t);
  for (const role of ['buyer', 'provider', 'department', 'bureau'] as const) {
    const user = await signUp(app, [role]);
    expectProblem(t, await as(app, user, { method: 'GET', url: '/audit/events' }), 403, 'forbidden');
    expectProblem(t, await as(app, user, { method: 'POST', url: '/audit/verify' }), 403, 'forbidden');
  }
  expectProblem(t, await app.inject({ method: 'GET', url: '/audit/events' }), 401, 'unauthenticated');
});

t.test('list filters and cursor pages walk the whole record once', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  await Promise.all([1, 2, 3, 4].map(() => signUp(app, ['buyer'])));
  const seen: number[] = [];
  let url = '/audit/events?limit=3&order=asc';
  for (let page = 0; page < 20; page++) {
    const body = (await as(app, operator, { method: 'GET', url })).json();
    seen.push(...body.items.map((e: { seq: number }) => e.seq));
    if (!body.next) break;
    url = `/audit/events?limit=3&order=asc&cursor=${body.next}`;
  }
  t.same(seen, seen.map((_, i) => i + 1), 'every event once, in order');
  const family = (await as(app, operator, { method: 'GET', url: '/audit/events?action=account.*&limit=200' })).json();
  t.equal(family.items.length, seen.length);
  const registered = (await as(app, operator, { method: 'GET', url: '/audit/events?action=account.registered' })).json();
  t.equal(registered.items.length, 5);
  expectProblem(t, await as(app, operator, { method: 'GET', url: '/audit/events?cursor=not-a-cursor' }), 400, 'validation-failed');
  expectProblem(t, await as(app, operator, { method: 'GET', url: "/audit/events?action=x'%20or%201=1" }), 400, 'validation-failed');
});

t.test('the database refuses UPDATE, DELETE and TRUNCATE on the audit table', async (t) => {
  const app = await buildTestApp(t);
  await signUp(app, ['buyer']);
  for (const statement of [
    sql`update audit_events set action = 'forged' where seq = 1`,
    sql`delete from audit_events where seq = 1`,
    sql`truncate audit_events`,
  ]) {
    // Drizzle wraps the driver's error; the database's own message is the cause.
    await t.rejects(app.db.execute(statement), { cause: { message: /append-only/ } });
  }
  const verify = await verifyAuditChain(app.db);
  t.ok(verify.ok, 'the chain is untouched');
});

t.test('a row altered behind the trigger makes verify name it', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  await signUp(app, ['buyer']);
  const before = (await as(app, operator, { method: 'POST', url: '/audit/verify' })).json();
  t.match(before, { ok: true, firstBadSeq: null });
  t.ok(before.checked >= 4);

  await app.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
    await tx.execute(sql`update audit_events set payload = '{"roles":["operator"],"createdBy":"self"}' where seq = 3`);
    await tx.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
  });
  const after = (await as(app, operator, { method: 'POST', url: '/audit/verify' })).json();
  t.match(after, { ok: false, firstBadSeq: 3, reason: /does not match/ });
  t.equal(after.checked, 2, 'the events before it still verify');
});

t.test('a deleted row is found as a gap', async (t) => {
  const app = await buildTestApp(t);
  await signUp(app, ['buyer']);
  await signUp(app, ['buyer']);
  await app.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
    await tx.execute(sql`delete from audit_events where seq = 2`);
    await tx.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
  });
  t.match(await verifyAuditChain(app.db), { ok: false, firstBadSeq: 2, reason: /missing/ });
});

t.test('50 concurrent appends keep one unbroken chain', async (t) => {
  const app = await buildTestApp(t);
  await Promise.all(
    Array.from({ length: 50 }, (_, n) =>
      app.db.transaction((tx) => appendAudit(tx, systemActor(), { action: 'test.appended', subject: { type: 'test', id: String(n) }, payload: { n } })),
    ),
  );
  const [count] = rowsOf<{ n: number; distinct_prev: number }>(
    await app.db.execute(sql`select count(*)::int as n, count(distinct prev_hash)::int as distinct_prev from audit_events`),
  );
  t.same(count, { n: 50, distinct_prev: 50 }, 'no two events share a predecessor');
  const progress: number[] = [];
  const result = await verifyAuditChain(app.db, (checked) => progress.push(checked), 16);
  t.match(result, { ok: true, checked: 50, head: { seq: 50 } });
  t.same(progress, [16, 32, 48, 50], 'progress is reported batch by batch');
});

t.test('an event exists only if its transaction committed', async (t) => {
  const app = await buildTestApp(t);
  await t.rejects(
    app.db.transaction(async (tx) => {
      await appendAudit(tx, systemActor(), { action: 'test.appended', subject: { type: 'test', id: 'x' }, payload: { n: 1 } });
      throw new Error('the change failed');
    }),
  );
  await app.db.transaction((tx) => appendAudit(tx, systemActor(), { action: 'test.appended', subject: { type: 'test', id: 'y' }, payload: { n: 2 } }));
  const rows = rowsOf<{ seq: number; subject_id: string }>(await app.db.execute(sql`select seq::int, subject_id from audit_events`));
  t.same(rows, [{ seq: 1, subject_id: 'y' }], 'the rolled-back event left no row and no gap');
  t.ok((await verifyAuditChain(app.db)).ok);
});
