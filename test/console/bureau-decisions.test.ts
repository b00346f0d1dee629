import t from 'tap';
import { as, buildTestApp } from '../helpers/app.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot, signIn, sameOnceSettled } from '../helpers/console.js';
import { raiseDemand } from '../helpers/objections.js';
import { requestWorld, sealedOpenRequest, shanghaiDaysFromNow } from '../helpers/public-data-requests.js';

/**
 * The bureau's decisions through the pages, in a real browser: a demand raised without an addressee
 * routed to the department chosen by its name (a company is not offered); the year's opening
 * priorities published (an id that is no published entry refused, naming the line); a department's
 * budget set in yuan, the department chosen by its name; the working days to answer an objection changed
 * (61 refused); and an order to correct (Art. 64), opened from the duties list, decided with a fine
 * (before its time limit only on serious consequences, which the API says first).
 * The applicant's and the department's sides are seeded through the API.
 */

t.test('the bureau routes a demand, publishes priorities, sets a budget and the objection days, and decides on an order', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const { bureau, dept, applicant, entry } = await requestWorld(app);
  const demand = await raiseDemand(app, applicant);
  const sealed = await sealedOpenRequest(app, dept.user, applicant, entry.id);
  const issued = await as(app, dept.user, { method: 'POST', url: `/public-data/requests/${sealed.id}/orders`, payload: { ground: 'beyond_scope', details: '将数据用于商业广告投放', correctBy: shanghaiDaysFromNow(10) } });
  t.equal(issued.statusCode, 201, 'the department ordered a correction');
  const orderId = issued.json<{ id: string }>().id;
  const year = Number(shanghaiDaysFromNow(0).slice(0, 4));

  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, bureau);
  const nav = page.getByRole('navigation', { name: '主导航' });
  await sameOnceSettled(
    t,
    () => nav.getByRole('link').allTextContents(),
    ['通知', '我的主体', '回执核验', '开放目录', '数据申请', '期限与义务', '数据质疑', '开放需求', '集中采购', '协议示范文本', '协议抄送', '工作日历', '开放重点', '部门预算'],
    'the bureau’s navigation, with its priorities and budgets',
  );

  // A demand nobody is addressed to: routed to the department, chosen by its name from the directory.
  await nav.getByRole('link', { name: '开放需求' }).click();
  await page.getByRole('heading', { level: 1, name: '开放需求' }).waitFor();
  const card = page.getByRole('article', { name: '全市公共充电桩位置与实时空闲状态' });
  await card.locator('dd', { hasText: /^待分派$/ }).first().waitFor();
  const routing = card.getByLabel('分派至部门');
  await routing.locator('option', { hasText: dept.party.legalName }).waitFor({ state: 'attached' });
  t.same(await routing.locator('option').allTextContents(), ['请选择部门', dept.party.legalName], 'only the verified department is offered, not the company');
  await checkAccessibility(t, page, 'demands (bureau)');
  await routing.selectOption({ label: dept.party.legalName });
  await card.getByRole('button', { name: '分派需求' }).click();
  await card.getByRole('button', { name: '改派需求' }).waitFor();
  t.equal(await card.locator('dd').first().textContent(), '待答复', 'routed, it waits for the department’s answer');
  t.equal(await card.locator('dd').nth(2).textContent(), dept.party.legalName, 'the addressee by its name, not its id');
  const routed = (await as(app, bureau, { method: 'GET', url: `/public-data/demands/${demand.id}` })).json<{ status: string; departmentPartyId: string }>();
  t.match(routed, { status: 'open', departmentPartyId: dept.party.id }, 'the API holds the routing');
  t.match((await as(app, dept.user, { method: 'GET', url: '/public-data/demands' })).json<{ items: { id: string }[] }>().items, [{ id: demand.id }], 'the department now has it');

  // The year's opening priorities: an id that is no published entry is refused, naming its line.
  await nav.getByRole('link', { name: '开放重点' }).click();
  await page.getByRole('heading', { level: 1, name: '年度开放重点' }).waitFor();
  await page.getByText(`${year} 年尚未公布开放重点。`).waitFor();
  await page.getByLabel('年度说明').fill(`${year}年公共数据开放重点`);
  await page.getByLabel('开放重点', { exact: true }).fill(`公共充电设施 | 群众需求集中\n${demand.id} | 交通出行`);
  await checkAccessibility(t, page, 'opening priorities');
  await page.getByRole('button', { name: '公布', exact: true }).click();
  t.match(await page.getByRole('alert').textContent(), /\/body\/items\/1\/entryId/, 'the API names the line that is no published entry');
  await page.getByLabel('开放重点', { exact: true }).fill(`公共充电设施 | 群众需求集中\n${entry.id} | 交通出行`);
  await page.getByRole('button', { name: '公布', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: `${year} 年开放重点（第 1 版）` }).waitFor();
  t.match(await page.getByRole('table', { name: '开放重点（2 项）' }).textContent(), /公共充电设施主题群众需求集中/, 'the theme with its note');
  await checkAccessibility(t, page, 'opening priorities published');
  await screenshot(page, 'bureau-decisions', 'opening-priorities');
  const priorities = (await as(app, applicant, { method: 'GET', url: `/public-data/opening-priorities/${year}` })).json<{ current: { version: number; items: unknown[] } }>();
  t.same(priorities.current, { ...priorities.current, version: 1, items: [{ theme: '公共充电设施', note: '群众需求集中' }, { entryId: entry.id, note: '交通出行' }] }, 'the API holds version 1, read by anyone signed in');

  // A department's budget, in yuan; a company is not a department.
  await nav.getByRole('link', { name: '部门预算' }).click();
  await page.getByRole('heading', { level: 1, name: '部门采购预算' }).waitFor();
  await page.getByText(`${year} 年尚未为任何部门设定预算。`).waitFor();
  await page.getByLabel('部门', { exact: true }).selectOption({ label: dept.party.legalName });
  await page.getByLabel('预算金额（元）').fill('5,000.50');
  await checkAccessibility(t, page, 'budgets');
  await page.getByRole('button', { name: '设定预算' }).click();
  await page.getByRole('status').getByText(`已将${dept.party.legalName}的 ${year} 年预算设定为 ¥5,000.50。`).waitFor();
  const table = page.getByRole('table', { name: `${year} 年各部门预算（1 个部门）` });
  const row = table.getByRole('row', { name: new RegExp(dept.party.legalName) });
  t.match(await row.textContent(), /¥5,000\.50¥0\.00¥5,000\.50/, 'the budget, nothing committed, all available');
  t.notMatch(await table.textContent(), dept.party.id, 'the department by its name, not its id');
  const budgets = (await as(app, dept.user, { method: 'GET', url: `/procurement/budgets?year=${year}` })).json<{ amountMinor: number }[]>();
  t.match(budgets, [{ amountMinor: 500_050 }], 'the API holds the budget in fen, as the department reads it');

  // The working days to answer an objection: 61 is refused, 3 is set.
  await nav.getByRole('link', { name: '数据质疑' }).click();
  await page.getByRole('heading', { level: 2, name: '质疑答复期限' }).waitFor();
  await page.getByText('部门须在收到质疑后 5 个工作日内答复（第二十二条）。').waitFor();
  await page.getByLabel('答复期限（工作日）').fill('61');
  await page.getByRole('button', { name: '保存设置' }).click();
  t.match(await page.getByRole('alert').textContent(), /请求不符合接口要求.*objectionAnswerWorkingDays/, 'the API refuses 61 in Chinese, naming the field');
  await page.getByLabel('答复期限（工作日）').fill('3');
  await page.getByRole('button', { name: '保存设置' }).click();
  await page.getByText('部门须在收到质疑后 3 个工作日内答复（第二十二条）。').waitFor();
  await page.getByRole('status').getByText('已设定为 3 个工作日。').waitFor();
  await checkAccessibility(t, page, 'objection setting');
  t.same((await as(app, dept.user, { method: 'GET', url: '/public-data/settings' })).json(), { objectionAnswerWorkingDays: 3 }, 'the API holds the setting');

  // The order to correct, from the duties list to its page; decided before its limit only on serious consequences.
  await nav.getByRole('link', { name: '期限与义务' }).click();
  await page.getByRole('link', { name: '将数据用于商业广告投放' }).click();
  await page.getByRole('heading', { level: 1, name: '责令限期改正（第六十四条）' }).waitFor();
  // The heading shows before the order has loaded: wait for its facts before counting them.
  await page.locator('dd', { hasText: /^待改正$/ }).first().waitFor();
  await page.locator('dd', { hasText: dept.party.legalName }).waitFor();
  t.equal(await page.locator('dd', { hasText: /^待改正$/ }).count(), 1, 'the order is open');
  await page.getByLabel('罚款（一万元以上十万元以下）').check();
  await page.getByLabel('罚款金额（元）').fill('50000');
  await page.getByLabel('处理依据与事实').fill('超出协议范围将数据用于商业广告投放');
  await checkAccessibility(t, page, 'order to correct');
  await page.getByRole('button', { name: '作出决定' }).click();
  const refusal = await page.getByRole('alert').textContent();
  t.match(refusal, /第六十四条：处理决定须在责令改正逾期未改正或造成严重后果后作出/, 'the API’s title in Chinese');
  t.match(refusal, /请在期满后作出决定，或说明造成的严重后果/, 'and its detail');
  t.equal((await as(app, bureau, { method: 'GET', url: `/public-data/orders/${orderId}` })).json<{ state: string }>().state, 'open', 'nothing decided');
  await page.getByLabel('造成严重后果（期满前作出决定）').check();
  await page.getByRole('button', { name: '作出决定' }).click();
  await page.locator('dd', { hasText: /^罚款 50000 元$/ }).waitFor();
  t.equal(await page.getByRole('button', { name: '作出决定' }).count(), 0, 'an order is decided once: the form is gone');
  await checkAccessibility(t, page, 'order decided');
  await screenshot(page, 'bureau-decisions', 'order-decided');
  const decided = (await as(app, dept.user, { method: 'GET', url: `/public-data/orders/${orderId}` })).json<{ state: string; decision: Record<string, unknown> }>();
  t.match(decided, { state: 'decided', decision: { kind: 'fine', amountYuan: 50_000, seriousConsequences: true, ground: '超出协议范围将数据用于商业广告投放' } }, 'the API holds the decision');

  t.same(pageErrors, [], 'no script or CSP error in the page');
});
