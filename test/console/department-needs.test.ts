import t from 'tap';
import { as, buildTestApp } from '../helpers/app.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot, signIn } from '../helpers/console.js';
import { consolidation, ok, orderedProcurement, signAndPay } from '../helpers/procurement.js';
import { fileNeed } from '../helpers/route-world.js';

/**
 * A department's purchase needs and procured data, in a real browser: a filed need withdrawn with
 * its reason; another refused by the API once the bureau consolidated it meanwhile; the usage report
 * of the first period filed for data the bureau bought for it (Art. 20 ¶1), and a second department's
 * report refused when a colleague filed it first. The bureau's and the provider's sides are seeded
 * through the API; the bureau's pages are not offered to a department.
 */

interface Need {
  id: string;
  status: string;
  withdrawnReason: string | null;
}

t.test('a department withdraws a need and reports its use of procured data', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const world = await orderedProcurement(app, { reportEveryMonths: 1 });
  await signAndPay(app, world);
  const { bureau, transport, planning, product, procurement } = world;
  const spare = await fileNeed(app, transport.user, { title: '出租车运营数据', budgetMinor: 100_000 });
  const raced = await fileNeed(app, transport.user, { title: '网约车订单数据', budgetMinor: 150_000 });

  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, transport.user);
  const nav = page.getByRole('navigation', { name: '主导航' });
  t.equal(await nav.getByRole('link', { name: '部门预算' }).count(), 0, 'the budgets are the bureau’s: not in a department’s navigation');
  await session.open('/budgets');
  await page.getByRole('heading', { level: 1, name: '无权访问' }).waitFor();

  // A need it no longer has, withdrawn with its reason.
  await nav.getByRole('link', { name: '集中采购' }).click();
  await page.getByRole('heading', { level: 1, name: '集中采购' }).waitFor();
  const needs = page.getByRole('table', { name: '采购需求（3 项）' });
  await needs.waitFor();
  await page.getByLabel('要撤回的需求').selectOption(spare.id);
  await page.getByLabel('撤回理由').fill('已通过部门间共享取得出租车数据');
  await checkAccessibility(t, page, 'needs');
  await page.getByRole('button', { name: '撤回需求' }).click();
  await needs.getByRole('row', { name: /出租车运营数据/ }).getByText('已撤回').waitFor();
  t.match(await needs.getByRole('row', { name: /出租车运营数据/ }).textContent(), /已通过部门间共享取得出租车数据/, 'the reason beside the need');
  t.match(await ok<Need>(await as(app, transport.user, { method: 'GET', url: `/procurement/needs/${spare.id}` })), { status: 'withdrawn', withdrawnReason: '已通过部门间共享取得出租车数据' }, 'the API holds the withdrawal');

  // Meanwhile the bureau consolidated the other need: its withdrawal is refused, in Chinese.
  await ok(await as(app, bureau.user, { method: 'POST', url: '/procurement/procurements', payload: consolidation([raced.id], product.id) }), 201);
  t.equal(await page.getByLabel('要撤回的需求').inputValue(), raced.id, 'the one need still shown as filed');
  await page.getByLabel('撤回理由').fill('预算调整');
  await page.getByRole('button', { name: '撤回需求' }).click();
  const refusal = await page.getByRole('alert').textContent();
  t.match(refusal, /当前状态下不允许此操作/, 'the API’s title in Chinese');
  t.match(refusal, /只有已提交的需求可以撤回/, 'and its detail');
  t.match(await ok<Need>(await as(app, transport.user, { method: 'GET', url: `/procurement/needs/${raced.id}` })), { status: 'consolidated', withdrawnReason: null }, 'the need stays consolidated');

  // The procured data's first period, reported in the procurement's page.
  await page.getByRole('link', { name: procurement.number }).click();
  await page.getByRole('heading', { level: 1, name: `采购项目 ${procurement.number}` }).waitFor();
  const periods = page.getByRole('table', { name: `${transport.party.legalName}的报告期` });
  await periods.getByText('进行中').first().waitFor();
  t.equal(await page.getByRole('table', { name: /的报告期$/ }).count(), 1, 'its own schedule only');
  await page.getByLabel('使用情况', { exact: true }).fill('用于公交线网优化模型训练');
  await page.getByLabel('安全保障措施', { exact: true }).fill('政务专网存储，按岗位授权访问');
  await page.getByLabel('取得的成果（可选）').fill('形成线网优化方案一份');
  await checkAccessibility(t, page, 'procured data in use');
  await page.getByRole('button', { name: '提交报告' }).click();
  await periods.getByText(/^用于公交线网优化模型训练 · /).waitFor();
  t.equal(await periods.getByRole('link', { name: '核验回执：第 1 期' }).count(), 1, 'the report’s receipt linked to the checker');
  await checkAccessibility(t, page, 'procured data reported');
  await screenshot(page, 'department-needs', 'usage-reported');
  const usage = await ok<{ departments: { periods: { period: number; status: string; report: { summary: string; results: string } | null }[] }[] }>(
    await as(app, transport.user, { method: 'GET', url: `/procurement/procurements/${procurement.id}/usage` }),
  );
  t.match(usage.departments[0]!.periods[0], { period: 1, status: 'filed', report: { summary: '用于公交线网优化模型训练', results: '形成线网优化方案一份' } }, 'the API holds the report of period 1');

  // The other department's report, filed by a colleague while the form was open: refused in Chinese.
  const other = await openConsole(t, app);
  await signIn(other, planning.user);
  await other.open(`/procurement/procurements/${procurement.id}`);
  await other.page.getByLabel('使用情况', { exact: true }).fill('用于国土空间规划编制');
  await other.page.getByLabel('安全保障措施', { exact: true }).fill('政务专网存储');
  await ok(await as(app, planning.user, { method: 'POST', url: `/procurement/procurements/${procurement.id}/usage-reports`, payload: { period: 1, summary: '同事已报告', safeguards: '政务专网存储' } }), 201);
  await other.page.getByRole('button', { name: '提交报告' }).click();
  t.match(await other.page.getByRole('alert').textContent(), /第二十条第一款：该报告期已报告/, 'the API says the period is reported already, in Chinese');
  const planningUsage = await ok<{ departments: { periods: { report: { summary: string } | null }[] }[] }>(
    await as(app, planning.user, { method: 'GET', url: `/procurement/procurements/${procurement.id}/usage` }),
  );
  t.equal(planningUsage.departments[0]!.periods[0]!.report?.summary, '同事已报告', 'the colleague’s report stands, the second made nothing');

  t.same([...pageErrors, ...other.pageErrors], [], 'no script or CSP error in the pages');
});
