import t from 'tap';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { listedProduct, verifiedProvider } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot, signIn } from '../helpers/console.js';
import { fullChecklist, samplePdf } from '../helpers/identity.js';

/**
 * Art. 39 in the console: the operator reads an overseas party's page, records the security
 * assessment for it and a listing of personal information (an expiry before the assessment refused
 * in Chinese first), and finds it on the list of every assessment.
 */
t.test('an operator records a cross-border security assessment on an overseas party’s page', { skip: noBrowser }, async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedProvider(app, clerk);
  const personal = await listedProduct(app, provider.user, clerk, { personalInformation: { contains: true, subjectCount: 120_000 } });
  const user = await signUp(app, ['buyer'], 'overseas');
  const partyId = (await as(app, user, {
    method: 'POST',
    url: '/parties',
    payload: { kind: 'company', legalName: 'Example GmbH', representative: 'Erika Mustermann', contacts: [{ name: 'Erika', email: 'erika@example.de' }], identityNumber: 'HRB 123456', overseas: { country: 'DE', documentType: 'registration' } },
  })).json<{ id: string }>().id;
  const buyer = { ...user, auth: { ...user.auth, 'x-party-id': partyId } };
  await as(app, buyer, { method: 'POST', url: `/parties/${partyId}/documents?kind=business_licence`, headers: { 'content-type': 'application/pdf' }, payload: samplePdf() });
  await as(app, buyer, { method: 'POST', url: `/parties/${partyId}/submission` });
  t.equal((await as(app, clerk, { method: 'POST', url: `/parties/${partyId}/reviews`, payload: { decision: 'verified', checklist: fullChecklist, reasons: '' } })).statusCode, 200, 'the overseas party is verified');

  const session = await openConsole(t, app);
  const { page, pageErrors } = session;
  await signIn(session, clerk);
  await session.open(`/review/parties/${partyId}`);
  await page.getByText('境外主体（DE）', { exact: false }).waitFor();
  await page.getByRole('table', { name: '为该主体记录的安全评估（0 项）' }).or(page.getByText('没有已记录的安全评估。')).first().waitFor();
  await page.getByLabel('数据产品 id').fill(personal.id);
  await page.getByLabel('评估文号').fill('CAC-2026-0042');
  await page.getByLabel('评估日期').fill('2026-01-10');
  await page.getByLabel('有效期届满日').fill('2025-01-10');
  await page.getByLabel('评估范围').fill('乘客出行记录，用于欧盟境内的学术研究');
  await page.getByRole('button', { name: '记录评估' }).click();
  t.match(await page.getByRole('alert').textContent(), /安全评估的有效期届满日须晚于评估日/, 'the API’s refusal in Chinese');
  await page.getByLabel('有效期届满日').fill('2099-01-10');
  await page.getByRole('button', { name: '记录评估' }).click();
  await page.getByRole('table', { name: '为该主体记录的安全评估（1 项）' }).getByText('CAC-2026-0042').waitFor();
  await checkAccessibility(t, page, 'overseas party with its assessment');
  await screenshot(page, 'overseas', 'party-assessment');
  const held = (await as(app, clerk, { method: 'GET', url: `/trading/security-assessments?buyerPartyId=${partyId}` })).json<{ items: { listingId: string; expiresOn: string }[] }>();
  t.match(held.items, [{ listingId: personal.id, expiresOn: '2099-01-10' }], 'the API holds one assessment, the corrected one');
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '出境安全评估' }).click();
  await page.getByRole('table', { name: '已记录的安全评估（1 项）' }).waitFor();
  await checkAccessibility(t, page, 'security assessments');

  t.same(pageErrors, [], 'no script or CSP error in the page');
});
