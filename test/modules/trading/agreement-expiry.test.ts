// Orders whose agreement is never signed: the trading sweep expires them after
// AGREEMENT_SIGNING_HOURS, audited, and the agreement of an expired order takes no last signature.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { loadConfig } from '../../../src/config.js';
import { as, buildTestApp, expectProblem } from '../../helpers/app.js';
import { contentHash, signAs, testSealEnv } from '../../helpers/agreements.js';
import { buildTradingApp, placeOrder, readOrder, sampleOrder, signAgreement, tradingWorld } from '../../helpers/trading.js';

const HOUR = 3_600_000;

t.test('an order left with its agreement unsigned expires in the sweep, and only such an order', async (t) => {
  const app = await buildTradingApp(t, { agreementSigningHours: 24 });
  const { buyer, product } = await tradingWorld(app);
  const placedAt = Date.now();
  const unsigned = await placeOrder(app, buyer.user, sampleOrder(product.id));
  const signed = await placeOrder(app, buyer.user, sampleOrder(product.id));
  t.equal(unsigned.status, 'agreement_pending');
  const due = Date.parse(unsigned.responseDueAt!);
  t.ok(Math.abs(due - (placedAt + 24 * HOUR)) < 60_000, 'the order says by when its agreement must be signed');
  await signAgreement(app, signed);
  t.equal((await readOrder(app, buyer.user, signed.id)).responseDueAt, null, 'signed: nothing is due any more');

  t.same(await app.trading.sweep(new Date(placedAt + 23 * HOUR)), { expired: 0, accepted: 0 }, 'not yet');
  t.same(await app.trading.sweep(new Date(placedAt + 25 * HOUR)), { expired: 1, accepted: 0 });
  t.equal((await readOrder(app, buyer.user, unsigned.id)).status, 'expired');
  t.equal((await readOrder(app, buyer.user, signed.id)).status, 'payment_pending', 'the signed order goes on');
  const record = (await as(app, buyer.user, { method: 'GET', url: `/orders/${unsigned.id}/record` })).json<{ steps: { action: string; actor: { role: string } }[] }>();
  t.match(record.steps.at(-1), { action: 'expire', actor: { role: 'system' } }, 'audited as the system’s step');
  t.same(await app.trading.sweep(new Date(placedAt + 26 * HOUR)), { expired: 0, accepted: 0 }, 'swept once');
});

t.test('the agreement of an expired order takes no last signature', async (t) => {
  const app = await buildTestApp(t, { agreementSigningHours: 1 });
  const { buyer, provider, product } = await tradingWorld(app);
  const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
  const hash = await contentHash(app, buyer.user, order.agreement!.id);
  t.equal((await signAs(app, buyer.user, order.agreement!.id, hash)).statusCode, 201, 'the first signature, in time');
  await app.trading.sweep(new Date(Date.now() + 2 * HOUR));
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'expired');
  expectProblem(t, await signAs(app, provider.user, order.agreement!.id, hash), 409, 'invalid-state');
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'expired', 'still expired: nothing was sealed');
});

t.test('AGREEMENT_SIGNING_HOURS is checked at boot', async (t) => {
  const key = randomBytes(32).toString('base64');
  // Every secret given, so nothing is made on disk.
  const secret = { DATA_DIR: t.testdir(), JWT_SECRET: 'x'.repeat(40), IDENTITY_KEY: key, AUDIT_LOG_KEY: key, ...testSealEnv };
  t.equal(loadConfig({ ...secret }, () => {}).agreementSigningHours, 168, 'a week by default');
  t.equal(loadConfig({ ...secret, AGREEMENT_SIGNING_HOURS: '48' }, () => {}).agreementSigningHours, 48);
  for (const bad of ['0', 'soon', String(24 * 90 + 1)]) {
    t.throws(() => loadConfig({ ...secret, AGREEMENT_SIGNING_HOURS: bad }, () => {}), { message: /AGREEMENT_SIGNING_HOURS/ }, bad);
  }
});
