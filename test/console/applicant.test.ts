import { createHash } from 'node:crypto';
import type { Download } from 'playwright-core';
import t from 'tap';
import { as, buildTestApp } from '../helpers/app.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot, signIn, sameOnceSettled, shows } from '../helpers/console.js';
import { publishedEntry } from '../helpers/public-data.js';
import { answer, requestWorld, shanghaiDaysFromNow, signAgreementOf } from '../helpers/public-data-requests.js';

/**
 * An applicant's journey through the pages, in a real browser: the published open list searched
 * and filtered (a department chosen by its name), an unconditionally open entry downloaded from its page; a conditionally open one
 * applied for (a term the API refuses, then corrected), the department's approval (through the
 * API), the utilization agreement signed in the request's page and sealed by the department; the
 * granted data downloaded, the first period's usage report filed, an outcome registered with the
 * citation of its source and another cited after it was registered.
 */

async function sha256Of(download: Download): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await download.createReadStream()) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

t.test('an applicant downloads open data, applies for conditional data, signs, downloads it and reports its use', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const { bureau, dept, applicant, entry } = await requestWorld(app);
  const open = await publishedEntry(app, dept.user, bureau, { title: { zh: '重庆市出租车运营里程统计', en: 'Chongqing taxi mileage' } });

  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, applicant);
  const nav = page.getByRole('navigation', { name: '主导航' });
  await sameOnceSettled(t, () => nav.getByRole('link').allTextContents(), ['通知', '我的主体', '数据目录', '订单', '回执核验', '开放数据', '数据申请', '责令改正'], 'the applicant’s navigation');

  // The open list, filtered to what is open unconditionally; that entry's page and its data.
  await nav.getByRole('link', { name: '开放数据' }).click();
  await page.getByRole('heading', { level: 1, name: '公共数据开放目录检索' }).waitFor();
  await page.getByRole('table', { name: '已发布的目录条目（2 条）' }).waitFor();
  await page.getByLabel('开放属性').selectOption('unconditional');
  await page.getByRole('button', { name: '检索', exact: true }).click();
  const unconditional = page.getByRole('table', { name: '已发布的目录条目（1 条）' });
  await unconditional.waitFor();
  await sameOnceSettled(t, () => unconditional.locator('tbody th').allTextContents(), ['重庆市出租车运营里程统计'], 'only the unconditionally open entry');
  await checkAccessibility(t, page, 'open list');
  await unconditional.getByRole('cell', { name: dept.party.legalName, exact: true }).waitFor();
  await unconditional.getByRole('link', { name: '重庆市出租车运营里程统计' }).click();
  await page.getByRole('heading', { level: 1, name: '重庆市出租车运营里程统计' }).waitFor();
  // The department by its name, once the directory is read; not its id.
  await page.locator('dd', { hasText: dept.party.legalName }).waitFor();
  t.ok(await shows(page.getByText(/^无条件开放：/)), 'the page says how the entry is open');
  t.equal(await page.getByRole('link', { name: '申请有条件开放数据' }).count(), 0, 'an unconditional entry is not applied for');
  const [openData] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载第 1 版' }).click()]);
  t.equal(await sha256Of(openData), open.version.sha256, 'the bytes the department uploaded');
  await checkAccessibility(t, page, 'open entry');
  await screenshot(page, 'applicant', 'open-entry');
  const counted = (await as(app, dept.user, { method: 'GET', url: `/public-data/entries/${open.id}` })).json<{ downloadCount: number }>();
  t.equal(counted.downloadCount, 1, 'the API counted the download');

  // The conditional entry found by a Chinese word and its department, chosen by its name; no download, an application.
  await nav.getByRole('link', { name: '开放数据' }).click();
  await page.getByLabel('关键词（中文或英文）').fill('交通');
  await page.getByLabel('开放属性').selectOption('conditional');
  const departments = page.getByLabel('数据提供部门');
  await departments.locator('option', { hasText: dept.party.legalName }).waitFor({ state: 'attached' });
  t.same(await departments.locator('option').allTextContents(), ['全部部门', dept.party.legalName], 'any department first, then the departments by name (not the applicant’s company)');
  await departments.selectOption({ label: dept.party.legalName });
  const searched = page.waitForRequest((r) => new URL(r.url()).pathname === '/public-data/search' && new URL(r.url()).searchParams.get('departmentPartyId') === dept.party.id);
  await page.getByRole('button', { name: '检索', exact: true }).click();
  await searched;
  await page.getByRole('table', { name: '已发布的目录条目（1 条）' }).getByRole('link', { name: '重庆市交通运输客运量统计' }).click();
  await page.getByRole('heading', { level: 1, name: '重庆市交通运输客运量统计' }).waitFor();
  await page.getByRole('table', { name: '数据版本' }).waitFor();
  t.equal(await page.getByRole('button', { name: '下载第 1 版' }).count(), 0, 'a conditional entry is not downloaded from its page');
  await page.getByRole('link', { name: '申请有条件开放数据' }).click();
  await page.getByRole('heading', { level: 1, name: '申请有条件开放数据' }).waitFor();
  await page.getByLabel('用途').fill('公交线网优化研究');
  await page.getByLabel('应用场景').fill('线网规划辅助决策系统');
  await page.getByLabel('安全保障措施').fill('专网传输、加密存储、双人审批');
  await page.getByLabel('使用期限起始日').fill(shanghaiDaysFromNow(0));
  await page.getByLabel('使用期限截止日').fill(shanghaiDaysFromNow(-1));
  await checkAccessibility(t, page, 'apply');
  await page.getByRole('button', { name: '提交申请' }).click();
  t.match(await page.getByRole('alert').textContent(), /\/body\/term\/end/, 'a term that ends before it starts: the API names the field');
  await page.getByLabel('使用期限截止日').fill(shanghaiDaysFromNow(180));
  await page.getByRole('button', { name: '提交申请' }).click();
  await page.getByRole('heading', { level: 1, name: '有条件开放申请' }).waitFor();
  const track = page.getByRole('navigation', { name: '申请进度' });
  await track.getByText('当前： 已受理').waitFor();
  const made = (await as(app, applicant, { method: 'GET', url: '/public-data/requests?role=applicant' })).json<{ items: { id: string; state: string; entryIds: string[]; term: { end: string } }[] }>();
  t.match(made.items, [{ state: 'received', entryIds: [entry.id], term: { end: shanghaiDaysFromNow(180) } }], 'one request, the corrected one');
  t.equal(made.items.length, 1, 'the refused submission made nothing');
  await checkAccessibility(t, page, 'request received');

  // The department approves (through the API); the applicant signs in the page, the department seals it.
  const approved = await answer(app, dept.user, made.items[0]!.id, { decision: 'approve', disposal: '期满后彻底删除并出具删除证明', reportEveryMonths: 1 });
  t.equal(approved.statusCode, 200, 'the department approves');
  await page.reload();
  await track.getByText('当前： 已同意').waitFor();
  t.equal(await page.getByRole('heading', { name: '获取数据' }).count(), 0, 'no data before the agreement is sealed');
  await page.getByLabel('登录密码').fill(applicant.password);
  await page.getByRole('button', { name: '签署协议' }).click();
  await page.getByText('我方已签署，等待对方签署。').waitFor();
  await signAgreementOf(app, approved.json<{ agreementId: string }>().agreementId, [dept.user]);
  await page.reload();
  await page.getByRole('heading', { level: 2, name: '获取数据' }).waitFor();

  // The granted data, the first period's report and an outcome citing its source.
  const granted = page.getByRole('table', { name: '重庆市交通运输客运量统计 的数据版本' });
  const [conditionalData] = await Promise.all([page.waitForEvent('download'), granted.getByRole('button', { name: '下载第 1 版' }).click()]);
  t.equal(await sha256Of(conditionalData), entry.version.sha256, 'the granted bytes, under the sealed agreement');
  await page.getByRole('table', { name: '使用情况报告期' }).getByText('第 1 期').waitFor();
  await checkAccessibility(t, page, 'request sealed');
  await page.getByLabel('使用情况', { exact: true }).fill('用于公交线网优化模型训练');
  await page.getByLabel('安全保障措施', { exact: true }).fill('专网传输、加密存储');
  await page.getByLabel('取得的成果（可选）').fill('形成优化方案一份');
  await page.getByRole('button', { name: '提交报告' }).click();
  await page.getByRole('table', { name: '使用情况报告期' }).getByText(/^用于公交线网优化模型训练 · /).waitFor();
  await page.getByLabel('成果类型').selectOption('paper');
  await page.getByLabel('成果名称').fill('基于刷卡客流的公交线网优化');
  await page.getByLabel('出处（可选）').fill('doi:10.1000/bus.2027.1');
  await page.getByLabel('数据来源标注').fill('数据来源：重庆市交通运输客运量统计（有条件开放政务数据）');
  await page.getByRole('button', { name: '登记成果' }).click();
  await page.getByRole('table', { name: '利用数据形成的成果' }).getByText('基于刷卡客流的公交线网优化').waitFor();
  // An outcome registered without its citation, then cited.
  await page.getByLabel('成果类型').selectOption('product');
  await page.getByLabel('成果名称').fill('线网规划辅助决策系统');
  await page.getByRole('button', { name: '登记成果' }).click();
  await page.getByRole('table', { name: '利用数据形成的成果' }).getByRole('row', { name: /线网规划辅助决策系统.*未注明/ }).waitFor();
  await page.getByLabel('成果“线网规划辅助决策系统”的数据来源标注').fill('数据来源：重庆市交通运输委员会');
  await page.getByRole('button', { name: '为“线网规划辅助决策系统”补充标注' }).click();
  await page.getByRole('table', { name: '利用数据形成的成果' }).getByText('数据来源：重庆市交通运输委员会', { exact: true }).waitFor();
  await checkAccessibility(t, page, 'usage reported');
  await screenshot(page, 'applicant', 'usage-reported');
  const usage = (await as(app, applicant, { method: 'GET', url: `/public-data/requests/${made.items[0]!.id}/usage` })).json<{
    periods: { period: number; report: { summary: string; results: string | null } | null }[];
    outcomes: { kind: string; cited: boolean; reference: string | null }[];
  }>();
  t.match(usage.periods[0], { period: 1, report: { summary: '用于公交线网优化模型训练', results: '形成优化方案一份' } }, 'the API holds the report of period 1');
  t.match(
    usage.outcomes.map((o) => ({ kind: o.kind, cited: o.cited, reference: o.reference })).sort((a, b) => a.kind.localeCompare(b.kind)),
    [
      { kind: 'paper', cited: true, reference: 'doi:10.1000/bus.2027.1' },
      { kind: 'product', cited: true, reference: null },
    ],
    'the API holds both outcomes, cited',
  );

  t.same(pageErrors, [], 'no script or CSP error in the page');
});
