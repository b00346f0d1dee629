import { createHash } from 'node:crypto';
import type { Locator } from 'playwright-core';
import t from 'tap';
import { deliverNotifications } from '../../src/modules/notifications/notifier.js';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { listedProduct, sampleListing } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, fieldValue, noBrowser, openConsole, screenshot, sameOnceSettled, shows } from '../helpers/console.js';
import { createVerifiedParty, registerParty } from '../helpers/identity.js';
import { verifiedUser } from '../helpers/trading.js';

/**
 * The trade through the pages. The buyer's journey, in a real browser: signing in, choosing which of its
 * parties it acts for, finding a listing by a Chinese word, reading its provenance, ordering it
 * with a purpose and a scenario, following the order's state and steps, reading the agreement's
 * PDF in the page and signing it, paying by bank transfer, downloading the declared bytes and
 * accepting them, checking a step's receipt in the browser, reading its notifications. The
 * operator's pages stay closed to it. The provider's and the operator's sides are seeded through
 * the API. Then a provider approves an order that waits for it.
 */

t.test('a buyer finds a listing by a Chinese word, orders it for the party it chose, and follows the order', { skip: noBrowser }, async (t) => {
  // Access tokens that live 61 s: the console refreshes a minute before expiry, so this journey
  // refreshes its token along the way (each refresh token works once), as a long session does.
  const app = await buildTestApp(t, { accessTokenTtlSeconds: 61 }, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const ridership = await listedProduct(app, provider.user, clerk);
  await listedProduct(app, provider.user, clerk, {
    title: { zh: '重庆市空气质量监测数据', en: 'Chongqing air quality readings' },
    description: { zh: '各监测站每小时的空气质量指数。', en: 'Hourly air quality index per station.' },
    category: 'environment',
    tags: ['空气', 'air'],
    licence: { ...sampleListing().licence, allowedPurposes: ['环境研究'] },
  });
  const buyer = await signUp(app, ['buyer'], 'buyer');
  const party = await createVerifiedParty(app, buyer, clerk);
  const other = await registerParty(app, buyer);

  const { page, open, reload, pageErrors } = await openConsole(t, app);
  const requests: { url: string; headers: Record<string, string> }[] = [];
  page.on('request', (r) => requests.push({ url: r.url(), headers: r.headers() }));
  await open('/sign-in');
  await page.getByLabel('电子邮箱').fill(buyer.email);
  await page.getByLabel('密码').fill(buyer.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { level: 1, name: '通知' }).waitFor();

  // Two parties: the buyer chooses which one it acts for.
  const acting = page.getByLabel('代表主体');
  t.equal(await acting.inputValue(), '', 'with two parties, none is chosen for the user');
  t.same((await acting.locator('option').allTextContents()).slice(1).sort(), [`${party.legalName} (已核验)`, `${other.legalName} (未提交)`].sort(), 'the user’s parties, with their standing');
  await acting.selectOption(party.id);

  // The operator's pages are not the buyer's: not in its navigation, closed by address, refused by the API.
  const nav = page.getByRole('navigation', { name: '主导航' });
  await sameOnceSettled(t, () => nav.getByRole('link').allTextContents(), ['通知', '我的主体', '数据目录', '订单', '回执核验', '开放数据', '数据申请', '责令改正'], 'the buyer’s navigation');
  await open('/review/parties');
  await page.getByRole('heading', { level: 1, name: '无权访问' }).waitFor();
  t.equal((await as(app, buyer, { method: 'GET', url: '/parties?status=submitted' })).statusCode, 403, 'and the API refuses it anyway');

  // The catalog, searched in Chinese.
  await open('/catalog');
  await page.getByRole('heading', { level: 1, name: '数据目录' }).waitFor();
  await page.getByLabel('关键词').fill('客流');
  await page.getByRole('button', { name: '搜索' }).click();
  const results = page.getByRole('list', { name: '搜索结果' });
  await results.waitFor();
  await sameOnceSettled(t, () => results.getByRole('link').allTextContents(), ['重庆市公共交通客流数据'], 'the word finds the ridership data, not the air quality');
  t.match(await results.textContent(), /¥5,000\.00 起/, 'the price in yuan, with separators');
  await checkAccessibility(t, page, 'catalog search');
  await page.getByLabel('关键词').fill('');
  await page.getByLabel('类别').fill('environment');
  await page.getByRole('button', { name: '搜索' }).click();
  await results.getByRole('link', { name: '重庆市空气质量监测数据' }).waitFor();
  await sameOnceSettled(t, () => results.getByRole('link').count(), 1, 'a filter by category');

  // The listing's page: what it is and where it comes from; then the order.
  await page.getByLabel('类别').fill('');
  await page.getByLabel('关键词').fill('客流');
  await page.getByRole('button', { name: '搜索' }).click();
  await results.getByRole('link', { name: '重庆市公共交通客流数据' }).click();
  await page.getByRole('heading', { level: 1, name: '重庆市公共交通客流数据' }).waitFor();
  for (const heading of ['数据来源声明', '数据血缘', '第二十六条交易依据', '许可条件', '价格方案']) t.ok(await page.getByRole('heading', { name: heading }).isVisible(), `the listing shows ${heading}`);
  t.ok(await shows(page.getByText(ridership.version.sha256)), 'and the dataset’s hash the buyer will receive');
  await checkAccessibility(t, page, 'listing');
  await screenshot(page, 'trade', 'listing');
  await page.getByRole('link', { name: '订购' }).click();
  await page.getByRole('heading', { level: 1, name: '订购：重庆市公共交通客流数据' }).waitFor();
  await checkAccessibility(t, page, 'order form');
  t.same(await page.getByLabel('使用目的').locator('option').allTextContents(), ['交通规划研究'], 'only a purpose the licence allows');
  await page.getByLabel('价格方案').selectOption('一次性购买');
  await page.getByLabel('应用场景').fill('优化渝中区公交线网');
  await page.getByLabel('安全保护措施').fill('加密存储，仅规划团队可访问');
  const placing = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/orders');
  await page.getByRole('button', { name: '提交订单' }).click();
  const placed = await placing;
  t.equal(placed.headers()['x-party-id'], party.id, 'the order is placed for the party chosen');
  t.match(placed.headers()['idempotency-key'], /^console-[0-9a-f-]{36}$/, 'with an Idempotency-Key, so a retry is the same order');

  // The order's page: its state on the way, its steps, each with a receipt.
  const heading = page.getByRole('heading', { level: 1, name: /^订单 / });
  await heading.waitFor();
  const orderId = new URL(page.url()).pathname.split('/').pop()!;
  const order = (await as(app, buyer, { method: 'GET', url: `/orders/${orderId}`, headers: party.headers })).json<{ number: string; status: string; buyerPartyId: string; purpose: string; scenario: string; createdAt: string }>();
  t.match(order, { buyerPartyId: party.id, purpose: '交通规划研究', scenario: '优化渝中区公交线网', status: 'agreement_pending' }, 'the API holds the order as stated');
  t.equal(await heading.textContent(), `订单 ${order.number}`);
  t.equal(await page.locator('[aria-current="step"]').textContent(), '当前： 待签署协议', 'the state track marks where the order is');
  const shanghai = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(order.createdAt));
  t.ok(await shows(page.getByText(`${shanghai} (北京时间)`).first()), `times in Asia/Shanghai (${shanghai}), though the browser is in New York`);
  t.ok(await shows(page.getByText('¥5,000.00')), 'the amount in yuan');
  const steps = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: '回执' }) });
  t.same((await steps.locator('tbody th').allTextContents()).slice(0, 3), ['下单', '接受订单', '生成协议草稿'], 'the steps the API recorded, in order');
  await checkAccessibility(t, page, 'order');
  await screenshot(page, 'trade', 'order');

  // The agreement, read in the page and signed; the provider signs too (through the API).
  const agreementId = (await as(app, buyer, { method: 'GET', url: `/orders/${orderId}`, headers: party.headers })).json<{ agreement: { id: string } }>().agreement.id;
  const agreement = (await as(app, buyer, { method: 'GET', url: `/agreements/${agreementId}`, headers: party.headers })).json<{ number: string; contentSha256: string }>();
  await page.getByRole('button', { name: '在页面中查看协议 PDF' }).click();
  const frame = page.getByTitle(`交易协议 ${agreement.number} 的 PDF`);
  await frame.waitFor({ state: 'attached' });
  t.match(await frame.getAttribute('src'), /^blob:/, 'the PDF is shown in the page, from the bytes the API sent');
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '保存 PDF' }).click()]);
  t.equal(sha256(await bytesOf(await pdf.createReadStream())), agreement.contentSha256, 'the draft shown is the one whose hash is signed');
  // Chromium's PDF viewer takes the focus once it has loaded the file: type after that.
  await (await (await frame.elementHandle())!.contentFrame())!.waitForLoadState('load');
  await fillSurely(page.getByLabel('登录密码'), buyer.password);
  // Signed from the keyboard: Enter in the password field submits the form.
  await page.getByLabel('登录密码').press('Enter');
  await page.getByText('我方已签署，等待对方签署。').waitFor();
  const providerSigns = await as(app, provider.user, { method: 'POST', url: `/agreements/${agreementId}/signatures`, payload: { contentSha256: agreement.contentSha256, password: provider.user.password } });
  t.equal(providerSigns.statusCode, 201, 'the provider signs; the agreement is sealed');

  // Payment by bank transfer: the instructions in the page; the exchange's bank receives it.
  await reload();
  await page.getByText('当前： 待付款').waitFor();
  await page.getByRole('button', { name: '以银行转账付款' }).click();
  const reference = (await page.getByRole('status').filter({ hasText: '附言（付款编号）' }).locator('code').last().textContent())!;
  t.match(reference, /^DX-/, `the reference to quote (${reference}), with the exchange's account`);
  t.ok(await shows(page.getByText('6222 0000 1111 2222')), 'the escrow account');
  const received = await as(app, clerk, { method: 'POST', url: '/settlement/bank-receipts', payload: { reference, amountMinor: 500000, currency: 'CNY', bankReference: 'CQB-TEST-0001' } });
  t.equal(received.statusCode, 201, `the operator records the transfer: ${received.body.slice(0, 200)}`);

  // Delivery: exactly the declared bytes, then acceptance.
  await reload();
  const downloadButton = page.getByRole('button', { name: '下载 data.csv' });
  await downloadButton.waitFor();
  const [data] = await Promise.all([page.waitForEvent('download'), downloadButton.click()]);
  t.equal(sha256(await bytesOf(await data.createReadStream())), ridership.version.sha256, 'the buyer receives the bytes whose hash the listing declared');
  await page.getByRole('button', { name: '验收通过' }).click();
  await page.getByText(/当前： (已验收|已完成)/).waitFor();
  t.match((await as(app, buyer, { method: 'GET', url: `/orders/${orderId}`, headers: party.headers })).json(), { status: /^(accepted_by_buyer|completed)$/ }, 'the API holds the acceptance');
  await checkAccessibility(t, page, 'order after delivery');
  await screenshot(page, 'trade', 'order-accepted');

  // A step's receipt, checked in the browser with the log's public key.
  await steps.getByRole('link', { name: '核验回执：下单' }).click();
  await page.getByRole('heading', { level: 1, name: '回执核验' }).waitFor();
  const receipt = page.getByLabel('回执（JSON）');
  await fieldValue(receipt, /dx-audit-receipt\/v1/);
  await page.getByRole('button', { name: '从服务器获取公钥' }).click();
  await fieldValue(page.getByLabel('日志公钥'), /^[^+\s]+\+[0-9a-f]{8}\+/);
  await page.getByRole('button', { name: '核验', exact: true }).click();
  await page.getByText(/^回执有效：记录 \d+ 包含在已签名的 \d+ 条记录的日志中。$/).waitFor();
  t.ok(await shows(page.getByText('order.placed')), 'the receipt proves the placing of the order');
  await checkAccessibility(t, page, 'receipt checker');
  const genuine = await receipt.inputValue();
  await receipt.fill(genuine.replace(/"leafIndex": (\d+)/, (_, n: string) => `"leafIndex": ${Number(n) + 1}`));
  await page.getByRole('button', { name: '核验', exact: true }).click();
  await page.getByText(/^回执无效：(包含证明|记录位置)未通过。$/).waitFor();
  t.pass('a receipt changed by one leaf fails in the browser');

  // Notifications: what waits for the party, read one by one.
  await deliverNotifications(app.db);
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '通知' }).click();
  await page.getByRole('heading', { level: 1, name: '通知' }).waitFor();
  const notices = page.getByRole('list', { name: '通知' });
  await notices.waitFor();
  const unreadBefore = (await as(app, buyer, { method: 'GET', url: '/me/notifications' })).json<{ unread: number }>().unread;
  t.ok(unreadBefore >= 2, `the party’s notifications (${unreadBefore} unread)`);
  await page.getByText(`未读 ${unreadBefore} 条`).waitFor();
  await notices.getByRole('link', { name: new RegExp(order.number) }).first().waitFor();
  await notices.getByRole('button', { name: /^将“.*”标为已读$/ }).first().click();
  await page.getByText(`未读 ${unreadBefore - 1} 条`).waitFor();
  t.equal((await as(app, buyer, { method: 'GET', url: '/me/notifications' })).json<{ unread: number }>().unread, unreadBefore - 1, 'marked read in the API');
  await checkAccessibility(t, page, 'notifications (buyer)');

  // English on request: the same order in English words, the money in yuan still.
  await page.getByLabel('语言').selectOption('en');
  await open(`/orders/${orderId}`);
  await page.getByRole('heading', { level: 1, name: `Order ${order.number}` }).waitFor();
  t.match(await page.locator('.status-line strong').textContent(), /^(accepted by the buyer|completed)$/, 'the status in English');
  t.ok(await shows(page.getByText('CN¥5,000.00', { exact: true })), 'yuan, with English separators');

  t.ok(requests.some((r) => r.url.endsWith('/auth/refresh')), 'the access token was refreshed before it expired');
  t.ok(requests.filter((r) => new URL(r.url).pathname !== '/auth/refresh' && !new URL(r.url).pathname.startsWith('/console')).every((r) => /^(zh-CN|en)\b/.test(r.headers['accept-language'] ?? '')), 'every API call says the language');
  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});

t.test('a provider approves, through its orders page, an order that waits for it', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const buyer = await verifiedUser(app, ['buyer'], clerk);
  const product = await listedProduct(app, provider.user, clerk, { licence: { ...sampleListing().licence, approvalRequired: true } });
  const placed = await as(app, buyer.user, { method: 'POST', url: '/orders', payload: { listingId: product.id, pricePlan: '一次性购买', purpose: '交通规划研究', scenario: '线网优化', safeguards: '加密存储' } });
  const order = placed.json<{ id: string; number: string; status: string }>();
  t.equal(order.status, 'awaiting_provider', 'the licence asks for the provider’s approval');

  const { page, open, pageErrors } = await openConsole(t, app);
  await open('/sign-in');
  await page.getByLabel('电子邮箱').fill(provider.user.email);
  await page.getByLabel('密码').fill(provider.user.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { level: 1, name: '通知' }).waitFor();
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '订单' }).click();
  const sales = page.getByRole('table', { name: '我方出售的订单' });
  await sales.getByRole('link', { name: order.number }).click();
  await page.getByRole('heading', { level: 1, name: `订单 ${order.number}` }).waitFor();
  t.equal(await page.locator('[aria-current="step"]').textContent(), '当前： 待提供方批准', 'the track shows the detour through the provider’s approval');
  await checkAccessibility(t, page, 'order awaiting the provider');
  await page.getByRole('button', { name: '批准订单' }).click();
  await page.getByText('当前： 待签署协议').waitFor();
  t.equal((await as(app, provider.user, { method: 'GET', url: `/orders/${order.id}` })).json<{ status: string }>().status, 'agreement_pending', 'approved: the agreement is drafted');
  await page.getByLabel('登录密码').waitFor();
  t.pass('and the provider’s admin can sign it next');
  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});

/** Types into a field until it holds the text (a viewer that takes the focus midway loses it). */
async function fillSurely(control: Locator, text: string): Promise<void> {
  for (let attempt = 0; attempt < 5 && (await control.inputValue()) !== text; attempt++) {
    await control.fill(text);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The control's value once it matches: a field the page fills from the API. */
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function bytesOf(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
