import type { Locator } from 'playwright-core';
import t from 'tap';
import { deliverNotifications } from '../../src/modules/notifications/notifier.js';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { listedProduct, sampleListing } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot } from '../helpers/console.js';
import { createVerifiedParty, registerParty } from '../helpers/identity.js';
import { verifiedUser } from '../helpers/trading.js';

/**
 * The buyer's journey through the pages, in a real browser: signing in, choosing which of its
 * parties it acts for, finding a listing by a Chinese word, reading its provenance, ordering it
 * with a purpose and a scenario, following the order's state and steps, checking a step's receipt
 * in the browser, reading its notifications. The operator's pages stay closed to it. The provider's
 * side is seeded through the API.
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

  const { page, open, pageErrors } = await openConsole(t, app);
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
  t.same(await nav.getByRole('link').allTextContents(), ['通知', '数据目录', '订单', '回执核验'], 'the buyer’s navigation');
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
  t.same(await results.getByRole('link').allTextContents(), ['重庆市公共交通客流数据'], 'the word finds the ridership data, not the air quality');
  t.match(await results.textContent(), /¥5,000\.00 起/, 'the price in yuan, with separators');
  await checkAccessibility(t, page, 'catalog search');
  await page.getByLabel('关键词').fill('');
  await page.getByLabel('类别').fill('environment');
  await page.getByRole('button', { name: '搜索' }).click();
  await results.getByRole('link', { name: '重庆市空气质量监测数据' }).waitFor();
  t.equal(await results.getByRole('link').count(), 1, 'a filter by category');

  // The listing's page: what it is and where it comes from; then the order.
  await page.getByLabel('类别').fill('');
  await page.getByLabel('关键词').fill('客流');
  await page.getByRole('button', { name: '搜索' }).click();
  await results.getByRole('link', { name: '重庆市公共交通客流数据' }).click();
  await page.getByRole('heading', { level: 1, name: '重庆市公共交通客流数据' }).waitFor();
  for (const heading of ['数据来源声明', '数据血缘', '第二十六条交易依据', '许可条件', '价格方案']) t.ok(await page.getByRole('heading', { name: heading }).isVisible(), `the listing shows ${heading}`);
  t.ok(await page.getByText(ridership.version.sha256).isVisible(), 'and the dataset’s hash the buyer will receive');
  await checkAccessibility(t, page, 'listing');
  await screenshot(page, 'buyer', 'listing');
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
  t.ok(await page.getByText(`${shanghai} (北京时间)`).first().isVisible(), `times in Asia/Shanghai (${shanghai}), though the browser is in New York`);
  t.ok(await page.getByText('¥5,000.00').isVisible(), 'the amount in yuan');
  const steps = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: '回执' }) });
  t.same((await steps.locator('tbody th').allTextContents()).slice(0, 3), ['下单', '接受订单', '生成协议草稿'], 'the steps the API recorded, in order');
  await checkAccessibility(t, page, 'order');
  await screenshot(page, 'buyer', 'order');

  // A step's receipt, checked in the browser with the log's public key.
  await steps.getByRole('link', { name: '核验回执：下单' }).click();
  await page.getByRole('heading', { level: 1, name: '回执核验' }).waitFor();
  const receipt = page.getByLabel('回执（JSON）');
  await valueOf(receipt, /dx-audit-receipt\/v1/);
  await page.getByRole('button', { name: '从服务器获取公钥' }).click();
  await valueOf(page.getByLabel('日志公钥'), /^[^+\s]+\+[0-9a-f]{8}\+/);
  await page.getByRole('button', { name: '核验', exact: true }).click();
  await page.getByText(/^回执有效：记录 \d+ 包含在已签名的 \d+ 条记录的日志中。$/).waitFor();
  t.ok(await page.getByText('order.placed').isVisible(), 'the receipt proves the placing of the order');
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
  t.ok(await page.getByText('agreement to sign').first().isVisible(), 'the status in English');
  t.ok(await page.getByText('CN¥5,000.00').isVisible(), 'yuan, with English separators');

  t.ok(requests.some((r) => r.url.endsWith('/auth/refresh')), 'the access token was refreshed before it expired');
  t.ok(requests.filter((r) => new URL(r.url).pathname !== '/auth/refresh' && !new URL(r.url).pathname.startsWith('/console')).every((r) => /^(zh-CN|en)\b/.test(r.headers['accept-language'] ?? '')), 'every API call says the language');
  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});

/** The control's value once it matches: a field the page fills from the API. */
async function valueOf(control: Locator, pattern: RegExp): Promise<string> {
  for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((r) => setTimeout(r, 50))) {
    const value = await control.inputValue();
    if (pattern.test(value)) return value;
  }
  throw new Error(`the field never held ${pattern}`);
}
