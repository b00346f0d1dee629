// A whole trade through the API, from the order to the provider's payout, with stand-ins for
// settlement and agreements; and the record of it, step by step with receipts.
import t from 'tap';
import { as } from '../../helpers/app.js';
import { AgreementsStandIn, SettlementStandIn } from '../../helpers/trading-stand-ins.js';
import { markPaid, markPaidOut, placeOrder, readOrder, sampleOrder, signAgreement, tradingWorld, buildTradingApp } from '../../helpers/trading.js';

t.test('a trade runs from the order to completion, and its record shows every step', async (t) => {
  const settlement = new SettlementStandIn();
  const agreements = new AgreementsStandIn();
  const app = await buildTradingApp(t, {}, { settlement, agreements });
  const { buyer, provider, clerk, product } = await tradingWorld(app);

  const order = await placeOrder(app, buyer.user, sampleOrder(product.id));
  t.match(order.number, /^ORD-\d{4}-\d{6}$/);
  t.equal(order.status, 'agreement_pending', 'no approval needed: accepted and agreement drafted at once');
  t.equal(order.amountMinor, 500000);
  t.equal(order.feeMinor, 15000, '3% of the amount');
  const draft = agreements.drafts.get(order.agreement!.id);
  t.equal(draft?.order.dataset?.sha256, product.version.sha256, 'the agreement names exactly the declared bytes');
  t.equal(draft?.order.purpose, '交通规划研究');

  await signAgreement(app, order);
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'payment_pending');

  const pay = await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/payment`, payload: { rail: 'bank_transfer' } });
  t.equal(pay.statusCode, 200, pay.body.slice(0, 300));
  t.match(pay.json(), { rail: 'bank_transfer', reference: order.number, amountMinor: 500000, currency: 'CNY' });
  t.match(settlement.calls, [{ call: 'openPayment', orderId: order.id, rail: 'bank_transfer' }]);

  await markPaid(app, order.id);
  await markPaid(app, order.id);
  t.equal((await readOrder(app, buyer.user, order.id)).status, 'delivering', 'paid: grants issued; a repeated event changes nothing');
  const grants = (await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}/grants` })).json<{ id: string; sha256: string }[]>();
  t.equal(grants.length, 1);
  t.equal(grants[0]!.sha256, product.version.sha256);

  const download = await as(app, buyer.user, { method: 'GET', url: `/grants/${grants[0]!.id}/download` });
  t.equal(download.statusCode, 200);
  t.equal(download.headers.etag, `"${product.version.sha256}"`);
  const delivered = await readOrder(app, buyer.user, order.id);
  t.equal(delivered.status, 'delivered');
  t.ok(delivered.acceptanceDueAt, 'the acceptance window is open');

  const accept = await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/acceptance` });
  t.equal(accept.statusCode, 200, accept.body.slice(0, 300));
  t.equal(accept.json<{ status: string }>().status, 'accepted_by_buyer');
  t.match(settlement.calls.at(-1), { call: 'releaseToProvider', orderId: order.id });
  await markPaidOut(app, order.id);
  t.equal((await readOrder(app, provider.user, order.id)).status, 'completed');

  const record = await as(app, clerk, { method: 'GET', url: `/orders/${order.id}/record` });
  t.equal(record.statusCode, 200, record.body.slice(0, 300));
  const body = record.json<{ steps: { action: string; to: string; receipt: string; auditEventId: string }[]; downloads: unknown[]; agreement: { id: string } }>();
  t.same(
    body.steps.map((s) => s.action),
    ['placed', 'accept', 'draft_agreement', 'sign', 'payment_opened', 'pay', 'deliver', 'downloaded', 'confirm_delivery', 'accept_delivery', 'complete'],
  );
  t.ok(body.steps.every((s) => s.receipt === `/audit/events/${s.auditEventId}/receipt`));
  t.equal(body.downloads.length, 1);
  t.equal(body.agreement.id, order.agreement!.id);

  const receipt = await as(app, buyer.user, { method: 'GET', url: body.steps[0]!.receipt });
  t.not(receipt.statusCode, 404, 'the buyer may fetch the receipt of its order');
});
