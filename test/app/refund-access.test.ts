// What a dispute's decision does to the buyer's access and to the money's statuses, with the real
// modules on the bank-transfer rail, every step through the HTTP API: a full refund ends every
// download with the decision itself; a partial refund keeps access, and the payment says
// `partially_refunded` while the provider's share is still due.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { as, buildTestApp, expectProblem, type TestUser } from '../helpers/app.js';
import { contentHash, signAs } from '../helpers/agreements.js';
import { assertLedgerBalances } from '../helpers/ledger.js';
import { bankRef, recordReceipt } from '../helpers/settlement.js';
import { placeOrder, readOrder, sampleOrder, tradingWorld } from '../helpers/trading.js';

async function ok<T = Record<string, unknown>>(res: { statusCode: number; body: string }, status = 200): Promise<T> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 400)}`);
  return JSON.parse(res.body || 'null') as T;
}

interface Grant {
  id: string;
  sha256: string;
  sizeBytes: number;
  downloadsUsed: number;
  revokedAt: string | null;
  revokeReason: string | null;
  revocationCause: string | null;
}

/** Ordered, both parties signed, paid in full by bank transfer: delivering, nothing downloaded yet. */
async function paidTrade(app: FastifyInstance) {
  const world = await tradingWorld(app);
  const { buyer, provider, clerk } = world;
  const order = await placeOrder(app, buyer.user, sampleOrder(world.product.id));
  const hash = await contentHash(app, buyer.user, order.agreement!.id);
  for (const user of [buyer.user, provider.user]) await ok(await signAs(app, user, order.agreement!.id, hash), 201);
  const pay = await ok<{ paymentId: string; reference: string }>(await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/payment`, payload: { rail: 'bank_transfer' } }));
  await ok(await recordReceipt(app, clerk, pay.reference, order.amountMinor), 201);
  const grants = async (user: TestUser = buyer.user) => ok<Grant[]>(await as(app, user, { method: 'GET', url: `/orders/${order.id}/grants` }));
  const [grant] = await grants();
  const download = (headers: Record<string, string> = {}) => as(app, buyer.user, { method: 'GET', url: `/grants/${grant!.id}/download`, headers });
  const payment = async () => ok<{ status: string; payout: { status: string; amountMinor: number } | null; refunds: { id: string; amountMinor: number; status: string }[] }>(
    await as(app, clerk, { method: 'GET', url: `/settlement/payments/${pay.paymentId}` }),
  );
  return { ...world, order, paymentId: pay.paymentId, grant: grant!, grants, download, payment };
}

/** Every way a client asks for the file: whole, from byte 0, resumed, a suffix, and with If-Range. */
const everyKindOfDownload = (sha256: string): Record<string, string>[] => [
  {},
  { range: 'bytes=0-' },
  { range: 'bytes=0-4' },
  { range: 'bytes=5-' },
  { range: 'bytes=-3' },
  { range: 'bytes=5-', 'if-range': `"${sha256}"` },
  { range: 'bytes=5-', 'if-range': '"stale"' },
];

t.test('disputed before the first download and refunded in full: every download is refused from the decision on, and the grant says why', async (t) => {
  const app = await buildTestApp(t);
  const trade = await paidTrade(app);
  const { buyer, clerk, order, grant } = trade;
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'delivering', 'paid, the grant issued, nothing downloaded');
  await ok(await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/dispute`, payload: { reason: '样本与说明不符，尚未下载' } }));
  const reason = '数据与挂牌说明不符，全额退款';
  const decided = await ok<{ status: string }>(await as(app, clerk, { method: 'POST', url: `/orders/${order.id}/dispute/decision`, payload: { outcome: 'full_refund', reason } }));
  t.equal(decided.status, 'resolved');

  const refusedEverywhere = async (when: string) => {
    for (const headers of everyKindOfDownload(grant.sha256)) {
      const res = await trade.download(headers);
      const problem = expectProblem(t, res, 410, 'access-ended-by-refund') as { reason?: string; revokedAt?: string };
      t.equal(problem.reason, 'full_refund', `${when}: ${JSON.stringify(headers)} refused, saying why`);
      t.notOk(res.headers['content-range'], 'no bytes, no range');
    }
  };
  // The money has not reached the buyer yet (the bank transfer is still to be made): access ended anyway.
  await refusedEverywhere('after the decision');

  const [after] = await trade.grants();
  t.match(after, { id: grant.id, revocationCause: 'full_refund', revokeReason: reason, downloadsUsed: 0 }, 'the grant shows why it ended; nothing was counted');
  t.ok(after!.revokedAt, 'revoked at the decision');
  const [providerSees] = await trade.grants(trade.provider.user);
  t.match(providerSees, { revocationCause: 'full_refund' }, 'the provider sees it too');
  expectProblem(t, await as(app, clerk, { method: 'POST', url: `/grants/${grant.id}/revocation`, payload: { reason: 'again' } }), 409, 'invalid-state');

  // Audited with the decision, at the same instant, for both parties.
  const record = await ok<{ steps: { action: string; at: string }[]; downloads: unknown[] }>(await as(app, clerk, { method: 'GET', url: `/orders/${order.id}/record` }));
  const resolve = record.steps.find((s) => s.action === 'resolve')!;
  const revoked = record.steps.filter((s) => s.action === 'grant_revoked');
  t.equal(revoked.length, 1, 'one revocation step for the one grant');
  t.equal(revoked[0]!.at, resolve.at, 'in the transaction of the decision');
  t.same(record.downloads, [], 'no download was served');
  const events = await ok<{ items: { action: string; payload: { details?: Record<string, unknown> } }[] }>(
    await as(app, clerk, { method: 'GET', url: `/audit/events?action=order.grant_revoked&subjectId=${order.id}` }),
  );
  t.match(events.items, [{ action: 'order.grant_revoked', payload: { details: { grantId: grant.id, cause: 'full_refund', reason } } }]);

  // The refund reaches the buyer: the order ends refunded, and access stays ended.
  const money = await trade.payment();
  t.equal(money.status, 'refunded', 'the whole price goes back');
  const [refund] = money.refunds;
  await ok(await as(app, clerk, { method: 'POST', url: `/settlement/payments/${trade.paymentId}/refunds/${refund!.id}/bank-transfer`, payload: { amountMinor: refund!.amountMinor, currency: 'CNY', bankReference: bankRef() } }));
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'refunded');
  await refusedEverywhere('after the refund was paid');
  t.match((await trade.grants())[0], { downloadsUsed: 0, revocationCause: 'full_refund' });
  await assertLedgerBalances(t, app.db);
});

t.test('a grant an operator revoked by hand keeps its own answer and cause', async (t) => {
  const app = await buildTestApp(t);
  const trade = await paidTrade(app);
  const revoked = await ok<Grant>(await as(app, trade.clerk, { method: 'POST', url: `/grants/${trade.grant.id}/revocation`, payload: { reason: '法院裁定 a court order' } }));
  t.match(revoked, { revocationCause: 'operator', revokeReason: '法院裁定 a court order' });
  const body = expectProblem(t, await trade.download(), 410, 'grant-unusable') as { reason?: string };
  t.equal(body.reason, 'revoked');
});

t.test('a partial refund keeps access; the payment says partially_refunded while the provider is still due', async (t) => {
  const app = await buildTestApp(t);
  const trade = await paidTrade(app);
  const { buyer, clerk, order } = trade;
  t.equal((await trade.download()).statusCode, 200);
  await ok(await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/dispute`, payload: { reason: '缺少两个站点的记录' } }));
  const refundMinor = 200_000;
  await ok(await as(app, clerk, { method: 'POST', url: `/orders/${order.id}/dispute/decision`, payload: { outcome: 'partial_refund', refundMinor, reason: '部分数据缺失，按比例退款' } }));

  const money = await trade.payment();
  t.equal(money.status, 'partially_refunded', 'not "refunded": most of the price is the provider’s');
  t.match(money.payout, { status: 'due' }, 'the provider’s share is still due');
  const listed = await ok<{ items: { id: string }[] }>(await as(app, clerk, { method: 'GET', url: '/settlement/payments?status=partially_refunded' }));
  t.same(listed.items.map((p) => p.id), [trade.paymentId], 'operators find it by its status');
  const reconciled = await ok<{ mismatches: unknown[]; checked: { payments: number } }>(
    await as(app, clerk, { method: 'GET', url: '/settlement/reconciliation?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z' }),
  );
  t.same(reconciled.mismatches, [], 'reconciliation takes a partially refunded payment as complete');

  // The buyer keeps the rest of what it bought: downloads go on, whole and resumed.
  t.equal((await trade.download()).statusCode, 200);
  t.equal((await trade.download({ range: 'bytes=5-' })).statusCode, 206);
  t.match((await trade.grants())[0], { revokedAt: null, revocationCause: null, downloadsUsed: 2 });
  t.notOk((await ok<{ steps: { action: string }[] }>(await as(app, clerk, { method: 'GET', url: `/orders/${order.id}/record` }))).steps.some((s) => s.action === 'grant_revoked'));
  await assertLedgerBalances(t, app.db);
});

t.test('a download racing the decision either finishes first or is refused; they never deadlock', async (t) => {
  const app = await buildTestApp(t);
  const trade = await paidTrade(app);
  const { buyer, clerk, order } = trade;
  await ok(await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/dispute`, payload: { reason: '格式错误' } }));
  const [decision, downloads] = await Promise.all([
    as(app, clerk, { method: 'POST', url: `/orders/${order.id}/dispute/decision`, payload: { outcome: 'full_refund', reason: '格式错误，全额退款' } }),
    Promise.all(Array.from({ length: 6 }, (_, i) => trade.download(i % 2 ? { range: 'bytes=5-' } : {}))),
  ]);
  t.equal(decision.statusCode, 200, 'the decision is taken');
  for (const res of downloads) t.ok([200, 206, 410].includes(res.statusCode), `a download answered ${res.statusCode}`);
  const served = downloads.filter((res) => res.statusCode !== 410).length;
  const record = await ok<{ downloads: unknown[] }>(await as(app, clerk, { method: 'GET', url: `/orders/${order.id}/record` }));
  t.equal(record.downloads.length, served, 'every download served was before the decision, and logged');
  expectProblem(t, await trade.download(), 410, 'access-ended-by-refund');
});

t.test('orders refunded in full before access ended with the decision lose it at the migration, audited', async (t) => {
  const app = await buildTestApp(t);
  const full = await paidTrade(app);
  const partial = await paidTrade(app);
  for (const [trade, decision] of [
    [full, { outcome: 'full_refund', reason: '全额退款' }],
    [partial, { outcome: 'partial_refund', refundMinor: 100_000, reason: '部分退款' }],
  ] as const) {
    await ok(await as(app, trade.buyer.user, { method: 'POST', url: `/orders/${trade.order.id}/dispute`, payload: { reason: '数据有误' } }));
    await ok(await as(app, trade.clerk, { method: 'POST', url: `/orders/${trade.order.id}/dispute/decision`, payload: decision }));
  }
  // The state a full refund decided by the previous release left behind: the grant still open.
  await app.db.execute(sql`update trading_download_grants set revoked_at = null, revoked_by = null, revoke_reason = null, revocation_cause = null where order_id = ${full.order.id}`);
  t.equal((await full.download()).statusCode, 200, 'the hole the migration closes');

  const migrations = fileURLToPath(new URL('../../db/migrations/', import.meta.url));
  const migration = readdirSync(migrations).find((f) => f.endsWith('.sql') && readFileSync(join(migrations, f), 'utf8').includes("'order.grant_revoked'"));
  t.ok(migration, 'a migration ends the access of earlier full refunds');
  const statement = readFileSync(join(migrations, migration!), 'utf8').split('--> statement-breakpoint').find((s) => s.includes("'order.grant_revoked'"))!;
  await app.db.execute(sql.raw(statement));
  await app.db.execute(sql.raw(statement));

  expectProblem(t, await full.download({ range: 'bytes=5-' }), 410, 'access-ended-by-refund');
  t.match((await full.grants())[0], { revocationCause: 'full_refund', revokeReason: '全额退款' });
  t.match((await partial.grants())[0], { revokedAt: null, revocationCause: null }, 'a partial refund keeps access');
  const record = await ok<{ steps: { action: string; actor: { role: string | null }; auditEventId: string }[] }>(await as(app, full.clerk, { method: 'GET', url: `/orders/${full.order.id}/record` }));
  const byMigration = record.steps.filter((s) => s.action === 'grant_revoked' && s.actor.role === 'migration');
  t.equal(byMigration.length, 1, 'one audited step, however often the statement runs');
  const receipt = await as(app, full.clerk, { method: 'GET', url: `/audit/events/${byMigration[0]!.auditEventId}/receipt?wait=5` });
  t.equal(receipt.statusCode, 200, 'the event is in the log');
  t.match(await ok(await as(app, full.clerk, { method: 'POST', url: '/audit/verify' })), { ok: true }, 'and the log verifies with it');
});
