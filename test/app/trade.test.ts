// A trade end to end with the real modules: trading, agreements and settlement meeting at their
// ports, every step through the HTTP API, the money checked in the ledger and the steps in the log.
import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { as, buildTestApp, expectProblem, type TestUser } from '../helpers/app.js';
import { contentHash, signAs } from '../helpers/agreements.js';
import { assertLedgerBalances } from '../helpers/ledger.js';
import { bankRef, recordReceipt, settlementSettings } from '../helpers/settlement.js';
import { startStripeStandIn, stripeSettings } from '../helpers/stripe-stand-in.js';
import { placeOrder, readOrder, sampleOrder, tradingWorld, type OrderShape } from '../helpers/trading.js';

async function ok<T = Record<string, unknown>>(res: { statusCode: number; body: string }, status = 200): Promise<T> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 400)}`);
  return JSON.parse(res.body || 'null') as T;
}

/** Both parties sign the order's agreement over the hash they read; the exchange seals it. */
async function signBoth(app: FastifyInstance, order: OrderShape, buyer: TestUser, provider: TestUser) {
  const agreementId = order.agreement!.id;
  const hash = await contentHash(app, buyer, agreementId);
  await ok(await signAs(app, buyer, agreementId, hash), 201);
  await ok(await signAs(app, provider, agreementId, hash), 201);
}

/** Ordered, signed, paid by bank transfer and the file downloaded: delivered. */
async function deliveredTrade(app: FastifyInstance) {
  const world = await tradingWorld(app);
  const { buyer, provider, clerk } = world;
  const order = await placeOrder(app, buyer.user, sampleOrder(world.product.id));
  t.equal(order.status, 'agreement_pending');
  expectProblem(t, await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/payment`, payload: { rail: 'bank_transfer' } }), 409, 'invalid-state');

  await signBoth(app, order, buyer.user, provider.user);
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'payment_pending', 'sealed agreement: the order awaits payment');

  const pay = await ok<{ rail: string; paymentId: string; reference: string; amountMinor: number }>(
    await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/payment`, payload: { rail: 'bank_transfer' } }),
  );
  t.equal(pay.amountMinor, order.amountMinor);
  await ok(await recordReceipt(app, clerk, pay.reference, order.amountMinor), 201);
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'delivering', 'the money is held: grants are issued');

  const [grant] = await ok<{ id: string; sha256: string }[]>(await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}/grants` }));
  const file = await as(app, buyer.user, { method: 'GET', url: `/grants/${grant!.id}/download` });
  t.equal(file.statusCode, 200);
  t.equal(file.headers.etag, `"${world.product.version.sha256}"`, 'exactly the declared bytes');
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'delivered');
  return { ...world, order, paymentId: pay.paymentId };
}

t.test('a trade on the bank-transfer rail: order, sealed agreement, escrow, delivery, acceptance, payout, record', async (t) => {
  const app = await buildTestApp(t);
  const { buyer, provider, clerk, order, paymentId } = await deliveredTrade(app);

  expectProblem(t, await as(app, clerk, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: order.amountMinor - order.feeMinor, currency: 'CNY', bankReference: bankRef() } }), 409, 'invalid-state');
  await ok(await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/acceptance` }));
  const payment = await ok<{ payout: { status: string; amountMinor: number } }>(await as(app, clerk, { method: 'GET', url: `/settlement/payments/${paymentId}` }));
  t.equal(payment.payout.amountMinor, order.amountMinor - order.feeMinor, 'the provider is owed the price less the fee');
  await ok(await as(app, clerk, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: order.amountMinor - order.feeMinor, currency: 'CNY', bankReference: bankRef() } }));
  t.equal((await readOrder(app, provider.user, order.id)).status, 'completed');

  const record = await ok<{
    agreement: { status: string; sealedSha256: string | null; signatures: unknown[] };
    money: { payments: { status: string }[]; payouts: { status: string }[]; balances: Record<string, number> };
    steps: { action: string; receipt: string }[];
  }>(await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}/record` }));
  t.equal(record.agreement.status, 'signed');
  t.match(record.agreement.sealedSha256, /^[0-9a-f]{64}$/, 'the sealed PDF is on the record');
  t.equal(record.agreement.signatures.length, 2);
  t.equal(record.money.payments.length, 1);
  t.equal(record.money.payouts.length, 1);
  t.ok(record.steps.some((s) => s.action === 'complete'), 'completed on the record');
  const receipt = await as(app, buyer.user, { method: 'GET', url: `${record.steps.find((s) => s.action === 'sign')!.receipt}?wait=5` });
  t.equal(receipt.statusCode, 200, 'the buyer holds a receipt of the signing step');

  await assertLedgerBalances(t, app.db);
  const verified = await ok<{ ok: boolean }>(await as(app, clerk, { method: 'POST', url: '/audit/verify' }));
  t.ok(verified.ok, 'the log verifies after the trade');
  await replaysClean(t, app, clerk, order.id, 'completed');

  // A change that bypasses the log is found, naming the last event the log has.
  await app.db.execute(sql`update trading_orders set status = 'disputed', refunded_minor = 100 where id = ${order.id}`);
  const tampered = await ok<{ consistent: boolean; findings: { check: string; fromLog: unknown; current: unknown; event: { action: string } | null }[] }>(await as(app, clerk, { method: 'GET', url: `/supervision/orders/${order.id}/replay` }));
  t.equal(tampered.consistent, false);
  t.match(tampered.findings, [
    { check: 'order-status', fromLog: 'completed', current: 'disputed', event: { action: 'order.complete' } },
    { check: 'order-refunded', fromLog: 0, current: 100 },
  ]);
  const overview = await ok<{ orders: { byStatus: Record<string, number> } }>(await as(app, clerk, { method: 'GET', url: '/supervision/overview' }));
  t.equal(overview.orders.byStatus.disputed, 1, 'the overview counts orders by state');
});

/** The operator replays the order from the audit log alone: nothing differs from the tables. */
async function replaysClean(t: Test, app: FastifyInstance, operator: TestUser, orderId: string, status: string) {
  const replay = await ok<{ consistent: boolean; replayedStatus: string; findings: unknown[]; events: number }>(await as(app, operator, { method: 'GET', url: `/supervision/orders/${orderId}/replay` }));
  t.match(replay, { consistent: true, replayedStatus: status, findings: [] }, `the trade replays from ${replay.events} events with no difference`);
}

t.test('a disputed trade: a partial refund to the buyer, the rest less its fee to the provider', async (t) => {
  const app = await buildTestApp(t);
  const { buyer, clerk, order, paymentId } = await deliveredTrade(app);
  await ok(await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/dispute`, payload: { reason: '交付数据缺少两个站点的记录' } }));
  const refundMinor = 200_000;
  await ok(await as(app, clerk, { method: 'POST', url: `/orders/${order.id}/dispute/decision`, payload: { outcome: 'partial_refund', refundMinor, reason: '部分数据缺失，按比例退款' } }));

  const payment = await ok<{ refunds: { id: string; amountMinor: number }[]; payout: { amountMinor: number } }>(await as(app, clerk, { method: 'GET', url: `/settlement/payments/${paymentId}` }));
  t.equal(payment.refunds[0]!.amountMinor, refundMinor, 'the refund is due to the buyer');
  const released = order.amountMinor - refundMinor;
  t.ok(payment.payout.amountMinor < released && payment.payout.amountMinor > released - order.feeMinor, 'the provider gets the rest less the fee on the rest');
  await ok(await as(app, clerk, { method: 'POST', url: `/settlement/payments/${paymentId}/refunds/${payment.refunds[0]!.id}/bank-transfer`, payload: { amountMinor: refundMinor, currency: 'CNY', bankReference: bankRef() } }));
  const refunded = await readOrder(app, buyer.user, order.id);
  t.match(refunded, { status: /resolved|refunded|completed/ }, `settled after the decision: ${refunded.status}`);
  await assertLedgerBalances(t, app.db);
  await replaysClean(t, app, clerk, order.id, refunded.status);
});

t.test('a trade on the Stripe rail: PaymentIntent from the order, signed webhook, Transfer less the fee after acceptance', async (t) => {
  const standIn = await startStripeStandIn(t);
  const settings = stripeSettings(standIn);
  const app = await buildTestApp(t, { settlement: settlementSettings(settings) });
  const deliver = (type: string, object: Record<string, unknown>) => {
    const hook = standIn.webhook(settings.webhookSecret, type, object, {});
    return app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: hook.headers, payload: hook.payload });
  };
  const { buyer, provider, product } = await tradingWorld(app);
  const linked = await ok<{ stripeAccountId: string }>(await as(app, provider.user, { method: 'POST', url: `/settlement/parties/${provider.party.id}/connected-account` }), 201);
  await ok(await deliver('account.updated', { id: linked.stripeAccountId, object: 'account', charges_enabled: true, payouts_enabled: true }));

  const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
  await signBoth(app, order, buyer.user, provider.user);
  const pay = await ok<{ rail: string; status: string; clientSecret: string }>(await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/payment`, payload: { rail: 'stripe' } }));
  t.match(pay, { rail: 'stripe', status: 'ready', clientSecret: /^pi_\w+_secret_/ }, 'the buyer gets the client secret at once');
  const intent = standIn.created('payment_intent')[0]!;
  t.match(intent, { amount: order.amountMinor, metadata: { orderId: order.id, orderNumber: order.number }, transfer_group: order.number });

  await ok(await deliver('payment_intent.succeeded', standIn.succeed(intent.id as string)));
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'delivering', 'the signed webhook moved the order');
  const [grant] = await ok<{ id: string }[]>(await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}/grants` }));
  t.equal((await as(app, buyer.user, { method: 'GET', url: `/grants/${grant!.id}/download` })).statusCode, 200);
  await ok(await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/acceptance` }));
  await app.settlement.runEffects(app.db);

  const [transfer] = standIn.sent('POST', '/v1/transfers');
  t.match(transfer!.body, { amount: String(order.amountMinor - order.feeMinor), destination: linked.stripeAccountId, source_transaction: standIn.created('charge')[0]!.id });
  t.equal(transfer!.idempotencyKey, `order:${order.id}:transfer`);
  t.equal((await readOrder(app, provider.user, order.id)).status, 'completed', 'paid out: the trade is complete');
  await assertLedgerBalances(t, app.db);
});

t.test('a dispute decided after the bank payout: the buyer refunded, the provider owes the money back and repays it, the ledger reconciles', async (t) => {
  const from = new Date(Date.now() - 60_000).toISOString();
  const app = await buildTestApp(t);
  const { buyer, provider, clerk, order, paymentId } = await deliveredTrade(app);
  await ok(await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/acceptance` }));
  const net = order.amountMinor - order.feeMinor;
  await ok(await as(app, clerk, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: net, currency: 'CNY', bankReference: bankRef() } }));
  t.equal((await readOrder(app, provider.user, order.id)).status, 'completed', 'the provider was paid');

  // Arbitration decides for the buyer after all: the whole price back.
  const refund = await ok<{ id: string; status: string; amountMinor: number }>(
    await as(app, clerk, { method: 'POST', url: `/settlement/payments/${paymentId}/refunds`, payload: { amountMinor: order.amountMinor, currency: 'CNY', reason: '仲裁裁定全额退款' } }),
    201,
  );
  t.match(refund, { status: 'due', amountMinor: order.amountMinor });
  await ok(await as(app, clerk, { method: 'POST', url: `/settlement/payments/${paymentId}/refunds/${refund.id}/bank-transfer`, payload: { amountMinor: order.amountMinor, currency: 'CNY', bankReference: bankRef() } }));
  const record = await ok<{ money: { refunds: { status: string }[]; balances: Record<string, number> } }>(await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}/record` }));
  t.match(record.money.refunds, [{ status: 'refunded' }], 'the buyer has its money back');
  t.match(record.money.balances, { provider_receivable: -net, fee_revenue: 0, buyer_funds: 0, refunds_payable: 0 }, 'the provider owes its share back; the fee goes back too');

  const repaid = await ok<{ stillOwedMinor: number }>(
    await as(app, clerk, { method: 'POST', url: `/settlement/parties/${provider.party.id}/repayments`, payload: { amountMinor: net, currency: 'CNY', bankReference: bankRef() } }),
    201,
  );
  t.equal(repaid.stillOwedMinor, 0);
  const report = await ok<{ mismatches: unknown[]; checked: Record<string, number> }>(
    await as(app, clerk, { method: 'GET', url: `/settlement/reconciliation?from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}` }),
  );
  t.same(report.mismatches, []);
  t.match(report.checked, { payments: 1, payouts: 1, refunds: 1, repayments: 1 });
  await assertLedgerBalances(t, app.db);
});
