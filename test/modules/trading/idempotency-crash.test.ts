// kill -9 of the whole service process in the middle of an idempotent request, at each point:
// before its transaction commits, between the commit and the answer, and after the answer. The
// retry with the same key then answers exactly once: one order, one acceptance, one payout, and
// the stored answer replayed. The embedded database belongs to one process, so the test needs the
// server (it runs there in CI).
import { rmSync } from 'node:fs';
import t, { type Test } from 'tap';
import { buildApp } from '../../../src/app.js';
import { as, expectProblem, testConfig, type TestUser } from '../../helpers/app.js';
import { contentHash, signAs } from '../../helpers/agreements.js';
import { freshDatabase, serverUrl } from '../../helpers/database.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { bankRef, recordReceipt } from '../../helpers/settlement.js';
import { spawnTs } from '../../helpers/spawn.js';
import { placeOrder, readOrder, sampleOrder, tradingWorld } from '../../helpers/trading.js';

type CrashPoint = 'before-commit' | 'after-commit' | 'after-answer';

interface Sent {
  method: 'POST';
  url: string;
  user: TestUser;
  key: string;
  payload?: Record<string, unknown>;
}

t.test('an idempotent request whose process is killed answers exactly once when retried', { skip: !serverUrl && 'needs TEST_DATABASE_URL (a PostgreSQL server): the embedded database belongs to one process' }, async (t) => {
  const database = await freshDatabase();
  t.teardown(() => database.dispose());
  const config = testConfig();
  t.teardown(() => rmSync(config.dataDir, { recursive: true, force: true }));
  const app = await buildApp(config, { database: database.handle, logger: false });
  t.teardown(() => app.close());
  const world = await tradingWorld(app);
  const { buyer, provider, clerk, product } = world;

  /** The service in a child process on the same database and configuration (test/fixtures/idempotency-child.ts). */
  async function startService(t: Test) {
    const child = spawnTs('test/fixtures/idempotency-child.ts', [], { APP_CONFIG: JSON.stringify({ ...config, databaseUrl: database.url }) });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    t.teardown(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d;
        const listening = /"port":(\d+)/.exec(out);
        if (listening) resolve(Number(listening[1]));
      });
      void exited.then((how) => reject(new Error(`the service stopped (${how}) before it listened: ${err}`)));
    });
    /** Resolves once the service has written `text` to its stdout. */
    const said = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!out.includes(text)) return;
          child.stdout!.off('data', check);
          resolve();
        };
        child.stdout!.on('data', check);
        check();
      });
    return { base: `http://127.0.0.1:${port}`, exited, said, kill: () => child.kill('SIGKILL') };
  }

  const headersOf = (sent: Sent, extra: Record<string, string> = {}) => ({
    ...sent.user.auth,
    'idempotency-key': sent.key,
    ...(sent.payload ? { 'content-type': 'application/json' } : {}),
    ...extra,
  });

  /** Sends the request to a service that dies at `point`; what reached the client, if anything. */
  async function sendAndKill(t: Test, sent: Sent, point: CrashPoint): Promise<{ status: number; body: string } | null> {
    const service = await startService(t);
    const answer = await fetch(service.base + sent.url, {
      method: sent.method,
      headers: headersOf(sent, { 'x-test-crash': point }),
      ...(sent.payload ? { body: JSON.stringify(sent.payload) } : {}),
    })
      .then(async (res) => ({ status: res.status, body: await res.text() }))
      .catch(() => null);
    t.equal(await service.exited, 'SIGKILL', `the service was killed ${point}`);
    return answer;
  }

  /** The same request again, to the service still running (another process of it). */
  const retry = (sent: Sent) => as(app, sent.user, { method: sent.method, url: sent.url, headers: { 'idempotency-key': sent.key }, ...(sent.payload ? { payload: sent.payload } : {}) });
  const purchases = async () => (await as(app, buyer.user, { method: 'GET', url: '/orders/purchases?limit=100' })).json<{ items: { id: string }[] }>().items.map((o) => o.id);

  for (const point of ['before-commit', 'after-commit', 'after-answer'] as const) {
    t.test(`POST /orders killed ${point}: the retry makes or replays the one order`, async (t) => {
      const sent: Sent = { method: 'POST', url: '/orders', user: buyer.user, key: `"order-${point}"`, payload: { ...sampleOrder(product.id) } };
      const before = await purchases();
      const seen = await sendAndKill(t, sent, point);
      if (point === 'after-answer') t.equal(seen?.status, 201, 'the client had its answer');
      else t.equal(seen, null, 'no answer reached the client');
      const placed = await purchases();
      t.equal(placed.length, before.length + (point === 'before-commit' ? 0 : 1), point === 'before-commit' ? 'nothing was kept' : 'the order was kept');

      const again = await retry(sent);
      t.equal(again.statusCode, 201);
      t.equal(again.headers['idempotent-replayed'], point === 'before-commit' ? undefined : 'true', point === 'before-commit' ? 'the retry runs' : 'the retry gets the stored answer');
      if (seen) t.equal(again.body, seen.body, 'the answer the client was given, byte for byte');
      const after = await purchases();
      t.equal(after.length, before.length + 1, 'exactly one order');
      t.ok(after.includes(again.json<{ id: string }>().id), 'and it is the one the answer names');
      const third = await retry(sent);
      t.equal(third.headers['idempotent-replayed'], 'true');
      t.equal(third.body, again.body, 'every later retry gets the same answer');
    });
  }

  t.test('a request killed while a retry waits frees its key at once: the waiting retry is told to come back, and then runs', async (t) => {
    const sent: Sent = { method: 'POST', url: '/orders', user: buyer.user, key: '"order-in-flight"', payload: { ...sampleOrder(product.id) } };
    const before = await purchases();
    const service = await startService(t);
    // The first request holds its transaction open (the child's hook) while the retry comes in.
    const first = fetch(service.base + sent.url, { method: 'POST', headers: headersOf(sent, { 'x-test-pause-ms': '10000' }), body: JSON.stringify(sent.payload) })
      .then((res) => res.status)
      .catch(() => null);
    // Until its transaction has written the order and waits, open, in the child's hook.
    await service.said('"paused"');
    const started = Date.now();
    const early = await retry(sent);
    expectProblem(t, early, 409, 'idempotency-in-progress');
    t.equal(early.headers['retry-after'], '2', 'Retry-After says when to come back');
    t.ok(Date.now() - started >= 1900, 'the retry waited for the first before it answered');
    service.kill();
    t.equal(await first, null, 'the first never answered');
    t.equal(await service.exited, 'SIGKILL');
    const again = await retry(sent);
    t.equal(again.statusCode, 201, 'the key is free as soon as its process is gone, not after a lease');
    t.notOk(again.headers['idempotent-replayed']);
    t.equal((await purchases()).length, before.length + 1, 'exactly one order');
  });

  t.test('acceptance and payout killed between commit and answer: the retries replay their 200s', async (t) => {
    // A trade with the real modules, up to delivery (bank transfer).
    const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
    const hash = await contentHash(app, buyer.user, order.agreement!.id);
    t.equal((await signAs(app, buyer.user, order.agreement!.id, hash)).statusCode, 201);
    t.equal((await signAs(app, provider.user, order.agreement!.id, hash)).statusCode, 201);
    const pay = await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/payment`, payload: { rail: 'bank_transfer' } });
    const { paymentId, reference } = pay.json<{ paymentId: string; reference: string }>();
    t.equal((await recordReceipt(app, clerk, reference, order.amountMinor)).statusCode, 201);
    const [grant] = (await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}/grants` })).json<{ id: string }[]>();
    t.equal((await as(app, buyer.user, { method: 'GET', url: `/grants/${grant!.id}/download` })).statusCode, 200);
    t.equal((await readOrder(app, buyer.user, order.id)).status, 'delivered');

    const acceptance: Sent = { method: 'POST', url: `/orders/${order.id}/acceptance`, user: buyer.user, key: '"accept-crash"' };
    t.equal(await sendAndKill(t, acceptance, 'after-commit'), null);
    const accepted = await retry(acceptance);
    t.equal(accepted.statusCode, 200, 'not 409 invalid-state: the stored answer');
    t.equal(accepted.headers['idempotent-replayed'], 'true');
    t.equal(accepted.json<{ status: string }>().status, 'accepted_by_buyer');

    const amountMinor = order.amountMinor - order.feeMinor;
    const payout: Sent = { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, user: clerk, key: '"payout-crash"', payload: { amountMinor, currency: 'CNY', bankReference: bankRef() } };
    t.equal(await sendAndKill(t, payout, 'after-commit'), null);
    const paid = await retry(payout);
    t.equal(paid.statusCode, 200, 'not 409 invalid-state: the stored answer');
    t.equal(paid.headers['idempotent-replayed'], 'true');
    t.equal((await readOrder(app, provider.user, order.id)).status, 'completed');

    const record = (await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}/record` })).json<{ steps: { action: string }[]; money: { payouts: unknown[] } }>();
    t.equal(record.steps.filter((s) => s.action === 'accept_delivery').length, 1, 'accepted once');
    t.equal(record.money.payouts.length, 1, 'paid out once');
    await assertLedgerBalances(t, app.db);
  });
});
