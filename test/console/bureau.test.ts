import t from 'tap';
import { as, buildTestApp } from '../helpers/app.js';
import { checkAccessibility, consoleBundle, consoleKey, nextPost, noBrowser, openConsole, screenshot, sameOnceSettled, signIn } from '../helpers/console.js';
import { bureauOf, consolidation } from '../helpers/procurement.js';
import { conditionalOpen, department, draftEntry, publishedEntry, submitEntry, uploadDataVersion } from '../helpers/public-data.js';
import { sealedOpenRequest } from '../helpers/public-data-requests.js';
import { fileNeed } from '../helpers/route-world.js';
import { tradingWorld, verifiedUser } from '../helpers/trading.js';

/**
 * The bureau's journey through the pages, in a real browser: an entry of the open list reviewed and
 * published; two departments' needs consolidated into a procurement, ordered as buyer of record and
 * its agreement signed on the order's page; deadlines and duties; the model texts; the copy of a
 * signed utilization agreement read in its inbox, the request's state; the working-day calendar
 * read, and a year loaded from its notice.
 * The departments', the provider's and the applicant's sides are seeded through the API.
 */

t.test('the bureau publishes an entry, consolidates and orders a procurement, reads its inbox and the calendar', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const { clerk, product } = await tradingWorld(app);
  const bureau = await bureauOf(app, clerk);
  const transport = await department(app, clerk);
  const planning = await department(app, clerk);
  await fileNeed(app, transport.user, { title: '公共交通站点客流数据', budgetMinor: 300_000 });
  await fileNeed(app, planning.user, { title: '城市货运车辆轨迹数据', budgetMinor: 200_000 });
  const published = await publishedEntry(app, transport.user, bureau.user, { open: conditionalOpen });
  const applicant = await verifiedUser(app, ['buyer'], clerk);
  const sealed = await sealedOpenRequest(app, transport.user, applicant.user, published.id);
  const spare = await fileNeed(app, transport.user, { title: '出租车运营数据', budgetMinor: 100_000 });
  const draft = await draftEntry(app, planning.user, { title: { zh: '重庆市建设用地供应统计' } });
  await uploadDataVersion(app, planning.user, draft.id);
  await submitEntry(app, planning.user, draft.id);

  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, bureau.user);
  const nav = page.getByRole('navigation', { name: '主导航' });
  await sameOnceSettled(
    t,
    () => nav.getByRole('link').allTextContents(),
    ['通知', '我的主体', '回执核验', '开放目录', '数据申请', '期限与义务', '数据质疑', '开放需求', '集中采购', '协议示范文本', '协议抄送', '工作日历', '开放重点', '部门预算'],
    'the bureau’s navigation',
  );

  // Its review queue: the submitted entry, approved and so published.
  await nav.getByRole('link', { name: '开放目录' }).click();
  await page.getByRole('heading', { level: 1, name: '公共数据开放目录' }).waitFor();
  t.equal(await page.getByLabel('审核状态').inputValue(), 'submitted', 'the bureau starts at its queue');
  await checkAccessibility(t, page, 'review queue');
  await page.getByRole('link', { name: '重庆市建设用地供应统计' }).click();
  await page.getByRole('heading', { level: 1, name: '重庆市建设用地供应统计' }).waitFor();
  await page.getByLabel('通过并发布').check();
  await checkAccessibility(t, page, 'entry review');
  await page.getByRole('button', { name: '提交审核结论' }).click();
  await page.getByText(/ · 审核通过$/).waitFor();
  const entry = (await as(app, planning.user, { method: 'GET', url: `/public-data/entries/${draft.id}` })).json<{ publishedAt: string | null }>();
  t.ok(entry.publishedAt, 'the API published the entry');

  // Central procurement: both needs consolidated into one procurement, then ordered.
  await nav.getByRole('link', { name: '集中采购' }).click();
  await page.getByRole('heading', { level: 1, name: '集中采购' }).waitFor();
  await page.getByLabel(/^公共交通站点客流数据/).check();
  await page.getByLabel(/^城市货运车辆轨迹数据/).check();
  t.match(await page.getByText(/^公共交通站点客流数据/).textContent(), /¥3,000\.00/, 'each need with its budget in yuan');
  await page.getByLabel('数据产品编号').fill(product.id);
  await page.getByLabel('价格方案名称').fill('一次性购买');
  await page.getByLabel('用途', { exact: true }).fill('交通规划研究');
  await page.getByLabel('应用场景').fill('全市公共交通线网与物流园区规划');
  await page.getByLabel('安全保障措施').fill('政务专网存储，按岗位授权访问');
  await checkAccessibility(t, page, 'procurement');
  await page.getByRole('button', { name: '汇总为采购项目' }).click();
  await page.getByRole('heading', { level: 1, name: /^采购项目 PRC-/ }).waitFor();
  const track = page.getByRole('navigation', { name: '采购进度' });
  t.equal(await track.locator('[aria-current="step"]').textContent(), '当前： 草稿', 'a draft procurement');
  const shares = page.getByRole('table', { name: '各部门分摊' });
  t.match(await shares.textContent(), /¥3,000\.00.*¥2,000\.00/, 'the price shared in proportion to the needs’ budgets');
  await shares.getByRole('rowheader', { name: transport.party.legalName, exact: true }).waitFor();
  t.match(await shares.getByRole('row', { name: new RegExp(planning.party.legalName) }).textContent(), /¥2,000\.00/, 'each department by its name');
  const ordering = nextPost(page, /^\/procurement\/procurements\/[^/]+\/order$/);
  await page.getByRole('button', { name: '下单' }).click();
  t.match((await ordering).headers()['idempotency-key'], consoleKey, 'the order is placed under an Idempotency-Key: a second click orders once');
  await track.getByText('当前： 已下单').waitFor();
  const steps = page.getByRole('table', { name: '采购步骤' });
  await sameOnceSettled(t, () => steps.locator('tbody th').allTextContents(), ['汇总需求', '下单'], 'its steps, each with a receipt');
  t.equal(await steps.getByRole('link', { name: '核验回执：下单' }).count(), 1, 'the ordering’s receipt linked to the checker');
  await checkAccessibility(t, page, 'procurement ordered');
  await screenshot(page, 'bureau', 'procurement-ordered');

  // The order it placed as buyer of record: the central procurement agreement, signed in the page.
  await page.getByRole('link', { name: '查看订单、签署协议与付款' }).click();
  await page.getByRole('heading', { name: /^集中采购协议 CPA-/ }).waitFor();
  await page.getByLabel('登录密码').fill(bureau.user.password);
  await page.getByRole('button', { name: '签署协议' }).click();
  await page.getByText('我方已签署，等待对方签署。').waitFor();
  await checkAccessibility(t, page, 'procurement order');

  // A second procurement, consolidated through the API, cancelled in the page with its reason.
  const second = (await as(app, bureau.user, { method: 'POST', url: '/procurement/procurements', payload: consolidation([spare.id], product.id) })).json<{ id: string }>();
  await session.open(`/procurement/procurements/${second.id}`);
  await page.getByLabel('取消理由').fill('需求已通过数据共享满足');
  await page.getByRole('button', { name: '取消采购项目' }).click();
  await track.getByText('当前： 已取消').waitFor();
  const cancelled = (await as(app, bureau.user, { method: 'GET', url: `/procurement/procurements/${second.id}` })).json<{ status: string; cancelReason: string }>();
  t.match(cancelled, { status: 'cancelled', cancelReason: '需求已通过数据共享满足' }, 'the API holds the cancellation');

  // Deadlines and duties across departments.
  await nav.getByRole('link', { name: '期限与义务' }).click();
  await page.getByRole('heading', { level: 1, name: '期限与义务' }).waitFor();
  await page.getByText('没有期限暂定的申请。').waitFor();
  await page.getByRole('heading', { level: 2, name: '责令改正记录（第六十四条）' }).waitFor();
  await checkAccessibility(t, page, 'duties');

  // The model texts, every kind.
  await nav.getByRole('link', { name: '协议示范文本' }).click();
  await page.getByRole('heading', { level: 1, name: '协议示范文本' }).waitFor();
  const modelTexts = page.getByRole('table', { name: /^示范文本/ });
  // The heading shows before the texts have loaded.
  await modelTexts.locator('tbody tr').first().waitFor();
  const kinds = await modelTexts.locator('tbody td:nth-child(2)').allTextContents();
  t.same([...new Set(kinds)].sort(), ['政务数据利用协议', '数据交易协议', '集中采购协议'].sort(), 'a model text of every kind');
  await checkAccessibility(t, page, 'model texts');
  await page.getByLabel('示范文本全文').fill('不是示范文本的格式');
  const publishing = nextPost(page, '/agreement-model-texts');
  await page.getByRole('button', { name: '发布', exact: true }).click();
  t.match((await publishing).headers()['idempotency-key'], consoleKey, 'a model text is published under an Idempotency-Key');
  await page.getByRole('alert').waitFor();
  t.equal((await as(app, bureau.user, { method: 'GET', url: '/agreement-model-texts' })).json<unknown[]>().length, kinds.length, 'a text that is not a model text is refused: nothing published');

  // The copy of the signed utilization agreement, read; the request's page.
  await nav.getByRole('link', { name: '协议抄送' }).click();
  await page.getByRole('heading', { level: 1, name: '利用协议抄送' }).waitFor();
  await page.getByRole('button', { name: /^将协议 GDU-.* 标为已读$/ }).waitFor();
  await checkAccessibility(t, page, 'agreement inbox');
  await screenshot(page, 'bureau', 'agreement-inbox');
  await page.getByRole('button', { name: /^将协议 GDU-.* 标为已读$/ }).click();
  await page.getByRole('button', { name: /^将协议 GDU-.* 标为已读$/ }).waitFor({ state: 'detached' });
  const inbox = (await as(app, bureau.user, { method: 'GET', url: '/bureau/agreement-inbox?unread=true' })).json<{ items: unknown[] }>();
  t.same(inbox.items, [], 'the API holds the copy as read');
  await session.open(`/public-data/requests/${sealed.id}`);
  await page.getByRole('heading', { level: 1, name: '有条件开放申请' }).waitFor();
  // Approved, its agreement sealed: the request's sweep moves it on along its term.
  t.equal(await page.getByRole('navigation', { name: '申请进度' }).locator('[aria-current="step"]').textContent(), '当前： 已同意', 'the request’s state');
  await page.getByRole('heading', { level: 2, name: /^政务数据利用协议 GDU-/ }).waitFor();
  await page.locator('dd', { hasText: /^已签署$/ }).waitFor();
  await page.getByText('申请的各步骤及其回执由申请方和受理部门持有。').waitFor();
  await checkAccessibility(t, page, 'request (bureau)');

  // The working-day calendar: the years, and one year's holidays and make-up working days.
  await nav.getByRole('link', { name: '工作日历' }).click();
  await page.getByRole('heading', { level: 1, name: '工作日历' }).waitFor();
  await checkAccessibility(t, page, 'calendar');
  await page.getByRole('link', { name: '2026', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: '2026 年工作日历' }).waitFor();
  const days = page.getByRole('table', { name: '节假日与调休上班日' });
  t.match(await days.textContent(), /2026\/10\/01放假国庆节/, 'National Day is a holiday');
  t.match(await days.textContent(), /调休上班/, 'with its make-up working days');
  await checkAccessibility(t, page, 'calendar year');
  await screenshot(page, 'bureau', 'calendar-2026');

  // A year loaded from its notice: a make-up working day on a weekday is refused, naming the line.
  await page.getByRole('link', { name: '返回工作日历' }).click();
  await page.getByRole('heading', { level: 2, name: '载入年度节假日安排' }).waitFor();
  await page.getByLabel('年份').fill('2099');
  await page.getByLabel('通知文号').fill('国办发明电〔2098〕1号');
  await page.getByLabel('节假日与调休上班日').fill('2099-01-01, holiday, 元旦\n2099-01-02, holiday, 元旦\n2099-01-05, workday, 元旦');
  await page.getByRole('button', { name: '载入', exact: true }).click();
  t.match(await page.getByRole('alert').textContent(), /\/body\/days\/2/, 'the API names the day at fault');
  await page.getByLabel('节假日与调休上班日').fill('2099-01-01, holiday, 元旦\n2099-01-02, holiday, 元旦\n2099-01-04, workday, 元旦');
  await page.getByRole('button', { name: '载入', exact: true }).click();
  await page.getByText(/^已载入 2099 年第 \d+ 版，重新计算了 0 个期限。$/).waitFor();
  await page.getByRole('link', { name: '2099', exact: true }).waitFor();
  await checkAccessibility(t, page, 'calendar loaded');
  const loaded = (await as(app, bureau.user, { method: 'GET', url: '/calendar/years/2099' })).json<{ notice: { reference: string }; holidays: number; workdays: number }>();
  t.match(loaded, { notice: { reference: '国办发明电〔2098〕1号' }, holidays: 2, workdays: 1 }, 'the API holds the year');

  t.same(pageErrors, [], 'no script or CSP error in the page');
});
