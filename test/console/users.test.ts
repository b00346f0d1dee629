import t from 'tap';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, sameOnceSettled, screenshot, shows, signIn } from '../helpers/console.js';

/**
 * The operator's accounts page: the staff a department's or the bureau's journey needs are made in
 * the browser, not with curl. An account made (a short password refused by the API in Chinese
 * first), found by its role, disabled (it can no longer sign in) and enabled again with another
 * role; the operator's own operator role not removable; the list followed past its first page.
 */
t.test('an operator makes a department account in the browser, and the department signs in with it', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const buyer = await signUp(app, ['buyer'], 'buyer');
  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, clerk);
  const nav = page.getByRole('navigation', { name: '主导航' });
  await nav.getByRole('link', { name: '账号' }).click();
  await page.getByRole('heading', { level: 1, name: '账号管理' }).waitFor();
  const accounts = page.getByRole('table', { name: /^账号（已显示/ });
  t.ok(await shows(accounts.getByRole('row', { name: new RegExp(buyer.email) })), 'every account is listed, a buyer among them');

  const form = page.locator('form', { has: page.getByRole('heading', { name: '新建账号' }) });
  await form.getByLabel('电子邮箱').fill('data@jtw.example.gov.cn');
  await form.getByLabel('显示名称').fill('市交通运输委员会数据处');
  await form.getByLabel('初始密码').fill('short');
  t.ok(await form.getByRole('checkbox', { name: '政府部门' }).isChecked(), 'a department account by default');
  await checkAccessibility(t, page, 'accounts');
  await form.getByRole('button', { name: '创建账号' }).click();
  t.match(await form.getByRole('alert').textContent(), /password/, 'the API refuses a short password and names the field');
  await form.getByLabel('初始密码').fill('department passphrase 1');
  await form.getByRole('button', { name: '创建账号' }).click();
  t.match(await page.getByRole('status').filter({ hasText: '已创建账号' }).textContent(), /市交通运输委员会数据处（data@jtw\.example\.gov\.cn）/);
  const made = accounts.getByRole('row', { name: /data@jtw\.example\.gov\.cn/ });
  t.match(await made.textContent(), /政府部门.*正常/, 'the new account in the list, a department, active');

  await page.getByLabel('角色', { exact: true }).selectOption({ label: '政府部门' });
  await sameOnceSettled(t, () => accounts.locator('tbody tr').count(), 1, 'filtered by role: the one department account');
  await screenshot(page, 'users', 'accounts');

  // Disabled: the department cannot sign in; enabled again as department and bureau.
  await accounts.getByRole('link', { name: '市交通运输委员会数据处' }).click();
  await page.getByRole('heading', { level: 1, name: '市交通运输委员会数据处' }).waitFor();
  await page.getByLabel('状态').selectOption({ label: '已停用' });
  await checkAccessibility(t, page, 'an account');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('status').filter({ hasText: '已保存' }).waitFor();
  const refused = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'data@jtw.example.gov.cn', password: 'department passphrase 1' } });
  t.equal(refused.statusCode, 401, 'a disabled account cannot sign in');
  await page.getByLabel('状态').selectOption({ label: '正常' });
  await page.getByRole('checkbox', { name: '大数据局' }).check();
  await page.getByRole('button', { name: '保存' }).click();
  const bureauAccounts = async () => (await as(app, clerk, { method: 'GET', url: '/users?role=bureau' })).json<{ items: { email: string; roles: string[]; status: string }[] }>().items.map((u) => [u.email, u.roles, u.status]);
  await sameOnceSettled(t, bureauAccounts, [['data@jtw.example.gov.cn', ['department', 'bureau'], 'active']], 'saved through the API');
  t.match(await page.getByRole('status').filter({ hasText: '已保存' }).textContent(), /会话已撤销/);

  // The operator's own operator role: the API refuses, in Chinese.
  await session.open(`/users/${clerk.id}`);
  await page.getByRole('checkbox', { name: '交易所运营' }).uncheck();
  await page.getByRole('checkbox', { name: '数据需求方' }).check();
  await page.getByRole('button', { name: '保存' }).click();
  t.match(await page.getByRole('alert').textContent(), /运营人员不能移除自己的运营人员角色/);
  t.same(pageErrors, [], 'no script error');

  // The department signs in with the account the operator made, and finds its pages.
  const staff = await openConsole(t, app);
  await signIn(staff, { email: 'data@jtw.example.gov.cn', password: 'department passphrase 1' });
  const staffNav = staff.page.getByRole('navigation', { name: '主导航' });
  t.ok(await shows(staffNav.getByRole('link', { name: '开放目录' })), 'a department’s pages in its navigation');
  t.notOk(await staffNav.getByRole('link', { name: '账号' }).count(), 'not the accounts page');
  await staff.open('/users');
  t.ok(await shows(staff.page.getByRole('heading', { level: 1, name: '无权访问' })), 'opened by its address: not for a department');

  // Its first act: a password of its own instead of the one the operator handed over.
  await staff.page.getByRole('link', { name: '修改密码' }).click();
  await staff.page.getByRole('heading', { level: 1, name: '修改密码' }).waitFor();
  await staff.page.getByLabel('当前密码').fill('not the password at all');
  await staff.page.getByLabel('新密码').fill('a passphrase of my own 1');
  await checkAccessibility(t, staff.page, 'password');
  await staff.page.getByRole('button', { name: '修改密码' }).click();
  t.match(await staff.page.getByRole('alert').textContent(), /当前密码错误/, 'a wrong current password: the API’s refusal in Chinese');
  await staff.page.getByLabel('当前密码').fill('department passphrase 1');
  await staff.page.getByRole('button', { name: '修改密码' }).click();
  await staff.page.getByRole('status').filter({ hasText: '密码已修改' }).waitFor();
  const login = (password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'data@jtw.example.gov.cn', password } });
  t.equal((await login('department passphrase 1')).statusCode, 401, 'the handed-over password no longer signs in');
  t.equal((await login('a passphrase of my own 1')).statusCode, 200, 'the new one does');
  await staff.reload();
  t.ok(await shows(staffNav.getByRole('link', { name: '开放目录' })), 'this tab goes on in its new session');
  t.same(staff.pageErrors, [], 'no script error');
});

t.test('the accounts list goes on by cursor past its first page', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  for (let i = 0; i < 52; i++) {
    const res = await as(app, clerk, { method: 'POST', url: '/users', payload: { email: `b${String(i).padStart(2, '0')}@example.cn`, password: 'buyer passphrase 1', displayName: `买方 ${i}`, roles: ['buyer'] } });
    if (res.statusCode !== 201) throw new Error(res.body);
  }
  const session = await openConsole(t, app);
  await signIn(session, clerk);
  await session.open('/users');
  const accounts = session.page.getByRole('table', { name: /^账号（已显示/ });
  await sameOnceSettled(t, () => accounts.locator('tbody tr').count(), 50, 'one page of 50');
  await session.page.getByRole('button', { name: '加载更多' }).click();
  await sameOnceSettled(t, () => accounts.locator('tbody tr').count(), 53, 'then the rest: 52 buyers and the operator');
  const emails = await accounts.locator('tbody tr td:nth-child(2)').allTextContents();
  t.equal(new Set(emails).size, 53, 'no account twice');
  t.equal(await session.page.getByRole('button', { name: '加载更多' }).count(), 0, 'nothing more at the end');
});
