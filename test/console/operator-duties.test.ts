import t from 'tap';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { listedProduct } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot, sameOnceSettled, shows } from '../helpers/console.js';
import { bankReference, orderAwaitingPayment, signInThroughPage } from '../helpers/console-trade.js';
import { statementCsv } from '../helpers/settlement.js';
import { verifiedUser } from '../helpers/trading.js';

/**
 * The operator's duties through the pages, in a real browser: a bank credit recorded by its
 * reference; a bank statement imported, its unmatched lines resolved and dismissed, and reconciled
 * with the ledger; a dispute decided; a bank payout recorded; a party and a listing suspended and
 * reinstated with their reasons (the overview listing them, payouts held meanwhile); the audit log
 * filtered, with an event's receipt checked; exports downloaded as CSV and XLSX. The trades are set
 * up through the API with the real agreements and settlement modules.
 */

t.test('an operator records money, works a bank statement, decides a dispute, pays out, suspends, audits and exports through the pages', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const buyer = await verifiedUser(app, ['buyer'], clerk);
  const product = await listedProduct(app, provider.user, clerk);
  // Two orders signed by both sides, each waiting for its bank transfer.
  const first = await orderAwaitingPayment(app, buyer.user, provider.user, product.id);
  const second = await orderAwaitingPayment(app, buyer.user, provider.user, product.id);
  const firstReference = await bankReference(app, buyer.user, first.id);
  const secondReference = await bankReference(app, buyer.user, second.id);
  const payment = async (orderId: string) => (await as(app, clerk, { method: 'GET', url: `/orders/${orderId}` })).json<{ status: string; payment: { paymentId: string } }>();

  const { page, open, pageErrors } = await openConsole(t, app);
  await signInThroughPage({ page, open }, clerk);
  const nav = page.getByRole('navigation', { name: '主导航' });
  await sameOnceSettled(t, () => nav.getByRole('link').allTextContents(), ['通知', '监管概览', '主体核验', '产品审核', '数据目录', '订单', '回执核验', '资金结算', '银行对账单', '审计日志', '数据导出', '退款', '提供方余额', '银行卡拒付', '出境安全评估', '账号'], 'the operator’s navigation');

  // Settlement: the payments waiting for money, and a credit recorded by the reference the buyer quoted.
  await nav.getByRole('link', { name: '资金结算' }).click();
  await page.getByRole('heading', { level: 1, name: '资金结算' }).waitFor();
  const awaiting = page.getByRole('table', { name: /^待到账的付款/ });
  await awaiting.getByText(firstReference).waitFor();
  t.ok(await shows(awaiting.getByText(secondReference)), 'both payments wait for their transfer, with their references');
  await checkAccessibility(t, page, 'settlement');
  // Typed as a clerk reads it off the bank's advice: lower case, spaces for hyphens.
  await page.getByLabel('付款编号').fill(firstReference.toLowerCase().replaceAll('-', ' '));
  await page.getByLabel('金额（元）').fill('5,000.00');
  await page.getByLabel('银行流水号').fill('CQB-DUTY-0001');
  await page.getByRole('button', { name: '登记到账' }).click();
  await page.getByText('已登记到账，付款状态：托管中。').waitFor();
  t.equal((await payment(first.id)).status, 'delivering', 'the order is paid and its delivery open');
  // The list reloads after the confirmation shows: wait for the reload, not for a moment.
  await awaiting.getByText(firstReference).waitFor({ state: 'detached' });
  t.equal(await awaiting.getByText(firstReference).count(), 0, 'and its payment no longer waits');
  // The same bank reference twice: the API's words, not the page's.
  await page.getByLabel('付款编号').fill(secondReference);
  await page.getByLabel('金额（元）').fill('5000');
  await page.getByLabel('银行流水号').fill('CQB-DUTY-0001');
  await page.getByRole('button', { name: '登记到账' }).click();
  await page.getByRole('alert').waitFor();
  t.equal((await payment(second.id)).status, 'payment_pending', 'a bank reference recorded before is refused');
  await screenshot(page, 'operator-duties', 'settlement');

  // A bank statement: the second transfer arrived without its reference, and the bank took a fee.
  await nav.getByRole('link', { name: '银行对账单' }).click();
  await page.getByRole('heading', { level: 1, name: '银行对账单' }).waitFor();
  await checkAccessibility(t, page, 'bank statements');
  const csv = statementCsv([
    { creditMinor: 500_000, summary: '货款', postscript: '重庆某某公司', bankReference: 'CSV-DUTY-1', balanceMinor: 1_000_000 },
    { debitMinor: 1_500, summary: '手续费', bankReference: 'CSV-DUTY-2', balanceMinor: 998_500 },
  ]);
  await page.getByLabel('对账单文件（camt.053 XML 或 CSV）').setInputFiles({ name: '流水-20261130.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: '导入' }).click();
  await page.getByRole('heading', { level: 1, name: /^对账单 / }).waitFor();
  const lines = page.getByRole('table', { name: '流水' });
  const creditLine = lines.getByRole('row', { name: /CSV-DUTY-1/ });
  t.match(await creditLine.textContent(), /未匹配.*附言中没有付款编号/, 'the credit without a reference waits for an operator');
  await checkAccessibility(t, page, 'bank statement');
  await creditLine.getByLabel('付款编号').fill(secondReference);
  await creditLine.getByRole('button', { name: '入账到该付款' }).click();
  await lines.getByRole('row', { name: /CSV-DUTY-1/ }).getByText('已指定付款').waitFor();
  t.equal((await payment(second.id)).status, 'delivering', 'the line named for the second payment pays its order');
  const feeLine = lines.getByRole('row', { name: /CSV-DUTY-2/ });
  await feeLine.getByLabel('排除理由').fill('银行手续费');
  await feeLine.getByRole('button', { name: '排除' }).click();
  await lines.getByRole('row', { name: /CSV-DUTY-2/ }).getByText('已排除').waitFor();
  await page.getByText('1 条，净额 -¥15.00').or(page.getByText('1 条，净额 ¥-15.00')).or(page.getByText('1 条，净额 −¥15.00')).first().waitFor();
  t.ok(await shows(page.getByText('期初 + 收入 − 支出 = 期末')), 'the bank’s own arithmetic holds');
  await screenshot(page, 'operator-duties', 'bank-statement');
  // The same file again is recognised, and posts nothing twice.
  await nav.getByRole('link', { name: '银行对账单' }).click();
  await page.getByLabel('对账单文件（camt.053 XML 或 CSV）').setInputFiles({ name: '流水-20261130.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: '导入' }).click();
  await page.getByText('该对账单此前已导入，未重复入账。').waitFor();

  // The buyer disputes the first delivery, accepts the second (through the API).
  const grants = (await as(app, buyer.user, { method: 'GET', url: `/orders/${first.id}/grants` })).json<{ id: string }[]>();
  t.equal((await as(app, buyer.user, { method: 'GET', url: `/grants/${grants[0]!.id}/download` })).statusCode, 200, 'the buyer downloads the first order’s data');
  t.equal((await as(app, buyer.user, { method: 'POST', url: `/orders/${first.id}/dispute`, payload: { reason: '数据缺少 11 月的记录' } })).statusCode, 200, 'and disputes it');
  const secondGrants = (await as(app, buyer.user, { method: 'GET', url: `/orders/${second.id}/grants` })).json<{ id: string }[]>();
  await as(app, buyer.user, { method: 'GET', url: `/grants/${secondGrants[0]!.id}/download` });
  t.equal((await as(app, buyer.user, { method: 'POST', url: `/orders/${second.id}/acceptance` })).statusCode, 200, 'the second is accepted');

  // The overview lists the open dispute; its order's page takes the decision.
  await nav.getByRole('link', { name: '监管概览' }).click();
  const disputes = page.getByRole('row', { name: /未处理的争议/ });
  await disputes.getByRole('link', { name: first.number }).click();
  await page.getByRole('heading', { level: 1, name: `订单 ${first.number}` }).waitFor();
  t.ok(await shows(page.getByText('数据缺少 11 月的记录')), 'the buyer’s reason');
  await checkAccessibility(t, page, 'order in dispute');
  await page.getByLabel('部分退款').check();
  // A refund of the whole price is no partial refund: refused, and the refusal is kept under the
  // request's Idempotency-Key. The corrected amount is another request, with a key of its own.
  await page.getByLabel('退款金额（元）').fill('5000');
  await page.getByLabel('裁决理由').fill('缺少一个月的数据，按比例退款');
  await page.getByRole('button', { name: '提交裁决' }).click();
  await page.getByRole('alert').getByText(/请求不符合接口要求/).waitFor();
  await page.getByLabel('退款金额（元）').fill('1000');
  await page.getByRole('button', { name: '提交裁决' }).click();
  await page.getByText('¥1,000.00').first().waitFor();
  const decided = (await as(app, clerk, { method: 'GET', url: `/orders/${first.id}` })).json<{ decision: { outcome: string; refundMinor: number } }>();
  t.match(decided.decision, { outcome: 'partial_refund', refundMinor: 100_000 }, 'the API holds the decision');
  await screenshot(page, 'operator-duties', 'dispute-decided');

  // Payouts: both are due by bank; one is paid at the bank and recorded.
  await nav.getByRole('link', { name: '资金结算' }).click();
  const due = page.getByRole('table', { name: /^待放款/ });
  await due.getByRole('row').nth(2).waitFor();
  t.equal(await due.locator('tbody tr').count(), 2, 'two payouts are due');
  const secondPayment = (await payment(second.id)).payment.paymentId;
  const secondPayout = (await as(app, clerk, { method: 'GET', url: `/settlement/payments/${secondPayment}` })).json<{ payout: { id: string; amountMinor: number } }>().payout;
  const payoutForm = page.getByRole('form', { name: `登记放款 ${secondPayout.id.slice(0, 8)}` });
  t.equal(await payoutForm.getByLabel('金额（元）').inputValue(), (secondPayout.amountMinor / 100).toFixed(2), 'the amount to send is filled in');
  await payoutForm.getByLabel('银行流水号').fill('CQB-PAYOUT-0001');
  await payoutForm.getByRole('button', { name: '登记已放款' }).click();
  await page.getByRole('table', { name: /^已放款/ }).getByText(/CQB-PAYOUT-0001/).waitFor();
  t.equal((await as(app, clerk, { method: 'GET', url: `/settlement/payments/${secondPayment}` })).json<{ payout: { status: string } }>().payout.status, 'paid', 'the payout is recorded as paid');

  // The provider suspended with the reason: its remaining payout is held; then reinstated.
  await open(`/review/parties/${provider.party.id}`);
  await page.getByRole('heading', { level: 1, name: `核验：${provider.party.legalName}` }).waitFor();
  await page.getByLabel('暂停理由').fill('涉嫌交易来源不明的数据，暂停交易待查');
  await page.getByRole('button', { name: '暂停', exact: true }).click();
  await page.getByText('该主体已被暂停。', { exact: false }).waitFor();
  t.equal((await as(app, clerk, { method: 'GET', url: `/parties/${provider.party.id}` })).json<{ verificationStatus: string }>().verificationStatus, 'suspended', 'the API holds the suspension');
  await checkAccessibility(t, page, 'party suspended');
  await nav.getByRole('link', { name: '资金结算' }).click();
  await page.getByRole('table', { name: /^暂缓放款/ }).getByText('提供方已被暂停').waitFor();
  t.pass('the provider’s payout is held while it is suspended');
  await nav.getByRole('link', { name: '监管概览' }).click();
  await page.getByRole('row', { name: /已暂停的主体/ }).getByRole('link', { name: provider.party.legalName }).click();
  await page.getByLabel('恢复理由').fill('核查完毕，来源合法');
  await page.getByRole('button', { name: '恢复', exact: true }).click();
  await page.getByLabel('暂停理由').waitFor();
  t.equal((await as(app, clerk, { method: 'GET', url: `/parties/${provider.party.id}` })).json<{ verificationStatus: string }>().verificationStatus, 'verified', 'reinstated');

  // The listing suspended and reinstated from its page.
  await open(`/review/listings/${product.id}`);
  await page.getByLabel('暂停理由').fill('来源待核实');
  await page.getByRole('button', { name: '暂停', exact: true }).click();
  await page.getByText('该数据产品已被暂停。', { exact: false }).waitFor();
  t.equal((await as(app, clerk, { method: 'GET', url: `/catalog/listings/${product.id}` })).json<{ status: string }>().status, 'suspended', 'the listing is off sale');
  await checkAccessibility(t, page, 'listing suspended');
  await nav.getByRole('link', { name: '监管概览' }).click();
  await page.getByRole('row', { name: /已暂停的数据产品/ }).getByRole('link', { name: `数据产品 ${product.id.slice(0, 8)}` }).click();
  await page.getByLabel('恢复理由').fill('来源已核实');
  await page.getByRole('button', { name: '恢复', exact: true }).click();
  await page.getByLabel('暂停理由').waitFor();
  t.equal((await as(app, clerk, { method: 'GET', url: `/catalog/listings/${product.id}` })).json<{ status: string }>().status, 'listed', 'back on sale');

  // The audit log: the suspensions by their family of actions, and one's receipt checked.
  await nav.getByRole('link', { name: '审计日志' }).click();
  await page.getByRole('heading', { level: 1, name: '审计日志' }).waitFor();
  await page.getByLabel('操作', { exact: true }).fill('party.*');
  await page.getByRole('button', { name: '查询' }).click();
  const events = page.getByRole('table', { name: /^审计记录/ });
  // The list shows every event before the query answers: read it until the filtered one is there.
  const actions = () => events.locator('tbody td:nth-child(2)').allTextContents();
  const onlyParty = (a: string[]) => a.includes('party.suspended') && a.includes('party.reinstated') && a.every((action) => action.startsWith('party.'));
  await sameOnceSettled(t, async () => onlyParty(await actions()), true, "the party's events, and only those");
  await checkAccessibility(t, page, 'audit log');
  await screenshot(page, 'operator-duties', 'audit-log');
  await events.getByRole('link', { name: /^核验回执：party\.suspended/ }).click();
  await page.getByRole('heading', { level: 1, name: '回执核验' }).waitFor();
  await page.getByRole('button', { name: '从服务器获取公钥' }).click();
  await page.getByRole('button', { name: '核验', exact: true }).click();
  await page.getByText(/^回执有效：/).waitFor();
  t.pass('the suspension’s receipt checks in the browser');
  // What concerns the provider, from its page: the events about it, whoever acted.
  await open(`/review/parties/${provider.party.id}`);
  await page.getByRole('link', { name: '该主体的审计记录' }).click();
  const concernsProvider = (a: string[]) => a.includes('party.suspended') && a.includes('order.placed');
  await sameOnceSettled(t, async () => concernsProvider(await actions()), true, 'the events that concern the provider');

  // Exports: the payouts of this month as CSV, the audit events as an Excel workbook.
  await nav.getByRole('link', { name: '数据导出' }).click();
  await page.getByRole('heading', { level: 1, name: '数据导出' }).waitFor();
  await checkAccessibility(t, page, 'exports');
  await page.getByLabel('导出内容').selectOption('payouts');
  const [csvFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载导出文件' }).click()]);
  t.match(csvFile.suggestedFilename(), /^payouts-\d{4}-\d{2}-01-\d{4}-\d{2}-\d{2}\.csv$/);
  const csvText = (await bytesOf(await csvFile.createReadStream())).toString('utf8');
  t.match(csvText, /抵扣（元）/, 'the payouts with their columns');
  t.match(csvText, /CQB-PAYOUT-0001/, 'including the one recorded');
  await page.getByLabel('导出内容').selectOption('audit-events');
  await page.getByLabel('Excel 工作簿（XLSX）').check();
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载导出文件' }).click()]);
  t.equal((await bytesOf(await xlsx.createReadStream())).subarray(0, 2).toString('latin1'), 'PK', 'an XLSX workbook (a zip)');
  await page.getByText(/^已保存 audit-events-.*\.xlsx。$/).waitFor();

  // English on request.
  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Settlement' }).click();
  await page.getByRole('heading', { level: 1, name: 'Settlement' }).waitFor();
  t.ok(await shows(page.getByRole('table', { name: /^Payouts paid/ })), 'the settlement page in English');
  await checkAccessibility(t, page, 'settlement (English)');

  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});

async function bytesOf(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
