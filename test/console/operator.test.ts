import t from 'tap';
import { prepareFirstRunSetup } from '../../src/modules/accounts/setup.js';
import { buildTestApp, type TestUser } from '../helpers/app.js';
import { completeDraft, submit } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot, shows } from '../helpers/console.js';
import { generateUscc, samplePdf } from '../helpers/identity.js';

/**
 * The operator's journey through the pages, in a real browser: the first run's setup, signing out
 * and in (a wrong password shows the API's own words), Chinese first and English on request,
 * a party verified with its documents and checklist, a listing approved with its provenance,
 * ground and checklist; the provider registers and submits its company through its own pages in
 * a second browser context. The provider's listing is seeded through the API.
 */

const OPERATOR = { email: 'ops@exchange.example', password: 'operator passphrase 1', displayName: '交易所运营员' };

t.test('the first operator sets the exchange up, then verifies a party and approves a listing through the pages', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const setup = await prepareFirstRunSetup(app.db, app.config.dataDir);
  if (!setup || !('token' in setup)) throw new Error('a new exchange makes a setup token');
  const { page, open, pageErrors } = await openConsole(t, app);

  // Signed out, every page leads to sign-in, in Chinese.
  await open('/review/parties');
  await page.getByRole('heading', { level: 1, name: '登录' }).waitFor();
  t.match(page.url(), /\/console\/sign-in\?next=%2Freview%2Fparties$/, 'signing in first, and back to the page asked for afterwards');
  t.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await checkAccessibility(t, page, 'sign-in');

  // First run: the setup token makes the first operator, who is signed in at once.
  await page.getByRole('link', { name: '首次启动：创建第一个运营人员账号' }).click();
  await page.getByRole('heading', { level: 1, name: '创建第一个运营人员' }).waitFor();
  await checkAccessibility(t, page, 'first-run setup');
  await page.getByLabel('设置令牌').fill(setup.token);
  await page.getByLabel('电子邮箱').fill(OPERATOR.email);
  await page.getByLabel('显示名称').fill(OPERATOR.displayName);
  await page.getByLabel('设置密码').fill(OPERATOR.password);
  await page.getByRole('button', { name: '创建并登录' }).click();
  await page.getByRole('heading', { level: 1, name: '通知' }).waitFor();
  t.ok(await shows(page.getByText(`${OPERATOR.displayName} · 交易所运营`)), 'signed in as the new operator');
  await checkAccessibility(t, page, 'notifications (operator)');

  // The token is spent: the API refuses a second setup, and the page shows the API's words.
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('heading', { level: 1, name: '登录' }).waitFor();
  const refusedLogin = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'accept-language': 'zh-CN' }, payload: { email: OPERATOR.email, password: 'not the passphrase' } });
  const refusal = refusedLogin.json<{ title: string }>();
  await page.getByLabel('电子邮箱').fill(OPERATOR.email);
  await page.getByLabel('密码').fill('not the passphrase');
  await page.getByRole('button', { name: '登录' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  t.match(await alert.textContent(), refusal.title, `a wrong password shows the API's problem title ("${refusal.title}")`);

  // English on request, remembered across a reload; then back to Chinese.
  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  t.equal(await page.locator('html').getAttribute('lang'), 'en', 'the page says which language it is in');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  t.pass('the choice of language is remembered');
  await page.getByLabel('E-mail').fill(OPERATOR.email);
  await page.getByLabel('Password').fill('not the passphrase');
  const englishLogin = page.waitForRequest((r) => r.url().endsWith('/auth/login'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  t.match((await englishLogin).headers()['accept-language'], /^en\b/, 'the API is asked for English words');
  await page.getByRole('alert').waitFor();
  await page.getByLabel('Language').selectOption('zh');
  await page.getByRole('heading', { level: 1, name: '登录' }).waitFor();

  await page.getByLabel('电子邮箱').fill(OPERATOR.email);
  await page.getByLabel('密码').fill(OPERATOR.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { level: 1, name: '通知' }).waitFor();

  // A provider, in a browser of its own, registers, registers its company, uploads the business
  // licence and submits the company for verification.
  const provider = await openConsole(t, app);
  const providerAccount = { email: 'seller@example.cn', password: 'seller passphrase 1' };
  const party = { legalName: '重庆数联科技有限公司', identityNumber: generateUscc() };
  await provider.open('/register');
  await provider.page.getByLabel('电子邮箱').fill(providerAccount.email);
  await provider.page.getByLabel('显示名称').fill('数联科技');
  await provider.page.getByLabel('设置密码').fill(providerAccount.password);
  await provider.page.getByLabel('数据需求方').uncheck();
  await provider.page.getByLabel('数据提供方').check();
  await provider.page.getByRole('button', { name: '注册并登录' }).click();
  await provider.page.getByRole('heading', { level: 1, name: '通知' }).waitFor();
  await provider.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的主体' }).click();
  await provider.page.getByRole('heading', { level: 1, name: '我的主体' }).waitFor();
  await checkAccessibility(t, provider.page, 'my parties');
  await provider.page.getByLabel('名称').fill(party.legalName);
  await provider.page.getByLabel('法定代表人／负责人').fill('李明');
  await provider.page.getByLabel('证件号码').fill(party.identityNumber);
  await provider.page.getByLabel('联系人姓名').fill('王芳');
  await provider.page.getByLabel('联系人邮箱').fill('wangfang@example.cn');
  await provider.page.getByRole('button', { name: '登记', exact: true }).click();
  await provider.page.getByRole('heading', { level: 1, name: party.legalName }).waitFor();
  t.equal(await provider.page.getByLabel('代表主体').inputValue(), await provider.page.evaluate(() => location.pathname.split('/').pop()), 'its only party is the one it acts for');
  await provider.page.getByLabel('文件（PDF、PNG 或 JPEG）').setInputFiles({ name: 'licence.pdf', mimeType: 'application/pdf', buffer: samplePdf() });
  await provider.page.getByRole('button', { name: '上传' }).click();
  await provider.page.getByText(/^营业执照 · application\/pdf/).waitFor();
  await checkAccessibility(t, provider.page, 'my party');
  await provider.page.getByRole('button', { name: '提交核验' }).click();
  await provider.page.getByText('已提交，等待运营人员核验。').waitFor();
  const providerLogin = (await app.inject({ method: 'POST', url: '/auth/login', payload: providerAccount })).json<{ accessToken: string; refreshToken: string }>();
  const providerUser: TestUser = { id: '', ...providerAccount, roles: ['provider'], ...providerLogin, auth: { authorization: `Bearer ${providerLogin.accessToken}` } };
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: OPERATOR.email, password: OPERATOR.password } });
  const asOperator = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${login.json<{ accessToken: string }>().accessToken}` } });

  // The verification queue, the party's page with its document, the decision with its checklist.
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '主体核验' }).click();
  await page.getByRole('heading', { level: 1, name: '主体核验队列' }).waitFor();
  await checkAccessibility(t, page, 'party verification queue');
  await page.getByRole('link', { name: party.legalName }).click();
  await page.getByRole('heading', { level: 1, name: `核验：${party.legalName}` }).waitFor();
  const masked = party.identityNumber.slice(0, 4);
  t.ok(await shows(page.getByText(new RegExp(`^${masked}\\*+`))), 'the identity number is shown masked');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载营业执照' }).click()]);
  t.match(download.suggestedFilename(), /^营业执照-[0-9a-f]{8}\.pdf$/, 'the document downloads with the operator’s token');
  t.match(await streamText(await download.createReadStream()), /^%PDF-1\.4/, 'the bytes the provider uploaded');
  await checkAccessibility(t, page, 'party review');
  for (const item of ['证件号码与材料一致', '名称与材料一致', '法定代表人／负责人已确认', '材料清晰且在有效期内']) await page.getByLabel(item).check();
  await page.getByLabel('核验通过').check();
  await page.getByRole('button', { name: '提交核验结论' }).click();
  await page.getByText('已记录核验结论：核验通过。').waitFor();
  await screenshot(page, 'operator', 'party-review');
  const partyId = (await asOperator('/parties?status=verified')).json<{ items: { id: string; legalName: string }[] }>().items.find((p) => p.legalName === party.legalName)!.id;
  const verified = await asOperator(`/parties/${partyId}`);
  t.equal(verified.json<{ verificationStatus: string }>().verificationStatus, 'verified', 'the API holds the decision');

  // The verified provider submits a listing; the operator reviews it with provenance, ground and checklist.
  const draft = await completeDraft(app, providerUser);
  await submit(app, providerUser, draft.id);
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '监管概览' }).click();
  await page.getByRole('heading', { level: 1, name: '监管概览' }).waitFor();
  const waiting = page.getByRole('row', { name: /待审核的数据产品/ });
  t.equal(await waiting.getByRole('cell').nth(0).textContent(), '1', 'the overview counts the listing waiting for review');
  t.equal(await page.locator('meter').count(), 17, 'and charts the orders by each of their statuses');
  await checkAccessibility(t, page, 'supervision overview');
  await screenshot(page, 'operator', 'overview');
  await waiting.getByRole('link', { name: '待审核的数据产品' }).click();
  await page.getByRole('heading', { level: 1, name: '产品审核队列' }).waitFor();
  await checkAccessibility(t, page, 'listing review queue');
  await page.getByRole('link', { name: '重庆市公共交通客流数据' }).click();
  await page.getByRole('heading', { level: 1, name: '审核：重庆市公共交通客流数据' }).waitFor();
  for (const heading of ['数据来源声明', '数据血缘', '第二十六条交易依据', '数据集文件', '合规审核清单']) {
    t.ok(await shows(page.getByRole('heading', { name: heading }).or(page.getByText(heading, { exact: true })).first()), `the review shows ${heading}`);
  }
  t.ok(await shows(page.getByText('Card readers on buses record each boarding')), 'the declared collection method');
  t.ok(await shows(page.getByText(draft.evidence.sha256).first()), 'the evidence by its hash');
  t.ok(await shows(page.getByText(draft.version.sha256)), 'the dataset’s declared hash');
  await checkAccessibility(t, page, 'listing review');
  for (const item of ['已说明数据来源', '交易依据及证明材料充分', '提供方身份已核验', '公共数据标识正确', '个人信息处理合规', '数据分级恰当']) await page.getByLabel(item, { exact: true }).check();
  await page.getByLabel('“已说明数据来源”的说明').fill('自身经营数据，许可证在案');
  await page.getByLabel('通过并上架').check();
  await page.getByLabel('审核意见').fill('符合要求');
  await page.getByRole('button', { name: '提交审核结论' }).click();
  await page.getByText('已记录审核结论：通过并上架。').waitFor();
  await screenshot(page, 'operator', 'listing-review');
  const listed = await asOperator(`/catalog/listings/${draft.id}`);
  t.equal(listed.json<{ status: string }>().status, 'listed', 'the listing is on sale');
  const reviews = await asOperator(`/catalog/listings/${draft.id}/reviews`);
  t.match(reviews.json(), [{ decision: 'approved', notes: '符合要求', checklist: [{ requirement: 'source_stated', satisfied: true, note: '自身经营数据，许可证在案' }] }], 'with the checklist as ticked');

  t.same([...pageErrors, ...provider.pageErrors], [], 'no script error and no refusal by the Content-Security-Policy');
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}
