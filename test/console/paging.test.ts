import type { Locator, Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { listedProduct } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, sameOnceSettled, screenshot, signIn } from '../helpers/console.js';
import { acceptedBankOrder, bankReference, orderAwaitingPayment, signInThroughPage } from '../helpers/console-trade.js';
import { department, draftEntry } from '../helpers/public-data.js';
import { verifiedUser } from '../helpers/trading.js';

/**
 * Lists longer than a page, in a real browser: with 10 rows per page chosen in the header, the
 * first page shows ten, "more" follows the API's cursor to the rest (none twice) and goes at the
 * end, and a changed filter starts again from the first page. On a provider's sales and payouts,
 * the operator's refunds (recording one on the second page keeps both pages) and a department's
 * open list. The rows are made through the API.
 */

const PAGE = 10;

/** Fails with the answer when a call of the set-up is refused. */
async function expectStatus(status: number, call: Promise<{ statusCode: number; body: string }>, what: string) {
  const res = await call;
  if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return res;
}

const rowsOf = (table: Locator) => table.locator('tbody tr');

/** The first page of `table`, then the rest through "more": `total` rows, each once, and no "more" at the end. */
async function pageThrough(t: Test, page: Page, table: Locator, total: number, what: string) {
  const more = page.getByRole('button', { name: '加载更多' });
  await sameOnceSettled(t, () => rowsOf(table).count(), PAGE, `${what}: the first page shows ${PAGE} rows`);
  await page.getByText(`已显示 ${PAGE} 条，还有更多。`).waitFor();
  await more.click();
  await sameOnceSettled(t, () => rowsOf(table).count(), total, `${what}: "more" brings the other ${total - PAGE}`);
  const texts = await rowsOf(table).allTextContents();
  t.equal(new Set(texts).size, total, `${what}: no row twice`);
  await sameOnceSettled(t, () => more.count(), 0, `${what}: no "more" at the end`);
}

t.test('a provider pages through its sales and its payouts; a filter starts again from the first page', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const buyer = await verifiedUser(app, ['buyer'], clerk);
  const product = await listedProduct(app, provider.user, clerk);
  const orders = [];
  for (let i = 1; i <= PAGE + 2; i++) orders.push(await acceptedBankOrder(app, clerk, buyer.user, provider.user, product.id, `CQB-PAGE-IN-${i}`));
  // One of the payouts paid: filtered to those due, eleven.
  const first = orders[0]!;
  const payout = (await as(app, clerk, { method: 'GET', url: `/settlement/payments/${first.paymentId}` })).json<{ payout: { amountMinor: number } }>().payout;
  await expectStatus(200, as(app, clerk, { method: 'POST', url: `/settlement/payments/${first.paymentId}/payout/bank-transfer`, payload: { amountMinor: payout.amountMinor, currency: 'CNY', bankReference: 'CQB-PAGE-OUT-1' } }), 'payout');

  const { page, open, pageErrors } = await openConsole(t, app);
  await signInThroughPage({ page, open }, provider.user);
  t.equal(await page.getByLabel('每页行数').inputValue(), '50', 'fifty rows per page until the user chooses');
  await page.getByLabel('每页行数').selectOption(String(PAGE));
  const nav = page.getByRole('navigation', { name: '主导航' });

  await nav.getByRole('link', { name: '订单' }).click();
  await page.getByRole('heading', { level: 1, name: '订单' }).waitFor();
  const sales = page.getByRole('table', { name: '我方出售的订单' });
  await pageThrough(t, page, sales, PAGE + 2, 'sales');
  t.same((await sales.locator('tbody th').allTextContents()).sort(), orders.map((o) => o.order.number).sort(), 'every sale, by its number');
  await checkAccessibility(t, page, 'orders paged');

  await nav.getByRole('link', { name: '我的放款' }).click();
  await page.getByRole('heading', { level: 1, name: '我的放款' }).waitFor();
  const payouts = page.getByRole('table', { name: /^放款（/ });
  await pageThrough(t, page, payouts, PAGE + 2, 'payouts');
  await page.getByLabel('放款状态').selectOption('due');
  await pageThrough(t, page, payouts, PAGE + 1, 'payouts due');
  t.equal(await payouts.getByText(`订单 ${first.order.id.slice(0, 8)}`).count(), 0, 'not the one paid');
  await screenshot(page, 'paging', 'payouts');

  // The choice is the browser's: still ten rows after a reload.
  await open('/payouts');
  await sameOnceSettled(t, () => rowsOf(payouts).count(), PAGE, 'ten rows per page after a reload');
  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});

t.test('an operator pages through refunds, records one on the second page and keeps both', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const buyer = await verifiedUser(app, ['buyer'], clerk);
  const product = await listedProduct(app, provider.user, clerk);
  // An order paid in full, then credited again and again: each credit is paid beyond the price, a refund due by bank.
  const order = await orderAwaitingPayment(app, buyer.user, provider.user, product.id);
  const reference = await bankReference(app, buyer.user, order.id);
  await expectStatus(201, as(app, clerk, { method: 'POST', url: '/settlement/bank-receipts', payload: { reference, amountMinor: order.amountMinor, currency: 'CNY', bankReference: 'CQB-PAGE-FULL' } }), 'payment');
  for (let i = 1; i <= PAGE + 2; i++) {
    await expectStatus(201, as(app, clerk, { method: 'POST', url: '/settlement/bank-receipts', payload: { reference, amountMinor: i * 100, currency: 'CNY', bankReference: `CQB-PAGE-EXTRA-${i}` } }), `extra credit ${i}`);
  }

  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, clerk);
  await page.getByLabel('每页行数').selectOption(String(PAGE));
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '退款' }).click();
  await page.getByRole('heading', { level: 1, name: '退款' }).waitFor();
  const refunds = page.getByRole('table', { name: /^退款/ });
  await pageThrough(t, page, refunds, PAGE + 2, 'refunds');
  await checkAccessibility(t, page, 'refunds paged');

  // Newest first: the first credit's refund (¥1.00) is on the second page; recording it keeps both pages.
  const oldest = refunds.getByRole('row').filter({ hasText: '¥1.00' });
  await oldest.getByLabel('银行流水号').fill('CQB-PAGE-RF-1');
  await oldest.getByRole('button', { name: '登记已退款' }).click();
  await refunds.getByText(/CQB-PAGE-RF-1/).waitFor();
  await sameOnceSettled(t, () => rowsOf(refunds).count(), PAGE + 2, 'both pages still shown');

  // A filter starts again from the first page.
  await page.getByLabel('退款类型').selectOption('overpayment');
  await pageThrough(t, page, refunds, PAGE + 2, 'overpayments');
  await page.getByLabel('状态').selectOption('due');
  await sameOnceSettled(t, () => rowsOf(refunds).count(), PAGE, 'those due: the first page again');
  t.equal(await refunds.getByText(/CQB-PAGE-RF-1/).count(), 0, 'not the one paid');
  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});

t.test('a department pages through its open list; a filter starts again from the first page', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const dept = await department(app, clerk);
  for (let i = 1; i <= PAGE + 3; i++) await draftEntry(app, dept.user, { title: { zh: `重庆市公交线路客流统计（第 ${i} 册）` } });

  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, dept.user);
  await page.getByLabel('每页行数').selectOption(String(PAGE));
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '开放目录' }).click();
  await page.getByRole('heading', { level: 1, name: '公共数据开放目录' }).waitFor();
  const entries = page.getByRole('table', { name: /^目录条目/ });
  await pageThrough(t, page, entries, PAGE + 3, 'entries');
  await page.getByLabel('审核状态').selectOption('draft');
  await pageThrough(t, page, entries, PAGE + 3, 'drafts');
  await checkAccessibility(t, page, 'entries paged');
  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});
