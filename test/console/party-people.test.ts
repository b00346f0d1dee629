import t from 'tap';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import type { Response } from 'playwright-core';
import { checkAccessibility, consoleBundle, consoleKey, noBrowser, openConsole, screenshot } from '../helpers/console.js';
import { signInThroughPage } from '../helpers/console-trade.js';
import { generateUscc } from '../helpers/identity.js';
import { verifiedUser } from '../helpers/trading.js';

/**
 * A party's people through the pages, in two browsers: its admin invites a colleague by e-mail
 * and revokes a mistaken invitation; the colleague, signed in elsewhere, accepts the invitation
 * from their parties' page and acts for the party; the admin makes them an admin too.
 */

t.test('an admin invites a colleague, who accepts, and makes them an admin', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const admin = await verifiedUser(app, ['provider'], clerk);
  const colleague = await signUp(app, ['provider'], 'colleague');
  const members = async () => (await as(app, admin.user, { method: 'GET', url: `/parties/${admin.party.id}/members` })).json<{ items: { userId: string; role: string }[] }>().items;

  const { page, open, pageErrors } = await openConsole(t, app);
  await signInThroughPage({ page, open }, admin.user);
  await open(`/parties/${admin.party.id}`);
  await page.getByRole('heading', { name: '成员与邀请' }).waitFor();
  t.match(await page.getByRole('table', { name: /^本主体的成员/ }).textContent(), /您（.*）管理员/, 'the admin sees itself');
  const invite = page.locator('form').filter({ has: page.getByRole('heading', { name: '邀请加入' }) });
  await invite.getByLabel('电子邮箱').fill('wrong-person@example.cn');
  await invite.getByRole('button', { name: '发送邀请' }).click();
  await page.getByRole('button', { name: '撤回对 wrong-person@example.cn 的邀请' }).click();
  await page.getByText('没有未接受的邀请。').waitFor();
  await invite.getByLabel('电子邮箱').fill(colleague.email);
  await invite.getByRole('button', { name: '发送邀请' }).click();
  await page.getByRole('table', { name: /^未接受的邀请/ }).getByRole('rowheader', { name: colleague.email }).waitFor();
  t.same((await as(app, admin.user, { method: 'GET', url: `/parties/${admin.party.id}/invitations` })).json<{ items: { email: string }[] }>().items.map((i) => i.email), [colleague.email], 'one open invitation, the mistaken one revoked');
  await checkAccessibility(t, page, 'party with its people');
  await screenshot(page, 'party-people', 'members');

  // The colleague, in a browser of its own, accepts from its parties' page and acts for the party.
  const other = await openConsole(t, app);
  await signInThroughPage(other, colleague);
  await other.open('/parties');
  await other.page.getByRole('heading', { name: '待接受的邀请' }).waitFor();
  await checkAccessibility(t, other.page, 'invitation to the user');
  await other.page.getByRole('button', { name: `接受邀请加入主体 ${admin.party.id.slice(0, 8)}` }).click();
  await other.page.getByRole('link', { name: admin.party.legalName }).waitFor();
  t.equal(await other.page.getByLabel('代表主体').inputValue(), admin.party.id, 'its only party is the one it acts for');

  // The admin makes the colleague an admin as well.
  await page.reload();
  await page.getByRole('button', { name: `将 ${colleague.id.slice(0, 8)} 设为管理员` }).click();
  await page.getByRole('button', { name: `将 ${colleague.id.slice(0, 8)} 改为成员` }).waitFor();
  t.match(await members(), [{ role: 'admin' }, { role: 'admin' }], 'two admins now');
  t.ok((await members()).some((m) => m.userId === colleague.id), 'the colleague is a member');
  t.same([...pageErrors, ...other.pageErrors], [], 'no script error and no refusal by the Content-Security-Policy');
});

t.test('a party registered with a double submission of the form is registered once', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const user = await signUp(app, ['provider'], 'registrant');
  const { page, open, pageErrors } = await openConsole(t, app);
  await signInThroughPage({ page, open }, user);
  await open('/parties');
  await page.getByLabel('名称', { exact: true }).fill('重庆两江数据服务有限公司');
  await page.getByLabel('法定代表人／负责人').fill('李明');
  await page.getByLabel('证件号码').fill(generateUscc());
  await page.getByLabel('联系人姓名').fill('李明');

  // Sent twice before the page could disable its button (a double click, a second Enter).
  const answers: Response[] = [];
  page.on('response', (r) => void (r.request().method() === 'POST' && new URL(r.url()).pathname === '/parties' && answers.push(r)));
  await page.locator('form').filter({ has: page.getByRole('heading', { name: '登记新主体' }) }).evaluate((form: HTMLFormElement) => (form.requestSubmit(), form.requestSubmit()));
  await page.getByRole('heading', { level: 1, name: '重庆两江数据服务有限公司' }).waitFor();
  for (const started = Date.now(); answers.length < 2 && Date.now() - started < 5000; ) await new Promise((r) => setTimeout(r, 20));
  t.equal(answers.length, 2, 'the form was sent twice');
  const [first, second] = answers.map((r) => r.request().headers()['idempotency-key']);
  t.match(first, consoleKey, 'under an Idempotency-Key');
  t.equal(second, first, 'the same content under the same key');
  t.equal(answers.filter((r) => r.status() === 201 && !r.headers()['idempotent-replayed']).length, 1, 'one answer made the party');
  t.same(answers.map((r) => r.headers()['idempotent-replayed'] ?? null).sort(), [null, 'true'], 'the second gets the first answer again');
  t.same(answers.map((r) => r.status()), [201, 201]);
  const mine = (await as(app, user, { method: 'GET', url: '/me/parties' })).json<{ items: { legalName: string }[] }>().items;
  t.same(mine.map((p) => p.legalName), ['重庆两江数据服务有限公司'], 'one party registered');
  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});
