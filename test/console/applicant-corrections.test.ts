import t from 'tap';
import { as, buildTestApp } from '../helpers/app.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, sameOnceSettled, screenshot, signIn } from '../helpers/console.js';
import { conditionalOpen, department, publishedEntry } from '../helpers/public-data.js';
import { requestWorld, sealedOpenRequest, shanghaiDaysFromNow } from '../helpers/public-data-requests.js';

/**
 * An applicant's remaining journeys, in a real browser: several conditional entries gathered from
 * the open list into one request, each with its department's name (one of another department,
 * found by choosing that department by name, refused by the API in Chinese, then removed); an
 * order to correct a use beyond the scope found in its list and corrected by its statement, shown
 * on the order's page (naming the department) and on the request's.
 */
t.test('an applicant applies for several entries at once and corrects an order', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const { clerk, bureau, dept, applicant, entry } = await requestWorld(app);
  const second = await publishedEntry(app, dept.user, bureau, { open: conditionalOpen, title: { zh: '重庆市轨道交通客流统计', en: 'Chongqing metro ridership' } });
  const other = await department(app, clerk);
  const elsewhere = await publishedEntry(app, other.user, bureau, { open: conditionalOpen, title: { zh: '重庆市道路货运统计', en: 'Chongqing road freight' } });
  const sealed = await sealedOpenRequest(app, dept.user, applicant, entry.id, { reportEveryMonths: 1 });
  const order = await as(app, dept.user, { method: 'POST', url: `/public-data/requests/${sealed.id}/orders`, payload: { ground: 'beyond_scope', details: '将数据用于商业营销', correctBy: shanghaiDaysFromNow(10) } });
  t.equal(order.statusCode, 201, 'the department orders a correction');

  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, applicant);
  const nav = page.getByRole('navigation', { name: '主导航' });

  // Three conditional entries gathered from the open list; one is another department's, found by choosing it by name.
  await nav.getByRole('link', { name: '开放数据' }).click();
  const list = page.getByRole('table', { name: /已发布的目录条目/ });
  await list.getByRole('button', { name: '加入申请：重庆市轨道交通客流统计' }).click();
  await page.getByLabel('数据提供部门').selectOption({ label: other.party.legalName });
  await page.getByRole('button', { name: '检索', exact: true }).click();
  const others = page.getByRole('table', { name: '已发布的目录条目（1 条）' });
  await others.getByRole('cell', { name: other.party.legalName, exact: true }).waitFor();
  await sameOnceSettled(t, () => others.locator('tbody th').allTextContents(), ['重庆市道路货运统计'], 'only the other department’s entry');
  await others.getByRole('button', { name: '加入申请：重庆市道路货运统计' }).click();
  await others.getByRole('link', { name: '已加入申请：重庆市道路货运统计' }).waitFor();
  await page.getByLabel('数据提供部门').selectOption({ label: '全部部门' });
  await page.getByRole('button', { name: '检索', exact: true }).click();
  await page.getByRole('table', { name: '已发布的目录条目（3 条）' }).waitFor();
  await list.getByRole('link', { name: '重庆市交通运输客运量统计' }).click();
  await page.getByRole('heading', { level: 1, name: '重庆市交通运输客运量统计' }).waitFor();
  await page.getByRole('button', { name: '加入申请：重庆市交通运输客运量统计' }).click();
  await checkAccessibility(t, page, 'open entry with the request gathered');
  await page.getByRole('link', { name: '待提交的申请（3 项目录）' }).click();
  await page.getByRole('heading', { level: 1, name: '一次申请多项有条件开放数据' }).waitFor();
  const basket = page.getByRole('table', { name: '申请的目录条目（3 项）' });
  await sameOnceSettled(
    t,
    () => basket.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')?.textContent, r.querySelector('td')?.textContent])),
    [
      ['重庆市轨道交通客流统计', dept.party.legalName],
      ['重庆市道路货运统计', other.party.legalName],
      ['重庆市交通运输客运量统计', dept.party.legalName],
    ],
    'each entry with its department’s name, not its id',
  );
  await page.getByLabel('用途').fill('客运结构研究');
  await page.getByLabel('应用场景').fill('综合交通规划');
  await page.getByLabel('安全保障措施').fill('专网传输、加密存储');
  await page.getByLabel('使用期限起始日').fill(shanghaiDaysFromNow(0));
  await page.getByLabel('使用期限截止日').fill(shanghaiDaysFromNow(90));
  await checkAccessibility(t, page, 'request basket');
  await page.getByRole('button', { name: '提交申请（3 项目录）' }).click();
  t.match(await page.getByRole('alert').textContent(), /请就每个部门的目录分别向该部门提出申请/, 'entries of two departments: the API’s refusal in Chinese');
  await page.getByRole('button', { name: '移除“重庆市道路货运统计”' }).click();
  await page.getByRole('table', { name: '申请的目录条目（2 项）' }).waitFor();
  await screenshot(page, 'applicant-corrections', 'request-basket');
  await page.getByRole('button', { name: '提交申请（2 项目录）' }).click();
  await page.getByRole('heading', { level: 1, name: '有条件开放申请' }).waitFor();
  const made = (await as(app, applicant, { method: 'GET', url: '/public-data/requests?role=applicant' })).json<{ items: { id: string; entryIds: string[]; purpose: string }[] }>();
  const many = made.items.filter((r) => r.purpose === '客运结构研究');
  t.equal(many.length, 1, 'one request, the refused one made nothing');
  t.same([...many[0]!.entryIds].sort(), [second.id, entry.id].sort(), 'naming both entries of the department');
  t.notOk(many[0]!.entryIds.includes(elsewhere.id), 'not the removed one');

  // The order to correct, in its list and on its page; a statement corrects it.
  await nav.getByRole('link', { name: '责令改正' }).click();
  const orders = page.getByRole('table', { name: '针对本主体的责令改正（1 项）' });
  await orders.waitFor();
  await checkAccessibility(t, page, 'orders to correct');
  await orders.getByRole('link', { name: '超出范围使用' }).click();
  await page.getByRole('heading', { level: 1, name: '责令限期改正（第六十四条）' }).waitFor();
  await page.locator('dd', { hasText: dept.party.legalName }).waitFor();
  await page.getByLabel('改正情况说明').fill('已停止营销使用并删除衍生数据');
  await checkAccessibility(t, page, 'order to correct');
  await page.getByRole('button', { name: '提交改正说明' }).click();
  await page.getByText('已说明改正情况 ·').waitFor();
  t.equal(await page.getByRole('button', { name: '提交改正说明' }).count(), 0, 'a corrected order is not corrected again');
  await screenshot(page, 'applicant-corrections', 'order-corrected');
  const held = (await as(app, applicant, { method: 'GET', url: `/public-data/orders/${order.json<{ id: string }>().id}` })).json<{ state: string; correction: { statement: string } }>();
  t.match(held, { state: 'corrected', correction: { statement: '已停止营销使用并删除衍生数据' } }, 'the API holds the statement');
  await page.getByRole('link', { name: '查看申请' }).click();
  await page.getByRole('table', { name: '责令改正记录（第六十四条）' }).getByText(/已停止营销使用并删除衍生数据/).waitFor();
  await checkAccessibility(t, page, 'request with its corrected order');

  t.same(pageErrors, [], 'no script or CSP error in the page');
});
