import t from 'tap';
import { as, buildTestApp } from '../helpers/app.js';
import { checkAccessibility, consoleBundle, consoleKey, nextPost, noBrowser, openConsole, screenshot, sameOnceSettled, signIn, fieldValue, shows } from '../helpers/console.js';
import { raiseDemand, raiseObjection } from '../helpers/objections.js';
import { department, publishedEntry } from '../helpers/public-data.js';
import { applyFor, requestWorld, shanghaiDaysFromNow, signAgreementOf } from '../helpers/public-data-requests.js';

/**
 * A department's journey through the pages, in a real browser: its open list, a new entry drafted
 * with its data and submitted; a request for its conditionally open data, extended on its head's
 * approval and approved before its deadline, its state diagram and its steps each with a receipt
 * the browser checks; its deadlines and duties; an objection and a demand answered. The applicant's
 * side and the bureau's review are seeded through the API.
 */

t.test('a department drafts an entry, answers a request before its deadline and answers an objection and a demand', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const { clerk, bureau, dept, applicant, entry } = await requestWorld(app);
  const otherDept = await department(app, clerk);
  const otherEntry = await publishedEntry(app, otherDept.user, bureau);
  const request = await applyFor(app, applicant, [entry.id]);
  const objection = await raiseObjection(app, applicant, entry.id);
  await raiseDemand(app, applicant, dept.party.id);

  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, dept.user);
  const nav = page.getByRole('navigation', { name: '主导航' });
  await sameOnceSettled(t, () => nav.getByRole('link').allTextContents(), ['通知', '我的主体', '回执核验', '开放目录', '数据申请', '期限与义务', '数据质疑', '开放需求', '集中采购', '开放数据'], 'the department’s navigation');

  // The open list: the published entry, then a new one drafted, given its data and submitted.
  await nav.getByRole('link', { name: '开放目录' }).click();
  await page.getByRole('heading', { level: 1, name: '公共数据开放目录' }).waitFor();
  await page.getByRole('table', { name: '目录条目（1 条）' }).getByText('已发布').waitFor();
  await checkAccessibility(t, page, 'open list');
  await page.getByRole('link', { name: '新建目录条目' }).click();
  await page.getByRole('heading', { level: 1, name: '新建目录条目' }).waitFor();
  await page.getByLabel('名称（中文）').fill('重庆市出租车运营里程统计');
  await page.getByLabel('摘要').fill('按月汇总的全市出租车运营里程。');
  await page.getByLabel('数据字段').fill('month, week, 统计月份\nkilometres, integer, 运营里程（万公里）');
  await page.getByLabel('数据项').fill('统计月份、运营里程');
  await page.getByLabel('开放属性').selectOption('conditional');
  await page.getByLabel('开放条件').fill('仅用于交通规划研究');
  await page.getByLabel('依据名称').fill('重庆市大数据发展管理条例');
  await page.getByLabel('条款').fill('第十七条');
  await checkAccessibility(t, page, 'new entry');
  await page.getByRole('button', { name: '保存草稿' }).click();
  // A field type the API does not know: its problem names the line at fault.
  t.match(await page.getByRole('alert').textContent(), /\/body\/fields\/0\/type/, 'the API names the field at fault');
  await page.getByLabel('数据字段').fill('month, date, 统计月份\nkilometres, integer, 运营里程（万公里）');
  await page.getByRole('button', { name: '保存草稿' }).click();
  await page.getByRole('heading', { level: 1, name: '重庆市出租车运营里程统计' }).waitFor();
  await page.getByRole('button', { name: '修改条目' }).click();
  await page.getByLabel('名称（中文）').fill('重庆市巡游出租车运营里程统计');
  await page.getByRole('button', { name: '保存修改' }).click();
  await page.getByRole('heading', { level: 1, name: '重庆市巡游出租车运营里程统计' }).waitFor();
  await page.getByLabel('数据文件').setInputFiles({ name: 'taxi.csv', mimeType: 'text/csv', buffer: Buffer.from('month,kilometres\n2024-01,5120\n') });
  await page.getByLabel('变更说明').fill('首次发布');
  await page.getByRole('button', { name: '上传数据版本' }).click();
  await page.getByText(/^第 1 版 · taxi\.csv · 30 字节 · 首次发布/).waitFor();
  const submitting = nextPost(page, /^\/public-data\/entries\/[^/]+\/submission$/);
  await page.getByRole('button', { name: '提交审核' }).click();
  t.match((await submitting).headers()['idempotency-key'], consoleKey, 'the submission carries an Idempotency-Key');
  await page.getByText('已提交，等待大数据局审核。').waitFor();
  await checkAccessibility(t, page, 'entry');
  await screenshot(page, 'department', 'entry-submitted');
  const entries = (await as(app, dept.user, { method: 'GET', url: '/public-data/entries?reviewStatus=submitted' })).json<{ items: { title: string }[] }>();
  t.same(entries.items.map((e) => e.title), ['重庆市巡游出租车运营里程统计'], 'the API holds the edited, submitted entry');

  // The request addressed to it, with its deadline; its page with the state diagram.
  await nav.getByRole('link', { name: '数据申请' }).click();
  await page.getByRole('heading', { level: 1, name: '公共数据申请' }).waitFor();
  const list = page.getByRole('table', { name: '申请（1 件）' });
  t.match(await list.textContent(), /已受理.*\(北京时间\)/, 'the request with its state and its deadline in Beijing time');
  await checkAccessibility(t, page, 'requests');
  await list.getByRole('link', { name: request.purpose }).click();
  await page.getByRole('heading', { level: 1, name: '有条件开放申请' }).waitFor();
  const track = page.getByRole('navigation', { name: '申请进度' });
  t.equal(await track.locator('[aria-current="step"]').textContent(), '当前： 已受理', 'the state diagram marks where the request is');
  await checkAccessibility(t, page, 'request received');

  // Extended once on the head's approval, then approved before the deadline.
  await page.getByLabel('延长的工作日数').fill('5');
  await page.getByLabel('批准人姓名').fill('王建国');
  await page.getByLabel('批准人职务').fill('主任');
  await page.getByLabel('延期理由').fill('数据量大，需脱敏复核');
  await page.getByRole('button', { name: '延长期限' }).click();
  await track.getByText('当前： 已延期').waitFor();
  t.notOk(await page.getByRole('button', { name: '延长期限' }).isVisible(), 'a deadline is extended once');
  const extended = (await as(app, dept.user, { method: 'GET', url: `/public-data/requests/${request.id}` })).json<{ deadline: { dueAt: string }; extension: unknown }>();
  t.ok(extended.extension, 'the API holds the extension');
  t.ok(Date.parse(extended.deadline.dueAt) > Date.now(), 'the deadline is still ahead');
  await page.getByLabel('同意', { exact: true }).check();
  await page.getByLabel('期满后的数据处置方式').fill('期满后彻底删除并出具删除证明');
  await page.getByLabel('使用情况报告周期').selectOption('1');
  const answering = nextPost(page, `/public-data/requests/${request.id}/answer`);
  await page.getByRole('button', { name: '提交答复' }).click();
  t.match((await answering).headers()['idempotency-key'], consoleKey, 'the answer carries an Idempotency-Key: a second click is the same answer');
  await track.getByText('当前： 已同意').waitFor();
  await sameOnceSettled(t, () => track.locator('li').allTextContents(), ['已完成： 已受理', '已完成： 已延期', '当前： 已同意', '未开始： 协议已签署', '未开始： 使用期内', '未开始： 已结束'], 'the request’s path');
  await page.getByRole('heading', { name: /^政务数据利用协议 GDU-/ }).waitFor();
  const answered = (await as(app, dept.user, { method: 'GET', url: `/public-data/requests/${request.id}` })).json<{ state: string; answeredAt: string; reportEveryMonths: number; agreementId: string }>();
  t.match(answered, { state: 'approved', reportEveryMonths: 1 }, 'the API holds the approval');
  t.ok(Date.parse(answered.answeredAt) < Date.parse(extended.deadline.dueAt), 'answered before the deadline');

  // Its steps, each with a receipt, one checked in the browser.
  const steps = page.getByRole('table', { name: '申请步骤' });
  await sameOnceSettled(t, () => steps.locator('tbody th').allTextContents(), ['受理申请', '延长答复期限', '同意申请'], 'every step, oldest first');
  await checkAccessibility(t, page, 'request approved');
  await screenshot(page, 'department', 'request-approved');

  // The department's admin signs the utilization agreement in the page; the applicant's signature
  // (seeded) seals it; then the use of the data, and an order to correct a use beyond the scope.
  await page.getByLabel('登录密码').fill(dept.user.password);
  await page.getByRole('button', { name: '签署协议' }).click();
  await page.getByText('我方已签署，等待对方签署。').waitFor();
  await signAgreementOf(app, answered.agreementId, [applicant]);
  await page.reload();
  await page.getByRole('table', { name: '使用情况报告期' }).getByText('第 1 期').waitFor();
  await page.getByLabel('事由').selectOption('beyond_scope');
  await page.getByLabel('说明').fill('将数据用于商业广告投放');
  await page.getByLabel('改正期限').fill(shanghaiDaysFromNow(10));
  const ordering = nextPost(page, `/public-data/requests/${request.id}/orders`);
  await page.getByRole('button', { name: '责令改正' }).click();
  t.match((await ordering).headers()['idempotency-key'], consoleKey, 'the order to correct carries an Idempotency-Key: a second click orders once');
  await page.getByRole('table', { name: '责令改正记录（第六十四条）' }).getByText('超出范围使用').waitFor();
  await checkAccessibility(t, page, 'request in use');
  const orders = (await as(app, dept.user, { method: 'GET', url: '/public-data/orders' })).json<{ items: { ground: string; state: string }[] }>();
  t.match(orders.items, [{ ground: 'beyond_scope', state: 'open' }], 'the API holds the order to correct');
  await steps.getByRole('link', { name: '核验回执：同意申请' }).click();
  await page.getByRole('heading', { level: 1, name: '回执核验' }).waitFor();
  await page.getByRole('button', { name: '从服务器获取公钥' }).click();
  await fieldValue(page.getByLabel('回执（JSON）'), /dx-audit-receipt\/v1/);
  await fieldValue(page.getByLabel('日志公钥'), /\+/);
  await page.getByRole('button', { name: '核验', exact: true }).click();
  await page.getByText(/^回执有效：/).waitFor();
  t.ok(await shows(page.getByText('public_data.request_approve')), 'the receipt proves the approval, checked in the browser');

  // Deadlines and duties.
  await nav.getByRole('link', { name: '期限与义务' }).click();
  await page.getByRole('heading', { level: 1, name: '期限与义务' }).waitFor();
  await page.getByText('没有待答复的申请。').waitFor();
  await checkAccessibility(t, page, 'duties');

  // An objection rejected with reasons; a demand answered with a planned date.
  await nav.getByRole('link', { name: '数据质疑' }).click();
  await page.getByRole('heading', { level: 1, name: '数据质疑与纠错' }).waitFor();
  await page.getByLabel('不予采纳').check();
  await page.getByLabel('理由', { exact: true }).fill('统计口径不同，数据无误');
  await checkAccessibility(t, page, 'objections');
  await page.getByRole('button', { name: '提交答复' }).click();
  await page.getByRole('button', { name: '提交答复' }).waitFor({ state: 'detached' });
  const rejected = (await as(app, dept.user, { method: 'GET', url: `/public-data/objections/${objection.id}` })).json<{ status: string; reasons: string }>();
  t.match(rejected, { status: 'rejected', reasons: '统计口径不同，数据无误' }, 'the API holds the answer');
  await nav.getByRole('link', { name: '开放需求' }).click();
  await page.getByRole('heading', { level: 1, name: '开放需求' }).waitFor();
  await page.getByLabel('计划开放', { exact: true }).check();
  await page.getByLabel('计划开放日期').fill('2099-06-30');
  await checkAccessibility(t, page, 'demands');
  await page.getByRole('button', { name: '提交答复' }).click();
  await page.getByRole('button', { name: '提交答复' }).waitFor({ state: 'detached' });
  await screenshot(page, 'department', 'demands');
  const demands = (await as(app, dept.user, { method: 'GET', url: '/public-data/demands' })).json<{ items: { status: string; plannedOn: string }[] }>();
  t.match(demands.items, [{ status: 'planned', plannedOn: '2099-06-30' }], 'the API holds the answer');

  // A purchase need filed for the bureau to buy: no budget is set, so it is flagged over budget.
  await nav.getByRole('link', { name: '集中采购' }).click();
  await page.getByRole('heading', { level: 1, name: '集中采购' }).waitFor();
  await page.getByLabel('所需数据').fill('公共交通站点客流数据');
  await page.getByLabel('需求说明').fill('按线路和站点汇总的每日客流量');
  await page.getByLabel('所服务的职责').fill('优化全市公交线网');
  await page.getByLabel('职责的法律依据').fill('《重庆市公共交通条例》第八条');
  await page.getByLabel('预算（元）').fill('3000');
  await page.getByLabel('使用期限起始日').fill('2099-01-01');
  await page.getByLabel('使用期限截止日').fill('2099-12-31');
  await page.getByLabel('预算年度').fill('2099');
  await checkAccessibility(t, page, 'procurement (department)');
  await page.getByRole('button', { name: '提交需求' }).click();
  await page.getByRole('table', { name: '采购需求（1 项）' }).getByText('¥3,000.00 · 超出预算').waitFor();
  const needs = (await as(app, dept.user, { method: 'GET', url: '/procurement/needs' })).json<{ items: { budgetMinor: number; overBudget: boolean }[] }>();
  t.match(needs.items, [{ budgetMinor: 300_000, overBudget: true }], 'the API holds the need, in fen');

  // A sharing request to another department, found on its open list; shared unconditionally, it is granted at once.
  await nav.getByRole('link', { name: '数据申请' }).click();
  await page.getByRole('link', { name: '申请共享数据' }).click();
  await page.getByRole('heading', { level: 1, name: '申请共享数据' }).waitFor();
  await page.getByLabel('检索开放目录').fill('客运量');
  await page.getByRole('button', { name: '检索', exact: true }).click();
  const shared = page.getByRole('group', { name: '申请共享的目录条目（同一部门）' });
  await sameOnceSettled(t, () => shared.getByRole('checkbox').count(), 1, 'the other department’s entry, not its own');
  await shared.getByRole('checkbox').check();
  await page.getByLabel('共享依据').fill('《重庆市大数据发展管理条例》第十五条');
  await page.getByLabel('用途').fill('城市运行监测');
  await page.getByLabel('共享范围').fill('全市客运量按月汇总');
  await page.getByLabel('共享方式').fill('接口调用，仅限本部门使用');
  await page.getByLabel('使用期限起始日').fill(shanghaiDaysFromNow(0));
  await page.getByLabel('使用期限截止日').fill(shanghaiDaysFromNow(365));
  await checkAccessibility(t, page, 'sharing request');
  await page.getByRole('button', { name: '提交共享申请' }).click();
  await page.getByRole('heading', { level: 1, name: '共享申请' }).waitFor();
  await page.getByRole('navigation', { name: '申请进度' }).getByText('当前： 已同意').waitFor();
  const sharing = (await as(app, dept.user, { method: 'GET', url: '/public-data/requests?role=applicant' })).json<{ items: { kind: string; state: string; entryIds: string[] }[] }>();
  t.match(sharing.items, [{ kind: 'sharing', state: 'approved', entryIds: [otherEntry.id] }], 'the API granted the sharing request');

  t.same(pageErrors, [], 'no script or CSP error in the page');
});
