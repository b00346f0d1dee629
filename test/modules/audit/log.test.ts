import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { rowsOf } from '../../../src/lib/database.js';
import { verifyConsistency, verifyInclusion } from '../../../src/lib/tlog/merkle.js';
import { openNote, parseCheckpoint, parseVerifierKey } from '../../../src/lib/tlog/note.js';
import { verifyReceipt } from '../../../src/lib/tlog/receipt.js';
import { systemActor } from '../../../src/modules/audit/events.js';
import { appendAudit } from '../../../src/modules/audit/service.js';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { listedProduct, verifiedProvider } from '../../helpers/catalog.js';
import { runTs } from '../../helpers/spawn.js';

declare module '../../../src/modules/audit/events.js' {
  interface AuditPayloads {
    'test.appended': { n: number };
  }
}

/** Waits until every event written so far is in a signed checkpoint; answers the log's size. */
export async function integrated(app: FastifyInstance): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const [row] = rowsOf<{ pending: number; size: number }>(
      await app.db.execute(
        sql`select (select count(*)::int from audit_pending) as pending, (select coalesce(max(tree_size), 0)::int from audit_checkpoints) as size`,
      ),
    );
    if (row!.pending === 0) return row!.size;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the sequencer did not integrate the events');
}

const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url });

t.test('a party receives a receipt for its listing’s approval, checks it offline, and later proves the log only grew', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider, party } = await verifiedProvider(app, operator);
  const listing = await listedProduct(app, provider, operator);
  await integrated(app);

  // The provider finds the event among those that concern its party (an operator's decision on its listing).
  const events = await as(app, provider, { method: 'GET', url: `/parties/${party.id}/audit-events?action=listing.approved&subjectId=${listing.id}` });
  t.equal(events.json().items.length, 1);
  const approval = events.json().items[0];
  const { user: stranger, party: strangerParty } = await verifiedProvider(app, operator);
  expectProblem(t, await as(app, stranger, { method: 'GET', url: `/parties/${party.id}/audit-events` }), 404, 'not-found');
  t.equal((await as(app, stranger, { method: 'GET', url: `/parties/${strangerParty.id}/audit-events?action=listing.*` })).json().items.length, 0, 'no one else’s events');
  t.match(approval, { action: 'listing.approved', actor: { userId: operator.id }, parties: [party.id] });
  t.type(approval.leafIndex, 'number');

  const receiptRes = await as(app, provider, { method: 'GET', url: `/audit/events/${approval.id}/receipt` });
  t.equal(receiptRes.statusCode, 200, receiptRes.body);
  const receipt = receiptRes.json();
  const key = (await get(app, '/audit/log/key')).body.trim();
  t.match(verifyReceipt(receipt, key), { ok: true, leafIndex: approval.leafIndex });
  t.match(JSON.parse(Buffer.from(receipt.leaf, 'base64').toString()), { id: approval.id, action: 'listing.approved', subject: { type: 'listing', id: listing.id } });

  // The offline verifier: a separate process with the key alone.
  const dir = mkdtempSync(join(tmpdir(), 'dx-receipt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'receipt.json'), JSON.stringify(receipt));
  writeFileSync(join(dir, 'key.txt'), key);
  const checked = await runTs('scripts/audit-verify-receipt.ts', [join(dir, 'receipt.json'), '--key-file', join(dir, 'key.txt')], {});
  t.equal(checked.code, 0, checked.stdout + checked.stderr);
  t.match(checked.stdout, /receipt OK/);
  const forgedLeaf = Buffer.from(Buffer.from(receipt.leaf, 'base64').toString().replace('approved', 'rejected')).toString('base64');
  writeFileSync(join(dir, 'forged.json'), JSON.stringify({ ...receipt, leaf: forgedLeaf }));
  const forged = await runTs('scripts/audit-verify-receipt.ts', [join(dir, 'forged.json'), '--key', key], {});
  t.equal(forged.code, 1);
  t.match(forged.stdout, /FAILED at check "inclusion"/);

  // More activity; then the newest checkpoint and a consistency proof from the receipt's.
  await Promise.all([1, 2, 3].map(() => signUp(app, ['buyer'])));
  const size = await integrated(app);
  t.ok(size > receipt.treeSize, 'the log grew');
  const newest = (await get(app, '/audit/log/checkpoint')).body;
  const proof = (await get(app, `/audit/log/proofs/consistency?from=${receipt.treeSize}&to=${size}`)).json();
  t.match(verifyReceipt(receipt, key, { checkpoint: newest, consistency: proof }), { ok: true });
  writeFileSync(join(dir, 'newest.txt'), newest);
  writeFileSync(join(dir, 'proof.json'), JSON.stringify(proof));
  const grown = await runTs('scripts/audit-verify-receipt.ts', [join(dir, 'receipt.json'), '--key', key, '--newer', join(dir, 'newest.txt'), '--consistency', join(dir, 'proof.json')], {});
  t.equal(grown.code, 0, grown.stdout);
  t.match(grown.stdout, /prefix of the newer one/);
  // An earlier checkpoint is still served, exactly as signed.
  t.equal((await get(app, `/audit/log/checkpoints/${receipt.treeSize}`)).body, receipt.checkpoint);
});

t.test('public log routes answer standard formats that check with the standard algorithms', async (t) => {
  const app = await buildTestApp(t);
  await Promise.all([1, 2, 3, 4, 5].map(() => signUp(app, ['buyer'])));
  const size = await integrated(app);
  const verifier = parseVerifierKey((await get(app, '/audit/log/key')).body.trim());
  t.equal(verifier.name, 'test.data-exchange.localhost/audit-log', 'the key is named after the origin');
  const note = await get(app, '/audit/log/checkpoint');
  t.match(note.headers['content-type'], /^text\/plain/);
  const opened = openNote(note.body, verifier);
  t.ok(opened.ok);
  const checkpoint = parseCheckpoint((opened as { text: string }).text);
  t.equal(checkpoint.size, size);
  const leaves = rowsOf<{ leaf_index: number }>(await app.db.execute(sql`select leaf_index::int from audit_events e join audit_log_leaves l on l.event_seq = e.seq order by leaf_index`));
  t.same(leaves.map((l) => l.leaf_index), Array.from({ length: size }, (_, i) => i), 'leaf indexes from 0 with no gap');
  const inclusion = (await get(app, `/audit/log/proofs/inclusion?index=2&size=${size}`)).json();
  const [leafRow] = rowsOf<{ hash: Uint8Array }>(await app.db.execute(sql`select hash from audit_log_nodes where level = 0 and index = 2`));
  t.ok(verifyInclusion(Buffer.from(leafRow!.hash), 2, size, inclusion.proof.map((h: string) => Buffer.from(h, 'base64')), checkpoint.rootHash));
  // The sequencer integrates in batches: the first checkpoint has as many leaves as its first batch.
  const [{ smallest } = { smallest: 0 }] = rowsOf<{ smallest: number }>(await app.db.execute(sql`select min(tree_size)::int as smallest from audit_checkpoints`));
  const first = parseCheckpoint((openNote((await get(app, `/audit/log/checkpoints/${smallest}`)).body, verifier) as { text: string }).text);
  const consistency = (await get(app, `/audit/log/proofs/consistency?from=${smallest}&to=${size}`)).json();
  t.ok(verifyConsistency(smallest, size, consistency.proof.map((h: string) => Buffer.from(h, 'base64')), first.rootHash, checkpoint.rootHash));
  expectProblem(t, await get(app, `/audit/log/proofs/inclusion?index=${size}&size=${size}`), 400, 'validation-failed');
  expectProblem(t, await get(app, `/audit/log/proofs/consistency?from=1&to=${size + 1}`), 400, 'validation-failed');
  expectProblem(t, await get(app, `/audit/log/checkpoints/${size + 100}`), 404, 'not-found');
});

t.test('receipts: the parties an event concerns and operators; anyone else is told it does not exist', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const { user: stranger } = await verifiedProvider(app, operator);
  const listing = await listedProduct(app, provider, operator);
  const [event] = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectId=${listing.id}&action=listing.created` })).json().items;
  const receipt = (user: TestUser) => as(app, user, { method: 'GET', url: `/audit/events/${event.id}/receipt?wait=5` });
  t.equal((await receipt(provider)).statusCode, 200, 'the provider waits for its receipt');
  t.equal((await receipt(operator)).statusCode, 200);
  expectProblem(t, await receipt(stranger), 404, 'not-found');
  expectProblem(t, await app.inject({ method: 'GET', url: `/audit/events/${event.id}/receipt` }), 401, 'unauthenticated');
});

t.test('appends take no lock: 50 concurrent appends all reach the log, each once, and it verifies', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  await Promise.all(
    Array.from({ length: 50 }, (_, n) =>
      app.db.transaction((tx) => appendAudit(tx, systemActor(), { action: 'test.appended', subject: { type: 'test', id: String(n) }, payload: { n } })),
    ),
  );
  const size = await integrated(app);
  const [row] = rowsOf<{ n: number; leaves: number; max: number }>(
    await app.db.execute(sql`select count(*)::int as n, count(l.leaf_index)::int as leaves, max(l.leaf_index)::int as max from audit_events e left join audit_log_leaves l on l.event_seq = e.seq`),
  );
  t.same(row, { n: size, leaves: size, max: size - 1 }, 'every event has one leaf, indexes 0..n-1');
  t.match((await as(app, operator, { method: 'POST', url: '/audit/verify' })).json(), { ok: true, leaves: size, firstBadLeaf: null });
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
  await integrated(app);
  const rows = rowsOf<{ leaf_index: number; subject_id: string }>(await app.db.execute(sql`select leaf_index::int, subject_id from audit_events e left join audit_log_leaves l on l.event_seq = e.seq`));
  t.same(rows, [{ leaf_index: 0, subject_id: 'y' }], 'the rolled-back event left no row and no leaf');
});

t.test('the database refuses every change to events, leaves, nodes and checkpoints', async (t) => {
  const app = await buildTestApp(t);
  await signUp(app, ['buyer']);
  await integrated(app);
  const refused: [string, SQL][] = [
    ['change an event', sql`update audit_events set action = 'forged'`],
    ['delete an event', sql`delete from audit_events`],
    ['truncate events', sql`truncate audit_events cascade`],
    ['move a leaf', sql`update audit_log_leaves set leaf_index = 99 where leaf_index = 0`],
    ['delete a leaf', sql`delete from audit_log_leaves`],
    ['truncate leaves', sql`truncate audit_log_leaves`],
    ['change a node', sql`update audit_log_nodes set hash = '\\x00'`],
    ['delete a checkpoint', sql`delete from audit_checkpoints`],
    ['truncate checkpoints', sql`truncate audit_checkpoints`],
  ];
  for (const [what, statement] of refused) await t.rejects(app.db.execute(statement), { cause: { message: /append-only/ } }, what);
  // Nor is an event waiting for the sequencer open to change: the sequencer never writes events.
  const { seq } = await app.db.transaction((tx) => appendAudit(tx, systemActor(), { action: 'test.appended', subject: { type: 'test', id: 'z' }, payload: { n: 3 } }));
  await t.rejects(app.db.execute(sql`update audit_events set party_ids = '{}' where seq = ${seq}`), { cause: { message: /append-only/ } }, 'a pending event');
});

t.test('the database queues every event it stores for the sequencer, bulk inserts included', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const before = await integrated(app);
  // Values that the server's COPY escapes (tab, newline, backslash) and text beyond ASCII: verify reads them back exactly.
  await app.db.execute(sql`insert into audit_events (occurred_at, action, subject_type, subject_id, payload, ip, request_id)
    select now(), 'test.appended', 'test', g::text || chr(9) || chr(92),
      jsonb_build_object('n', g, 'text', 'tab' || chr(9) || 'here' || chr(10) || 'line "q" ' || chr(92) || ' back' || chr(13) || ' é 重庆 😀'),
      '203.0.113.' || (g % 7), 'req' || chr(92) || (g % 3) from generate_series(1, 250) g`);
  t.equal(await integrated(app), before + 250);
  t.match((await as(app, operator, { method: 'POST', url: '/audit/verify' })).json(), { ok: true, leaves: before + 250, pending: 0 });
});

t.test('an event altered or deleted behind the triggers is named by verify', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  await Promise.all([1, 2].map(() => signUp(app, ['buyer'])));
  await integrated(app);
  t.match((await as(app, operator, { method: 'POST', url: '/audit/verify' })).json(), { ok: true });
  // As a superuser could: every trigger off, the foreign key from leaves to events included.
  const behindTheTriggers = (statement: SQL) =>
    app.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(statement);
    });
  const eventOfLeaf = (index: number) => sql`(select event_seq from audit_log_leaves where leaf_index = ${index})`;
  const seqOfLeaf = async (index: number) => Number(rowsOf<{ seq: string | number }>(await app.db.execute(sql`select ${eventOfLeaf(index)} as seq`))[0]!.seq);
  const [seq3, seq1] = [await seqOfLeaf(3), await seqOfLeaf(1)];
  t.not(seq3, 3, 'the leaf index and the event seq are different numbers');
  await behindTheTriggers(sql`update audit_events set payload = '{"roles":["operator"],"createdBy":"self"}' where seq = ${eventOfLeaf(3)}`);
  const changed = (await as(app, operator, { method: 'POST', url: '/audit/verify' })).json();
  t.match(changed, { ok: false, firstBadLeaf: 3, firstBadEventSeq: seq3 });
  t.equal(changed.reason, `leaf 3 (event seq ${seq3}) does not match the leaf the log signed`, 'the leaf by its index, the event by its seq');
  await behindTheTriggers(sql`delete from audit_events where seq = ${eventOfLeaf(1)}`);
  t.match((await as(app, operator, { method: 'POST', url: '/audit/verify' })).json(), { ok: false, firstBadLeaf: 1, firstBadEventSeq: seq1, reason: `leaf 1 (event seq ${seq1}) has lost its event` });
  await behindTheTriggers(sql`delete from audit_log_leaves where leaf_index = 0`);
  t.match((await as(app, operator, { method: 'POST', url: '/audit/verify' })).json(), { ok: false, firstBadLeaf: 0, firstBadEventSeq: null, reason: 'leaf 0 is missing from the log' }, 'a leaf row gone');
});

t.test('only operators list events and verify the log', async (t) => {
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
  t.same(seen, [...seen].sort((a, b) => a - b), 'in order');
  t.equal(new Set(seen).size, seen.length, 'each once');
  const family = (await as(app, operator, { method: 'GET', url: '/audit/events?action=account.*&limit=200' })).json();
  t.equal(family.items.length, seen.length);
  expectProblem(t, await as(app, operator, { method: 'GET', url: '/audit/events?cursor=not-a-cursor' }), 400, 'validation-failed');
  expectProblem(t, await as(app, operator, { method: 'GET', url: "/audit/events?action=x'%20or%201=1" }), 400, 'validation-failed');
});
