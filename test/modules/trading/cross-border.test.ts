// Art. 39: an overseas buyer orders personal information or important/core data only with a
// security assessment, recorded by an operator for that buyer and listing, still in force.
import t from 'tap';
import { as, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { listedProduct } from '../../helpers/catalog.js';
import { fullChecklist, samplePdf } from '../../helpers/identity.js';
import { sampleOrder, tradingWorld, buildTradingApp } from '../../helpers/trading.js';

async function overseasBuyer(app: Parameters<typeof signUp>[0], clerk: TestUser): Promise<{ user: TestUser; partyId: string }> {
  const user = await signUp(app, ['buyer'], 'overseas');
  const res = await as(app, user, {
    method: 'POST',
    url: '/parties',
    payload: { kind: 'company', legalName: 'Example GmbH', representative: 'Erika Mustermann', contacts: [{ name: 'Erika', email: 'erika@example.de' }], identityNumber: 'HRB 123456', overseas: { country: 'DE', documentType: 'registration' } },
  });
  const partyId = res.json<{ id: string }>().id;
  const acting = { ...user, auth: { ...user.auth, 'x-party-id': partyId } };
  await as(app, acting, { method: 'POST', url: `/parties/${partyId}/documents?kind=business_licence`, headers: { 'content-type': 'application/pdf' }, payload: samplePdf() });
  await as(app, acting, { method: 'POST', url: `/parties/${partyId}/submission` });
  const review = await as(app, clerk, { method: 'POST', url: `/parties/${partyId}/reviews`, payload: { decision: 'verified', checklist: fullChecklist, reasons: '' } });
  if (review.statusCode !== 200) throw new Error(`verify overseas party: ${review.body}`);
  return { user: acting, partyId };
}

t.test('the cross-border guard', async (t) => {
  const app = await buildTradingApp(t);
  const { clerk, provider, buyer, product: plain } = await tradingWorld(app);
  const overseas = await overseasBuyer(app, clerk);
  const personal = await listedProduct(app, provider.user, clerk, { personalInformation: { contains: true, subjectCount: 120_000 } });
  const important = await listedProduct(app, provider.user, clerk, { grade: 'important' });
  const order = (user: TestUser, listingId: string) => as(app, user, { method: 'POST', url: '/orders', payload: sampleOrder(listingId) });
  const assess = (listingId: string, dates: { assessedOn: string; expiresOn: string }, buyerPartyId = overseas.partyId) =>
    as(app, clerk, { method: 'POST', url: '/trading/security-assessments', payload: { buyerPartyId, listingId, reference: 'CAC-2026-0042', scope: 'Ridership aggregates, research use in the EU', ...dates } });

  t.test('general data without personal information may go abroad', async (t) => {
    t.equal((await order(overseas.user, plain.id)).statusCode, 201);
  });

  t.test('personal information and important data are refused without an assessment, naming the rule', async (t) => {
    const before = (await as(app, overseas.user, { method: 'GET', url: '/orders/purchases' })).json<{ items: unknown[] }>().items.length;
    const refused = expectProblem(t, await order(overseas.user, personal.id), 403, 'cross-border-assessment-required') as { rule?: string; reasons?: string[]; detail?: string };
    t.equal(refused.rule, 'art-39-cross-border-security-assessment');
    t.same(refused.reasons, ['personal_information']);
    t.match(refused.detail, /Art\. 39/);
    const graded = expectProblem(t, await order(overseas.user, important.id), 403, 'cross-border-assessment-required') as { reasons?: string[] };
    t.same(graded.reasons, ['important_data']);
    t.equal((await as(app, overseas.user, { method: 'GET', url: '/orders/purchases' })).json<{ items: unknown[] }>().items.length, before);
    t.equal((await order(buyer.user, personal.id)).statusCode, 201, 'a mainland buyer is not affected');
  });

  t.test('an expired assessment, or one for another listing, does not count; one in force does', async (t) => {
    t.equal((await assess(personal.id, { assessedOn: '2024-01-01', expiresOn: '2025-01-01' })).statusCode, 201);
    t.equal((await assess(important.id, { assessedOn: '2026-01-01', expiresOn: '2099-01-01' })).statusCode, 201);
    expectProblem(t, await order(overseas.user, personal.id), 403, 'cross-border-assessment-required');
    t.equal((await assess(personal.id, { assessedOn: '2026-01-01', expiresOn: '2099-01-01' })).statusCode, 201);
    t.equal((await order(overseas.user, personal.id)).statusCode, 201);
    t.equal((await order(overseas.user, important.id)).statusCode, 201);
  });

  t.test('assessments are recorded by operators, for overseas parties, with a sane period', async (t) => {
    expectProblem(t, await assess(personal.id, { assessedOn: '2026-01-01', expiresOn: '2025-01-01' }), 400, 'validation-failed');
    expectProblem(t, await assess(personal.id, { assessedOn: '2026-01-01', expiresOn: '2027-01-01' }, buyer.party.id), 400, 'validation-failed');
    expectProblem(t, await as(app, buyer.user, { method: 'POST', url: '/trading/security-assessments', payload: {} }), 403, 'forbidden');
    const listed = (await as(app, clerk, { method: 'GET', url: `/trading/security-assessments?buyerPartyId=${overseas.partyId}&limit=2` })).json<{ items: { reference: string }[]; next: string | null }>();
    t.equal(listed.items.length, 2);
    t.ok(listed.next);
  });

  t.test('a buyer reads the assessments recorded for its own party, and no other party’s', async (t) => {
    const own = await as(app, overseas.user, { method: 'GET', url: '/trading/security-assessments?limit=100' });
    t.equal(own.statusCode, 200);
    const items = own.json<{ items: { buyerPartyId: string }[] }>().items;
    t.ok(items.length >= 3, 'the assessments recorded for it');
    t.ok(items.every((a) => a.buyerPartyId === overseas.partyId), 'only its own');
    const named = await as(app, overseas.user, { method: 'GET', url: `/trading/security-assessments?buyerPartyId=${overseas.partyId}&listingId=${personal.id}` });
    t.ok(named.json<{ items: { listingId: string }[] }>().items.every((a) => a.listingId === personal.id), 'by listing');
    const mainland = await as(app, buyer.user, { method: 'GET', url: '/trading/security-assessments' });
    t.same(mainland.json<{ items: unknown[] }>().items, [], 'a mainland buyer has none, and sees none of another party');
    expectProblem(t, await as(app, buyer.user, { method: 'GET', url: `/trading/security-assessments?buyerPartyId=${overseas.partyId}` }), 404, 'not-found');
    expectProblem(t, await as(app, provider.user, { method: 'GET', url: '/trading/security-assessments' }), 403, 'forbidden');
    expectProblem(t, await as(app, overseas.user, { method: 'GET', url: '/trading/security-assessments?buyerPartyId=not-a-uuid' }), 400, 'validation-failed');
  });
});
