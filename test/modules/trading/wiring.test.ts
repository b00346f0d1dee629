// How trading sits in the service: idempotency holding across two instances on one database, the
// sweep's timer in the server.
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { buildApp } from '../../../src/app.js';
import { as, expectProblem, testConfig } from '../../helpers/app.js';
import { sampleListing } from '../../helpers/catalog.js';
import { freshDatabase, serverUrl } from '../../helpers/database.js';
import { AgreementsStandIn, SettlementStandIn } from '../../helpers/trading-stand-ins.js';
import { placeOrder, readOrder, sampleOrder, signAgreement, tradingWorld, buildTradingApp } from '../../helpers/trading.js';

t.test(`one Idempotency-Key, two instances of the service (${serverUrl ? 'server' : 'embedded'}): the request runs once`, async (t) => {
  const database = await freshDatabase();
  const config = testConfig();
  const agreements = new AgreementsStandIn();
  // Instance a answers its payment instructions slowly, so b's requests arrive while a's is running.
  const slow = new SettlementStandIn(['bank_transfer'], 400);
  const a = await buildApp(config, { database: database.handle, logger: false, agreements, settlement: slow });
  const b = await buildApp(config, { database: await database.openAnother(), logger: false, agreements, settlement: new SettlementStandIn(['bank_transfer']) });
  t.teardown(async () => {
    await b.close();
    await a.close();
    await database.dispose();
    rmSync(config.dataDir, { recursive: true, force: true });
  });
  const { buyer, product } = await tradingWorld(a);
  const pay = (app: typeof a, orderId: string, key: string) =>
    as(app, buyer.user, { method: 'POST', url: `/orders/${orderId}/payment`, payload: { rail: 'bank_transfer' }, headers: { 'idempotency-key': key } });
  const signedOrder = async () => {
    const order = await placeOrder(a, buyer.user, sampleOrder(product.id));
    await signAgreement(a, order);
    return order;
  };

  t.test('a retry on the other instance waits for the first and gets its answer', async (t) => {
    const order = await signedOrder();
    const first = pay(a, order.id, '"across-processes"');
    await sleep(150);
    const second = await pay(b, order.id, '"across-processes"');
    const done = await first;
    t.equal(done.statusCode, 200);
    t.notOk(done.headers['idempotent-replayed']);
    t.equal(second.statusCode, 200);
    t.equal(second.headers['idempotent-replayed'], 'true');
    t.equal(second.body, done.body, "b gives a's answer");
  });

  t.test('a retry that would wait too long is told when to come back', { skip: !serverUrl && 'the embedded database runs one transaction at a time: the retry simply waits' }, async (t) => {
    const order = await signedOrder();
    slow.instructionsDelayMs = 3000;
    t.teardown(() => void (slow.instructionsDelayMs = 400));
    const first = pay(a, order.id, '"slow-first"');
    await sleep(150);
    const early = await pay(b, order.id, '"slow-first"');
    expectProblem(t, early, 409, 'idempotency-in-progress');
    t.equal(early.headers['retry-after'], '2');
    const done = await first;
    t.equal(done.statusCode, 200);
    const later = await pay(b, order.id, '"slow-first"');
    t.equal(later.headers['idempotent-replayed'], 'true');
    t.equal(later.body, done.body);
  });
});

t.test('the sweep runs on a timer in the server and stops when the app closes', async (t) => {
  const app = await buildTradingApp(t, { orderResponseHours: 1 / 3600, tradingSweepIntervalMs: 100 });
  const { buyer, product } = await tradingWorld(app, { licence: { ...sampleListing().licence, approvalRequired: true } });
  const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
  t.equal(order.status, 'awaiting_provider');
  // The timer, not the test, moves it: wait (at most ten seconds on a busy machine) until it has.
  let status = order.status;
  for (let waited = 0; status !== 'expired' && waited < 10_000; waited += 250) {
    await sleep(250);
    status = (await readOrder(app, buyer.user, order.id)).status;
  }
  t.equal(status, 'expired');
});
