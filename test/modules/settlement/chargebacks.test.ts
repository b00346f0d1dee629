import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { rowsOf } from '../../../src/lib/database.js';
import { as } from '../../helpers/app.js';
import { testSealEnv } from '../../helpers/agreements.js';
import { assertLedgerBalances } from '../../helpers/ledger.js';
import { linkProviderAccount, paidStripeOrder, stripeTestApp } from '../../helpers/settlement.js';

type World = Awaited<ReturnType<typeof stripeTestApp>>;

/** The chargeback transfers the ledger holds, by key. */
async function chargebackTransfers(world: World) {
  return rowsOf<{ key: string }>(await world.app.db.execute(sql`select key from settlement_ledger_transfers where key like 'dispute:%' order by key`)).map((r) => r.key);
}

/** The operator's reconciliation of the last minutes. */
async function reconciliation(t: Test, world: World) {
  const from = new Date(Date.now() - 600_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const res = await as(world.app, world.trade.operator, { method: 'GET', url: `/settlement/reconciliation?from=${from}&to=${to}` });
  t.equal(res.statusCode, 200, res.body);
  return res.json();
}

const disputeOf = async (world: World, disputeId: string) =>
  (await as(world.app, world.trade.operator, { method: 'GET', url: '/settlement/disputes' })).json().items.find((d: { stripeDisputeId: string }) => d.stripeDisputeId === disputeId);

const providerBalance = async (world: World) =>
  (await as(world.app, world.trade.operator, { method: 'GET', url: '/settlement/provider-balances' })).json().items.find((b: { partyId: string }) => b.partyId === world.trade.providerParty.id);

t.test('a lost chargeback borne by the exchange: the loss is in the ledger once, however often and in whatever order Stripe tells it, and reconciles', async (t) => {
  const world = await stripeTestApp(t);
  const { app, standIn, deliver } = world;
  await linkProviderAccount(world);
  const { order } = await paidStripeOrder(world, { amountMinor: 100_000, feeMinor: 2_500 });
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, order.id));
  await app.settlement.runEffects(app.db);
  const charge = standIn.created('charge')[0]!;

  // Stripe takes 100 000 and its 1 500 dispute fee from the exchange's balance.
  const opened = standIn.openDispute(charge.id, { fee: 1_500 });
  const created = await deliver('charge.dispute.created', opened, { id: 'evt_dispute_created' });
  t.equal(created.json().outcome, 'chargeback_withdrawn');
  // The same news again: the event replayed, another event with it, and three at once.
  t.equal((await deliver('charge.dispute.created', opened, { id: 'evt_dispute_created' })).json().outcome, 'duplicate');
  t.equal((await deliver('charge.dispute.funds_withdrawn', opened)).json().outcome, 'dispute_needs_response');
  const racing = await Promise.all([1, 2, 3].map(() => deliver('charge.dispute.updated', opened)));
  t.same(racing.map((r) => r.statusCode), [200, 200, 200]);
  t.equal((await deliver('charge.dispute.closed', standIn.closeDispute(opened.id, 'lost'))).json().outcome, 'dispute_lost');
  t.equal((await deliver('charge.dispute.funds_withdrawn', opened)).json().outcome, 'stale', 'a late event changes nothing');

  t.same(await chargebackTransfers(world), [`dispute:${opened.id}:withdrawn`], 'one chargeback transfer');
  t.match(await disputeOf(world, opened.id), { status: 'lost', amountMinor: 100_000, chargedBackMinor: 101_500, borneBy: 'exchange' });
  const { balances } = await app.settlement.summary(app.db, order.id);
  t.match(balances, { chargeback_losses: -101_500, stripe_clearing: 101_500 - 2_500, fee_revenue: 2_500 });
  t.match(await providerBalance(world), { owedByProviderMinor: 0, paidOutMinor: 97_500 }, 'the provider keeps its payout');

  const report = await reconciliation(t, world);
  t.match(report, { checked: { chargebacks: 1 }, mismatches: [] }, "the ledger's chargeback is Stripe's");
  await assertLedgerBalances(t, app.db);
});

t.test('borne by the provider: its debt is netted from its next payout; a won dispute reverses the chargeback with new entries', async (t) => {
  const world = await stripeTestApp(t, undefined, { chargebacksBorneBy: 'provider' });
  const { app, standIn, deliver, trade } = world;
  await linkProviderAccount(world);

  // A dispute won: Stripe takes the money, then gives it back with the fee.
  const won = await paidStripeOrder(world, { amountMinor: 100_000, feeMinor: 2_500 });
  const wonCharge = standIn.created('charge').find((c) => c.payment_intent === won.intentId)!;
  const dispute = standIn.openDispute(wonCharge.id, { fee: 1_500 });
  t.equal((await deliver('charge.dispute.funds_withdrawn', dispute)).json().outcome, 'chargeback_withdrawn');
  t.match(await providerBalance(world), { owedByProviderMinor: 100_000 }, 'the provider owes the disputed amount');
  t.match(await disputeOf(world, dispute.id), { chargedBackMinor: 101_500, borneBy: 'provider' });
  const closed = standIn.closeDispute(dispute.id, 'won');
  const [reinstated, alsoReinstated] = await Promise.all([deliver('charge.dispute.funds_reinstated', closed), deliver('charge.dispute.closed', closed)]);
  t.same([reinstated.json().outcome, alsoReinstated.json().outcome].sort(), ['chargeback_reinstated', 'stale'], 'given back once');
  t.same(await chargebackTransfers(world), [`dispute:${dispute.id}:reinstated`, `dispute:${dispute.id}:withdrawn`], 'reversed by a new transfer; the first one stays');
  t.match(await disputeOf(world, dispute.id), { status: 'won', chargedBackMinor: 0, borneBy: 'provider' });
  t.match(await providerBalance(world), { owedByProviderMinor: 0 });
  t.match((await app.settlement.summary(app.db, won.order.id)).balances, { chargeback_losses: 0, provider_receivable: 0 });

  // A dispute lost: the provider owes 100 000; its next payout (97 500) is withheld in full.
  const lost = await paidStripeOrder(world, { amountMinor: 100_000, feeMinor: 2_500 });
  const lostCharge = standIn.created('charge').find((c) => c.payment_intent === lost.intentId)!;
  const lostDispute = standIn.openDispute(lostCharge.id, { fee: 1_500 });
  await deliver('charge.dispute.created', lostDispute);
  await deliver('charge.dispute.closed', standIn.closeDispute(lostDispute.id, 'lost'));
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, won.order.id));
  await app.settlement.runEffects(app.db);
  const withheld = await as(app, trade.operator, { method: 'GET', url: `/settlement/payments/${won.paymentId}` });
  t.match(withheld.json().payout, { status: 'paid', amountMinor: 0, nettedMinor: 97_500, feeMinor: 2_500 });
  t.equal(standIn.sent('POST', '/v1/transfers').length, 0, 'nothing to send');
  t.match(await providerBalance(world), { owedByProviderMinor: 2_500 });
  // The one after that carries the rest of the debt.
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, lost.order.id));
  await app.settlement.runEffects(app.db);
  t.match(standIn.sent('POST', '/v1/transfers'), [{ body: { amount: String(97_500 - 2_500) } }]);
  t.match(await providerBalance(world), { owedByProviderMinor: 0 });

  t.match(await reconciliation(t, world), { checked: { chargebacks: 2 }, mismatches: [] });
  await assertLedgerBalances(t, app.db);
});

t.test('reconciliation lists money Stripe took for a dispute the ledger never heard of', async (t) => {
  const world = await stripeTestApp(t);
  const { standIn, deliver } = world;
  const { order, paymentId } = await paidStripeOrder(world);
  const charge = standIn.created('charge')[0]!;
  const unheard = standIn.openDispute(charge.id, { amount: 40_000, fee: 1_500 });
  const report = await reconciliation(t, world);
  t.match(report.mismatches, [{ kind: 'missing_in_ledger', rail: 'stripe', record: 'chargeback', recordId: paymentId, orderId: order.id, ledgerMinor: null, railMinor: 41_500 }]);
  t.equal(report.mismatches.length, 1);
  // The webhook arrives late: the two agree.
  await deliver('charge.dispute.created', unheard);
  t.match(await reconciliation(t, world), { mismatches: [] });
  await assertLedgerBalances(t, world.app.db);
});

t.test('who bears a chargeback is a setting, checked at start-up', async (t) => {
  const server = { DATABASE_URL: 'postgres://127.0.0.1:5432/x', JWT_SECRET: 'j'.repeat(40), IDENTITY_KEY: Buffer.alloc(32, 1).toString('base64'), AUDIT_LOG_KEY: Buffer.alloc(32, 2).toString('base64'), ...testSealEnv };
  t.equal(loadConfig(server, () => {}).settlement.chargebacksBorneBy, 'exchange', 'the exchange by default');
  t.equal(loadConfig({ ...server, SETTLEMENT_CHARGEBACKS_BORNE_BY: 'provider' }, () => {}).settlement.chargebacksBorneBy, 'provider');
  t.throws(() => loadConfig({ ...server, SETTLEMENT_CHARGEBACKS_BORNE_BY: 'buyer' }, () => {}), ConfigError);
  t.throws(() => loadConfig({ ...server, SETTLEMENT_CHARGEBACKS_BORNE_BY: 'buyer' }, () => {}), /SETTLEMENT_CHARGEBACKS_BORNE_BY/);
});
