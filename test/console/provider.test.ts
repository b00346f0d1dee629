import { createHash } from 'node:crypto';
import t from 'tap';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { approve, listedProduct, sampleListing } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot, sameOnceSettled, shows } from '../helpers/console.js';
import { bankReference, signInThroughPage } from '../helpers/console-trade.js';
import { contentHash, signAs } from '../helpers/agreements.js';
import { recordReceipt } from '../helpers/settlement.js';
import { verifiedUser } from '../helpers/trading.js';

/**
 * The provider's journey through the pages, in a real browser: a data product drafted, its
 * evidence and dataset uploaded, the version chosen, provenance and ground declared, submitted;
 * once approved (by an operator, through the API), a new revision with a new dataset version
 * submitted again. Then an order of an API-delivered product that waits for the provider's
 * approval: the provider answers with other terms, records the delivery by hand with its SHA-256,
 * and sees its payout. The buyer's and operator's steps are taken through the API.
 */

t.test('a provider drafts, documents, uploads, submits and revises a listing, and answers, delivers and is paid for an order', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const buyer = await verifiedUser(app, ['buyer'], clerk);

  const { page, open, pageErrors } = await openConsole(t, app);
  await signInThroughPage({ page, open }, provider.user);
  const nav = page.getByRole('navigation', { name: '主导航' });
  await sameOnceSettled(t, () => nav.getByRole('link').allTextContents(), ['通知', '我的主体', '数据目录', '订单', '回执核验', '我的数据产品', '开放数据', '数据申请', '我的放款', '责令改正'], 'the provider’s navigation');

  // A new draft: its content in Chinese, one price in yuan.
  await nav.getByRole('link', { name: '我的数据产品' }).click();
  await page.getByText('还没有数据产品。').waitFor();
  await page.getByRole('link', { name: '新建数据产品' }).click();
  await page.getByRole('heading', { level: 1, name: '新建数据产品' }).waitFor();
  await checkAccessibility(t, page, 'new listing');
  await page.getByLabel('名称（中文）').fill('重庆市出租车行程数据');
  await page.getByLabel('简介（中文）').fill('按区县和小时汇总的出租车行程数，已去标识化。');
  await page.getByLabel('类别').fill('transport');
  await page.getByLabel('标签').fill('出租车，交通');
  await page.getByLabel('数据结构').fill('district | string | 区县\ntrips | integer | 行程数 | 次');
  await page.getByLabel('样例数据', { exact: true }).fill('district,trips\n渝中区,5230\n');
  await page.getByLabel('起始日期').fill('2025-01-01');
  await page.getByLabel('覆盖地域').fill('重庆市');
  await page.getByLabel('允许的用途').fill('交通规划研究');
  await page.getByLabel('方案名称').fill('一次性购买');
  await page.getByLabel('金额（元）').fill('8,000');
  await page.getByRole('button', { name: '保存草稿' }).click();
  await page.getByRole('heading', { level: 1, name: '重庆市出租车行程数据' }).waitFor();
  const listingId = new URL(page.url()).pathname.split('/').pop()!;
  const read = async () => (await as(app, provider.user, { method: 'GET', url: `/catalog/listings/${listingId}` })).json<{ status: string; working: { number: number; reviewStatus: string; content: { pricePlans: { amountMinor: number }[]; schema: { fields: { name: string; unit?: string }[] } } } }>();
  t.match((await read()).working, { number: 1, reviewStatus: 'draft', content: { pricePlans: [{ amountMinor: 800_000 }], schema: { fields: [{ name: 'district' }, { name: 'trips', unit: '次' }] } } }, 'the API holds the draft as typed');

  // Evidence and the dataset, uploaded; the version chosen; provenance and ground declared.
  await page.getByLabel('证明材料文件').setInputFiles({ name: '匿名化评估.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% 匿名化评估\n%%EOF\n') });
  await page.getByRole('button', { name: '上传' }).nth(1).click();
  await page.getByLabel(/^匿名化评估\.pdf · /).first().waitFor();
  const data = Buffer.from('district,trips\n渝中区,5230\n江北区,4120\n');
  await page.getByLabel('数据集文件').setInputFiles({ name: 'trips.csv', mimeType: 'text/csv', buffer: data });
  await page.getByRole('button', { name: '上传' }).first().click();
  await page.getByRole('button', { name: '选用数据集版本 1' }).click();
  await page.getByText('已选用').waitFor();
  t.ok(await shows(page.getByText(createHash('sha256').update(data).digest('hex'))), 'the dataset’s SHA-256, as the buyer will check it');
  const provenance = page.locator('form').filter({ has: page.getByRole('heading', { name: '声明数据来源' }) });
  await provenance.getByLabel('采集方式').fill('出租车计价器记录每次行程');
  await provenance.getByLabel('合法性依据').fill('出租车经营许可；乘客上车时告知');
  await provenance.getByLabel('起始日期').fill('2025-01-01');
  await provenance.getByLabel('采集地域').fill('重庆市');
  await provenance.getByLabel('加工处理').fill('删除车牌与乘客信息，按区县和小时汇总');
  await provenance.getByLabel(/^匿名化评估\.pdf · /).check();
  await provenance.getByLabel('所选材料的说明').fill('匿名化评估报告');
  await provenance.getByRole('button', { name: '保存数据来源声明' }).click();
  await page.getByText('出租车计价器记录每次行程', { exact: true }).first().waitFor();
  const ground = page.locator('form').filter({ has: page.getByRole('heading', { name: '声明交易依据（第二十六条）' }) });
  await ground.getByLabel('匿名化方法').fill('按区县和小时汇总，每格不少于 50 次行程');
  await ground.getByLabel('重识别风险评估').fill('不含车牌和乘客标识，无法识别个人');
  await ground.getByLabel(/^匿名化评估\.pdf · /).check();
  await ground.getByLabel('所选材料的说明').fill('匿名化评估报告');
  await ground.getByRole('button', { name: '保存交易依据' }).click();
  await page.getByText('按区县和小时汇总，每格不少于 50 次行程', { exact: true }).first().waitFor();
  await checkAccessibility(t, page, 'my listing');
  await page.getByRole('button', { name: '提交审核' }).click();
  await page.getByText('已提交，等待运营人员审核。').waitFor();
  t.equal((await read()).working.reviewStatus, 'submitted', 'submitted for review');
  await screenshot(page, 'provider', 'listing-submitted');

  // Approved by an operator; then a new revision with a new file.
  await approve(app, clerk, listingId);
  await page.reload();
  await page.getByText('已上架').waitFor();
  await page.getByRole('button', { name: '修改内容' }).click();
  await page.getByLabel('简介（中文）').fill('按区县和小时汇总的出租车行程数，已去标识化，含 2025 年全年。');
  await page.getByRole('button', { name: '保存修改' }).click();
  await page.getByText('第 2 版 · 草稿').waitFor();
  t.ok(await shows(page.getByText('第 1 版', { exact: true })), 'the approved revision stays on sale meanwhile');
  const data2 = Buffer.from('district,trips\n渝中区,5230\n江北区,4120\n南岸区,3900\n');
  await page.getByLabel('数据集文件').setInputFiles({ name: 'trips-2.csv', mimeType: 'text/csv', buffer: data2 });
  await page.getByRole('button', { name: '上传' }).first().click();
  await page.getByRole('button', { name: '选用数据集版本 2' }).click();
  await page.getByRole('row', { name: /trips-2\.csv/ }).getByText('已选用').waitFor();
  await page.getByRole('button', { name: '提交审核' }).click();
  await page.getByText('已提交，等待运营人员审核。').waitFor();
  t.match((await read()), { status: 'listed', working: { number: 2, reviewStatus: 'submitted' } }, 'the new revision waits for review while the first is on sale');
  await nav.getByRole('link', { name: '我的数据产品' }).click();
  await page.getByRole('table', { name: /^本主体的数据产品/ }).getByRole('link', { name: '重庆市出租车行程数据' }).waitFor();
  await checkAccessibility(t, page, 'my listings');

  // An API-delivered product whose orders wait for the provider: it answers with other terms.
  const apiProduct = await listedProduct(app, provider.user, clerk, { deliveryMethod: 'api', licence: { ...sampleListing().licence, approvalRequired: true } });
  const placed = await as(app, buyer.user, { method: 'POST', url: '/orders', payload: { listingId: apiProduct.id, pricePlan: '一次性购买', purpose: '交通规划研究', scenario: '线网优化', safeguards: '加密存储' } });
  const order = placed.json<{ id: string; number: string; status: string }>();
  t.equal(order.status, 'awaiting_provider');
  await open(`/orders/${order.id}`);
  await page.getByRole('heading', { level: 1, name: `订单 ${order.number}` }).waitFor();
  const terms = page.locator('form').filter({ has: page.getByRole('heading', { name: '以新条件答复' }) });
  await terms.getByLabel('金额（元）').fill('4500');
  await terms.getByLabel('说明').fill('首次合作优惠');
  await terms.getByRole('button', { name: '发送条件' }).click();
  await page.getByText('当前： 待买方确认条件').or(page.getByRole('heading', { name: '提供方提出的条件' })).first().waitFor();
  t.match((await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}` })).json(), { status: 'terms_proposed', proposedTerms: { amountMinor: 450_000, note: '首次合作优惠' } }, 'the buyer is offered the terms');
  await checkAccessibility(t, page, 'order with proposed terms');

  // The buyer takes them, both sign, the buyer pays and the money arrives (through the API).
  t.equal((await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/proposed-terms/acceptance` })).statusCode, 200, 'the buyer accepts the terms');
  const agreementId = (await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}` })).json<{ agreement: { id: string } }>().agreement.id;
  const hash = await contentHash(app, buyer.user, agreementId);
  for (const signer of [buyer.user, provider.user]) t.equal((await signAs(app, signer, agreementId, hash)).statusCode, 201, 'signed');
  const reference = await bankReference(app, buyer.user, order.id);
  t.equal((await recordReceipt(app, clerk, reference, 450_000)).statusCode, 201, 'paid');

  // The provider records the API delivery with the SHA-256 of what it gave; the buyer confirms and accepts.
  await page.reload();
  await page.getByRole('heading', { name: '接口或线下交付' }).waitFor();
  const delivered = createHash('sha256').update('api credentials and endpoint for order').digest('hex');
  await page.getByLabel('交付内容与方式').fill('已开通接口账号，密钥当面交付');
  await page.getByLabel('所交付内容的 SHA-256').fill(delivered.toUpperCase());
  await page.getByRole('button', { name: '登记交付' }).click();
  await page.getByText(delivered).waitFor();
  await checkAccessibility(t, page, 'order with a delivery recorded');
  t.equal((await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/receipt` })).statusCode, 200, 'the buyer confirms receipt');
  t.equal((await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/acceptance` })).statusCode, 200, 'and accepts');
  await page.reload();
  await page.getByRole('heading', { name: '向提供方放款' }).waitFor();
  t.match(await page.getByText(/^银行转账 · ¥4,365\.00 · 服务费 ¥135\.00 · 待放款/).textContent(), /待放款/, 'the provider sees its payout due, less the fee');
  await screenshot(page, 'provider', 'order-payout');

  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});
