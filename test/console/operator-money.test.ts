import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { as, buildTestApp, signUp, type TestUser } from '../helpers/app.js';
import { listedProduct } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot, sameOnceSettled, shows } from '../helpers/console.js';
import { acceptedBankOrder, orderAwaitingPayment, signInThroughPage } from '../helpers/console-trade.js';
import { settlementSettings } from '../helpers/settlement.js';
import { startStripeStandIn, stripeSettings } from '../helpers/stripe-stand-in.js';
import { verifiedUser } from '../helpers/trading.js';

/**
 * The operator's money beyond payouts, through the pages, in a real browser: a refund ordered
 * after the provider was paid (one beyond what was paid refused in the API's Chinese words), the
 * refund's bank transfer recorded, the provider's debt in its balance, its repayment recorded (one
 * beyond the debt refused), and a card dispute listed. The trades are set up through the API with
 * the real trading and settlement modules; Stripe is the stand-in.
 */

type PaymentView = { id: string; status: string; payout: { id: string; amountMinor: number; status: string } | null; refunds: { id: string; status: string; amountMinor: number; bankReference: string | null }[] };

const paymentView = async (app: FastifyInstance, clerk: TestUser, paymentId: string) => (await as(app, clerk, { method: 'GET', url: `/settlement/payments/${paymentId}` })).json<PaymentView>();

const owedBy = async (app: FastifyInstance, clerk: TestUser, partyId: string) =>
  (await as(app, clerk, { method: 'GET', url: '/settlement/provider-balances' })).json<{ items: { partyId: string; owedByProviderMinor: number }[] }>().items.find((b) => b.partyId === partyId)?.owedByProviderMinor;

/** Fails with the answer when a call of the set-up is refused. */
async function expectStatus(status: number, call: Promise<{ statusCode: number; body: string }>, what: string) {
  const res = await call;
  if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return res;
}

t.test('an operator orders a refund after the payout, records its transfer and the provider’s repayment, and sees a card dispute', { skip: noBrowser }, async (t) => {
  const standIn = await startStripeStandIn(t);
  const stripe = stripeSettings(standIn);
  const app = await buildTestApp(t, { settlement: settlementSettings(stripe) }, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const buyer = await verifiedUser(app, ['buyer'], clerk);
  const product = await listedProduct(app, provider.user, clerk);

  // A bank order paid, delivered, accepted and paid out to the provider.
  const { order: paidOut, paymentId } = await acceptedBankOrder(app, clerk, buyer.user, provider.user, product.id, 'CQB-MONEY-IN-1');
  const payout = (await paymentView(app, clerk, paymentId)).payout!;
  await expectStatus(200, as(app, clerk, { method: 'POST', url: `/settlement/payments/${paymentId}/payout/bank-transfer`, payload: { amountMinor: payout.amountMinor, currency: 'CNY', bankReference: 'CQB-MONEY-OUT-1' } }), 'payout');

  // A card order paid through Stripe, whose charge the buyer's bank then disputes.
  const byCard = await orderAwaitingPayment(app, buyer.user, provider.user, product.id);
  await expectStatus(200, as(app, buyer.user, { method: 'POST', url: `/orders/${byCard.id}/payment`, payload: { rail: 'stripe' } }), 'card payment');
  const intent = standIn.created('payment_intent').find((p) => (p.metadata as Record<string, string>).orderId === byCard.id)!;
  const deliver = (type: string, object: Record<string, unknown>) => {
    const hook = standIn.webhook(stripe!.webhookSecret, type, object);
    return expectStatus(200, app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: hook.headers, payload: hook.payload }), type);
  };
  await deliver('payment_intent.succeeded', standIn.succeed(intent.id));
  const charge = standIn.created('charge').find((c) => c.payment_intent === intent.id)!;
  const dispute = standIn.openDispute(charge.id, { fee: 1_500 });
  await deliver('charge.dispute.created', dispute);

  const { page, open, pageErrors } = await openConsole(t, app);
  await signInThroughPage({ page, open }, clerk);
  const nav = page.getByRole('navigation', { name: '主导航' });
  await sameOnceSettled(t, () => nav.getByRole('link').allTextContents(), ['通知', '监管概览', '主体核验', '产品审核', '数据目录', '订单', '回执核验', '资金结算', '银行对账单', '审计日志', '数据导出', '退款', '提供方余额', '银行卡拒付', '出境安全评估', '账号'], 'the money pages in the operator’s navigation');

  // From the paid payout on the settlement page to the payment, where the refund is ordered.
  await nav.getByRole('link', { name: '资金结算' }).click();
  const paid = page.getByRole('table', { name: /^已放款/ });
  await paid.getByRole('link', { name: `下达退款…（订单 ${paidOut.id.slice(0, 8)}）` }).click();
  await page.getByRole('heading', { level: 1, name: `订单 ${paidOut.number} 的付款` }).waitFor();
  t.ok(await shows(page.getByText('该付款的退款')), 'the payment’s refunds');
  await checkAccessibility(t, page, 'payment refund');
  // More than the buyer paid: the API's refusal, in its Chinese words.
  await page.getByLabel('退款金额（元）').fill('6000');
  await page.getByLabel('裁决与理由').fill('仲裁委员会裁定：交付数据缺少两个月的记录，部分退款');
  await page.getByRole('button', { name: '下达退款' }).click();
  await page.getByRole('alert').getByText('已付金额至多为 500000 CNY').waitFor();
  t.same((await paymentView(app, clerk, paymentId)).refunds, [], 'nothing was refunded');
  await page.getByLabel('退款金额（元）').fill('2,000');
  await page.getByRole('button', { name: '下达退款' }).click();
  await page.getByText('已下达退款。').waitFor();
  const refunds = page.getByRole('table', { name: /^该付款的退款/ });
  await refunds.getByText('待退款').waitFor();
  const [refund] = (await paymentView(app, clerk, paymentId)).refunds;
  t.match(refund, { status: 'due', amountMinor: 200_000 }, 'the API holds the refund, due by bank');
  await sameOnceSettled(t, () => page.getByRole('button', { name: '下达退款' }).count(), 0, 'and offers no second one');
  await screenshot(page, 'operator-money', 'payment-refund');

  // The provider was paid for the refunded part: it owes it back.
  await nav.getByRole('link', { name: '提供方余额' }).click();
  await page.getByRole('heading', { level: 1, name: '提供方余额' }).waitFor();
  const balance = page.getByRole('table', { name: /^提供方余额/ }).getByRole('row', { name: new RegExp(provider.party.legalName) });
  await balance.getByRole('cell', { name: '¥2,000.00', exact: true }).waitFor();
  t.equal(await owedBy(app, clerk, provider.party.id), 200_000, 'the ledger says the same');
  await checkAccessibility(t, page, 'provider balances');

  // The refund paid at the bank, recorded from the refunds page.
  await nav.getByRole('link', { name: '退款' }).click();
  await page.getByRole('heading', { level: 1, name: '退款' }).waitFor();
  const transfer = page.getByRole('form', { name: `登记退款 ${refund!.id.slice(0, 8)}` });
  t.equal(await transfer.getByLabel('金额（元）').inputValue(), '2000.00', 'the amount to send is filled in');
  await checkAccessibility(t, page, 'refunds');
  await transfer.getByLabel('银行流水号').fill('CQB-MONEY-RF-1');
  await transfer.getByRole('button', { name: '登记已退款' }).click();
  await page.getByRole('table', { name: /^退款/ }).getByText(/CQB-MONEY-RF-1/).waitFor();
  t.match((await paymentView(app, clerk, paymentId)).refunds, [{ status: 'refunded', bankReference: 'CQB-MONEY-RF-1' }], 'the API holds the refund as paid');
  await page.getByLabel('状态').selectOption('due');
  await page.getByText('没有此类退款。').waitFor();
  await screenshot(page, 'operator-money', 'refunds');

  // The provider repays by bank transfer: more than it owes is refused, then part of it recorded.
  await nav.getByRole('link', { name: '提供方余额' }).click();
  const repayment = page.getByRole('form', { name: `登记 ${provider.party.legalName} 的还款` });
  t.equal(await repayment.getByLabel('金额（元）').inputValue(), '2000.00', 'what it owes is filled in');
  await repayment.getByLabel('金额（元）').fill('3000');
  await repayment.getByLabel('银行流水号').fill('CQB-MONEY-BACK-1');
  await repayment.getByRole('button', { name: '登记还款' }).click();
  await repayment.getByRole('alert').getByText('提供方欠付 200000 CNY').waitFor();
  t.equal(await owedBy(app, clerk, provider.party.id), 200_000, 'nothing was recorded');
  await repayment.getByLabel('金额（元）').fill('1500');
  await repayment.getByRole('button', { name: '登记还款' }).click();
  await page.getByText(`已登记 ${provider.party.legalName} 还款 ¥1,500.00，尚欠 ¥500.00。`).waitFor();
  await balance.getByRole('cell', { name: '¥500.00', exact: true }).waitFor();
  t.equal(await repayment.getByLabel('金额（元）').inputValue(), '500.00', 'the form now offers what is still owed');
  t.equal(await owedBy(app, clerk, provider.party.id), 50_000, 'the provider still owes 500 yuan');
  await screenshot(page, 'operator-money', 'provider-balances');

  // The card dispute, with what Stripe took from the exchange and who bears it.
  await nav.getByRole('link', { name: '银行卡拒付' }).click();
  await page.getByRole('heading', { level: 1, name: '银行卡拒付' }).waitFor();
  const row = page.getByRole('table', { name: /^银行卡争议/ }).getByRole('row', { name: new RegExp(dispute.id as string) });
  await row.waitFor();
  t.match(await row.textContent(), /¥5,000\.00.*未收到商品.*待应诉.*¥5,015\.00.*交易所/, 'amount, reason, state, what was taken and who bears it');
  await checkAccessibility(t, page, 'card disputes');
  await screenshot(page, 'operator-money', 'card-disputes');

  // A provider is offered none of it.
  await page.getByRole('button', { name: '退出登录' }).click();
  await signInThroughPage({ page, open }, provider.user);
  t.notOk((await nav.getByRole('link').allTextContents()).some((l) => ['退款', '提供方余额', '银行卡拒付'].includes(l)), 'the money pages are not in a provider’s navigation');
  await open('/provider-balances');
  await page.getByRole('heading', { level: 1, name: '无权访问' }).waitFor();

  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});
