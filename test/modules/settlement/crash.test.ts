import { eq } from 'drizzle-orm';
import t from 'tap';
import { buildApp } from '../../../src/app.js';
import { outbox } from '../../../src/plugins/outbox-tables.js';
import { testConfig } from '../../helpers/app.js';
import { freshDatabase, serverUrl } from '../../helpers/database.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { openPayment, payableOrder, recordingOrderEvents, settlementSettings, tradingParties } from '../../helpers/settlement.js';
import { spawnTs } from '../../helpers/spawn.js';
import { startStripeStandIn, stripeSettings } from '../../helpers/stripe-stand-in.js';
import { as } from '../../helpers/app.js';

// kill -9 of the process carrying out a payout, after Stripe made the transfer and before the
// process recorded it. The embedded database belongs to one process, so the test needs the server.
t.test('a worker killed between the Stripe call and its commit: the next run sends the same key and records the one transfer', { skip: !serverUrl && 'needs TEST_DATABASE_URL (a PostgreSQL server)' }, async (t) => {
  const database = await freshDatabase();
  t.teardown(() => database.dispose());
  const standIn = await startStripeStandIn(t);
  const settings = stripeSettings(standIn);
  const recorder = recordingOrderEvents();
  const app = await buildApp(testConfig({ settlement: settlementSettings(settings) }), { database: database.handle, logger: false, orderPaymentEvents: recorder.events });
  t.teardown(() => app.close());

  // A paid order, accepted, whose provider has a connected account: a Transfer is waiting in the outbox.
  const trade = await tradingParties(app);
  const linked = await as(app, trade.provider, { method: 'POST', url: `/settlement/parties/${trade.providerParty.id}/connected-account` });
  const accountId = linked.json<{ stripeAccountId: string }>().stripeAccountId;
  const deliver = async (type: string, object: Record<string, unknown>) => {
    const hook = standIn.webhook(settings.webhookSecret, type, object);
    const res = await app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: hook.headers, payload: hook.payload });
    t.equal(res.statusCode, 200, `${type} accepted`);
  };
  await deliver('account.updated', { id: accountId, object: 'account', charges_enabled: true, payouts_enabled: true });
  const order = payableOrder(trade.buyerParty.id, trade.providerParty.id);
  await openPayment(app, order, 'stripe');
  await deliver('payment_intent.succeeded', standIn.succeed(standIn.created('payment_intent')[0]!.id));
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));

  // The child calls Stripe; Stripe makes the transfer; the child dies before it hears back.
  const env = { DATABASE_URL: database.url, STRIPE_API_BASE: standIn.apiBase };
  const child = spawnTs('test/fixtures/settlement-outbox-child.ts', [], env);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
  standIn.beforeAnswer = async (request) => {
    if (request.path !== '/v1/transfers') return;
    child.kill('SIGKILL');
    await exited;
  };
  t.equal(await exited, -1, 'killed');
  standIn.beforeAnswer = undefined;
  t.equal(standIn.created('transfer').length, 1, 'Stripe made the transfer');
  const [row] = await app.db.select().from(outbox).where(eq(outbox.idempotencyKey, `order:${order.id}:transfer`));
  t.match(row, { status: 'pending', attempts: 0 }, 'the outbox row is still pending: its claim died with the process');
  t.match((await app.settlement.summary(app.db, order.id)).payouts, [{ status: 'submitted' }], 'nothing recorded');
  t.same(recorder.calls.map((c) => c.event), ['paid']);

  // Restarted: another process runs the outbox to its end.
  const again = spawnTs('test/fixtures/settlement-outbox-child.ts', [], env);
  let output = '';
  again.stdout?.on('data', (d: Buffer) => (output += d));
  again.stderr?.on('data', (d: Buffer) => (output += d));
  t.equal(await new Promise((resolve) => again.on('exit', resolve)), 0, output);
  const attempts = standIn.sent('POST', '/v1/transfers');
  t.equal(attempts.length, 2, 'the transfer was asked for twice');
  t.same(attempts.map((a) => a.idempotencyKey), [`order:${order.id}:transfer`, `order:${order.id}:transfer`], 'with the same key');
  t.same(attempts.map((a) => a.replayed), [false, true], 'Stripe answered the second with the first transfer');
  t.equal(standIn.created('transfer').length, 1, 'one transfer exists');
  const summary = await app.settlement.summary(app.db, order.id);
  t.match(summary.payouts, [{ status: 'paid', amountMinor: 97_500 }], 'recorded once');
  t.match(summary.balances, { provider_payable: 0, stripe_clearing: -2_500 });
  await assertLedgerBalances(t, app.db);
});
