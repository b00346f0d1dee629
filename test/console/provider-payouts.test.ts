import t from 'tap';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { listedProduct } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot } from '../helpers/console.js';
import { acceptedBankOrder, signInThroughPage } from '../helpers/console-trade.js';
import { verifiedUser } from '../helpers/trading.js';

/**
 * A provider's payouts across its orders through its page (GET /settlement/parties/{id}/payouts):
 * one paid by bank with its reference, one due, filtered by state, each linked to its order; another
 * provider's sale not among them, and the operators' money pages not offered to a provider.
 */

t.test('a provider sees its payouts across its orders, paid and due, and opens an order from them', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const rival = await verifiedUser(app, ['provider'], clerk);
  const buyer = await verifiedUser(app, ['buyer'], clerk);
  const product = await listedProduct(app, provider.user, clerk);
  const rivalProduct = await listedProduct(app, rival.user, clerk);
  const paid = await acceptedBankOrder(app, clerk, buyer.user, provider.user, product.id, 'CQB-PP-IN-1');
  const payout = (await as(app, clerk, { method: 'GET', url: `/settlement/payments/${paid.paymentId}` })).json<{ payout: { amountMinor: number } }>().payout;
  const recorded = await as(app, clerk, { method: 'POST', url: `/settlement/payments/${paid.paymentId}/payout/bank-transfer`, payload: { amountMinor: payout.amountMinor, currency: 'CNY', bankReference: 'CQB-PP-OUT-1' } });
  t.equal(recorded.statusCode, 200, recorded.body);
  const due = await acceptedBankOrder(app, clerk, buyer.user, provider.user, product.id, 'CQB-PP-IN-2');
  const other = await acceptedBankOrder(app, clerk, buyer.user, rival.user, rivalProduct.id, 'CQB-PP-IN-3');

  const { page, open, pageErrors } = await openConsole(t, app);
  await signInThroughPage({ page, open }, provider.user);
  const nav = page.getByRole('navigation', { name: '主导航' });
  t.notOk((await nav.getByRole('link').allTextContents()).some((l) => ['资金结算', '退款', '提供方余额', '银行卡拒付'].includes(l)), 'no operator’s money page for a provider');
  await nav.getByRole('link', { name: '我的放款' }).click();
  await page.getByRole('heading', { level: 1, name: '我的放款' }).waitFor();
  const payouts = page.getByRole('table', { name: /^放款（/ });
  const paidRow = payouts.getByRole('row', { name: new RegExp(`订单 ${paid.order.id.slice(0, 8)}`) });
  await paidRow.waitFor();
  t.match(await paidRow.textContent(), /已放款.*¥4,850\.00.*¥150\.00.*CQB-PP-OUT-1/, 'the paid payout: the amount less the fee, and the bank’s reference');
  t.match(await payouts.getByRole('row', { name: new RegExp(`订单 ${due.order.id.slice(0, 8)}`) }).textContent(), /待放款.*¥4,850\.00/, 'the payout due');
  t.equal(await payouts.locator('tbody tr').count(), 2, 'its two payouts');
  t.equal(await payouts.getByText(`订单 ${other.order.id.slice(0, 8)}`).count(), 0, 'and not another provider’s');
  await checkAccessibility(t, page, 'my payouts');
  await screenshot(page, 'provider-payouts', 'payouts');

  // Filtered to those paid: the due one goes.
  await page.getByLabel('放款状态').selectOption('paid');
  await payouts.getByRole('row', { name: new RegExp(`订单 ${due.order.id.slice(0, 8)}`) }).waitFor({ state: 'detached' });
  t.equal(await payouts.locator('tbody tr').count(), 1, 'only the paid payout');

  // From a payout to its order.
  await payouts.getByRole('link', { name: `订单 ${paid.order.id.slice(0, 8)}` }).click();
  await page.getByRole('heading', { level: 1, name: `订单 ${paid.order.number}` }).waitFor();
  t.pass('the payout leads to its order');

  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});
