// The Idempotency-Key mechanism (plugins/idempotency.ts), through the HTTP API on the order routes:
// replay, a changed body, concurrency, the caller's scope, expiry, and what is not stored. A real
// process killed at each point of a request is in idempotency-crash.test.ts (server database).
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { Database } from '../../../src/lib/database.js';
import { as, expectProblem, signUp } from '../../helpers/app.js';
import { generateUscc } from '../../helpers/identity.js';
import { SettlementStandIn } from '../../helpers/trading-stand-ins.js';
import { placeOrder, sampleOrder, signAgreement, tradingWorld, verifiedUser, buildTradingApp } from '../../helpers/trading.js';

t.test('idempotency keys', async (t) => {
  const app = await buildTradingApp(t, {}, { settlement: new SettlementStandIn(['bank_transfer'], 300) });
  const { buyer, clerk, product } = await tradingWorld(app);
  const order = (key: string, body = sampleOrder(product.id), user = buyer.user) =>
    as(app, user, { method: 'POST', url: '/orders', payload: body, headers: { 'idempotency-key': key } });
  const count = async () => (await as(app, buyer.user, { method: 'GET', url: '/orders/purchases' })).json<{ items: unknown[] }>().items.length;

  t.test('a replay returns the first response unchanged, marked as a replay, and orders once', async (t) => {
    const first = await order('"order-1"');
    t.equal(first.statusCode, 201);
    t.notOk(first.headers['idempotent-replayed']);
    const again = await order('"order-1"');
    t.equal(again.statusCode, 201);
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.equal(again.headers['content-type'], first.headers['content-type']);
    t.equal(again.body, first.body, 'byte for byte');
    const bare = await order('order-1');
    t.equal(bare.body, first.body, 'the bare token and the quoted string name the same key');
    t.equal(await count(), 1);
  });

  t.test('the same key with a changed body is a 422 and changes nothing', async (t) => {
    await order('"order-2"');
    const before = await count();
    const changed = await order('"order-2"', sampleOrder(product.id, { scenario: 'Something else entirely' }));
    expectProblem(t, changed, 422, 'idempotency-key-reused');
    t.equal(await count(), before);
  });

  t.test('two concurrent requests with one key run once: the second waits for the first and gets its answer', async (t) => {
    const placed = await placeOrder(app, buyer.user, sampleOrder(product.id));
    await signAgreement(app, placed);
    // Settlement answers the first request's instructions slowly, so the second arrives meanwhile.
    const pay = () => as(app, buyer.user, { method: 'POST', url: `/orders/${placed.id}/payment`, payload: { rail: 'bank_transfer' }, headers: { 'idempotency-key': '"pay-once"' } });
    const [a, b] = await Promise.all([pay(), pay()]);
    t.same([a.statusCode, b.statusCode], [200, 200]);
    t.same([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].sort(), ['true', undefined], 'one ran, the other got its answer');
    t.equal(a.body, b.body);
    const record = (await as(app, buyer.user, { method: 'GET', url: `/orders/${placed.id}/record` })).json<{ steps: { action: string }[] }>();
    t.equal(record.steps.filter((s) => s.action === 'payment_opened').length, 1, 'the payment was opened once');
  });

  t.test('keys belong to the caller: another user, or the same key elsewhere, is a new request', async (t) => {
    const other = await verifiedUser(app, ['buyer'], clerk);
    const mine = await order('"shared-key"');
    const theirs = await order('"shared-key"', sampleOrder(product.id), other.user);
    t.equal(theirs.statusCode, 201);
    t.notOk(theirs.headers['idempotent-replayed']);
    t.not(theirs.json<{ id: string }>().id, mine.json<{ id: string }>().id);
  });

  t.test('a key is filed under the party the request names: registering a first party replays, not runs twice', async (t) => {
    const newcomer = await signUp(app, ['buyer']);
    const identityNumber = generateUscc();
    const register = () =>
      as(app, newcomer, {
        method: 'POST',
        url: '/parties',
        headers: { 'idempotency-key': '"first-party"' },
        payload: { kind: 'company', legalName: '重庆幂等测试有限公司', representative: '李四', contacts: [{ name: '王五', email: 'contact@example.cn' }], identityNumber },
      });
    const first = await register();
    t.equal(first.statusCode, 201, first.body);
    // Now the user's only party, so it acts for it without naming it; the retry names none either.
    const again = await register();
    t.equal(again.statusCode, 201, again.body);
    t.equal(again.headers['idempotent-replayed'], 'true', 'the stored answer, not a second run refused as a duplicate');
    t.equal(again.body, first.body);
  });

  t.test('an error from the handler is stored like any answer; a malformed key is a 400', async (t) => {
    const refused = await order('"bad-purpose"', sampleOrder(product.id, { purpose: 'advertising' }));
    expectProblem(t, refused, 422, 'purpose-not-allowed');
    const again = await order('"bad-purpose"', sampleOrder(product.id, { purpose: 'advertising' }));
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.equal(again.body, refused.body);
    expectProblem(t, await order('"unterminated'), 400, 'validation-failed');
  });

  t.test('the header is documented on every authenticated POST', async (t) => {
    type Operation = { parameters?: { name: string; in: string }[]; security?: unknown[]; requestBody?: { content: Record<string, unknown> } };
    const doc = app.swagger() as { paths: Record<string, Record<string, Operation>> };
    const posts = Object.entries(doc.paths).flatMap(([path, ops]) => (ops.post ? [[path, ops.post] as const] : []));
    // Uploads (a body of raw bytes, not JSON) stream it into storage and cannot be fingerprinted before it is read.
    const isUpload = (op: Operation) => Object.keys(op.requestBody?.content ?? {}).some((type) => type !== 'application/json');
    const takesKey = (op: Operation) => (op.parameters ?? []).some((p) => p.in === 'header' && p.name === 'idempotency-key');
    const missing = posts.filter(([, op]) => op.security?.length && !isUpload(op) && !takesKey(op));
    // Their answers are secrets (a new session's tokens, a step-up token), which are not stored as answers.
    t.same(missing.map(([path]) => path).sort(), ['/auth/step-up', '/me/password']);
    t.ok(posts.filter(([, op]) => isUpload(op)).length >= 3, 'the uploads are told apart by their media type');
  });
});

t.test('a key expires after its time, and then names a new request', async (t) => {
  // Keys live one second here, so expiry can be seen.
  const app = await buildTradingApp(t, { idempotencyKeyTtlHours: 1 / 3600 });
  const { buyer, product } = await tradingWorld(app);
  const order = (key: string) => as(app, buyer.user, { method: 'POST', url: '/orders', payload: sampleOrder(product.id), headers: { 'idempotency-key': key } });
  const first = await order('"expiring"');
  await sleep(1100);
  const later = await order('"expiring"');
  t.equal(later.statusCode, 201);
  t.notOk(later.headers['idempotent-replayed']);
  t.not(later.json<{ id: string }>().id, first.json<{ id: string }>().id);
});

t.test('a server error keeps nothing of the request: the retry under its key runs afresh', async (t) => {
  // Settlement has no instructions the first time it is asked (a 503 after the payment was opened).
  class SettlementThatFailsOnce extends SettlementStandIn {
    failures = 1;
    override async paymentInstructions(db: Database, orderId: string) {
      return this.failures-- > 0 ? null : super.paymentInstructions(db, orderId);
    }
  }
  const app = await buildTradingApp(t, {}, { settlement: new SettlementThatFailsOnce(['bank_transfer']) });
  const { buyer, product } = await tradingWorld(app);
  const placed = await placeOrder(app, buyer.user, sampleOrder(product.id));
  await signAgreement(app, placed);
  const pay = () => as(app, buyer.user, { method: 'POST', url: `/orders/${placed.id}/payment`, payload: { rail: 'bank_transfer' }, headers: { 'idempotency-key': '"pay-after-503"' } });
  const opened = async () =>
    (await as(app, buyer.user, { method: 'GET', url: `/orders/${placed.id}/record` })).json<{ steps: { action: string }[] }>().steps.filter((s) => s.action === 'payment_opened').length;
  expectProblem(t, await pay(), 503, 'unavailable');
  t.equal(await opened(), 0, 'the payment opened before the error was rolled back with it');
  const retried = await pay();
  t.equal(retried.statusCode, 200);
  t.notOk(retried.headers['idempotent-replayed'], 'a 5xx is not an answer: the retry ran');
  t.equal(await opened(), 1);
});
