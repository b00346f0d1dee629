import t from 'tap';
import { installModelTexts, loadShippedModelTexts } from '../../../src/modules/agreements/model-texts.js';
import { shippedTemplatesDir } from '../../../src/modules/agreements/index.js';
import { parseModelText } from '../../../src/modules/agreements/model-text.js';
import { sweepExpiredAgreements } from '../../../src/modules/agreements/lifecycle.js';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { contentHash, draftTrade, recordingEvents, sampleOrder, signAs } from '../../helpers/agreements.js';
import { createVerifiedParty } from '../../helpers/identity.js';

async function signedTrade(app: Parameters<typeof draftTrade>[0], provider: TestUser, buyer: TestUser, providerPartyId: string, buyerPartyId: string, term: { start: string; end: string }) {
  const { agreementId } = await draftTrade(app, sampleOrder(providerPartyId, buyerPartyId, { term }));
  const hash = await contentHash(app, buyer, agreementId);
  for (const user of [buyer, provider]) if ((await signAs(app, user, agreementId, hash)).statusCode !== 201) throw new Error('sign');
  return { agreementId, hash };
}

t.test('the timer in every process expires agreements whose term has ended; operators terminate early', async (t) => {
  const app = await buildTestApp(t, { agreementSweepIntervalMs: 1000 }, { orderAgreementEvents: recordingEvents() });
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const a = await createVerifiedParty(app, provider, operator);
  const b = await createVerifiedParty(app, buyer, operator);

  const past = await signedTrade(app, provider, buyer, a.id, b.id, { start: '2025-01-01', end: '2025-02-01' });
  let status = '';
  for (let i = 0; i < 40 && status !== 'expired'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    status = (await as(app, buyer, { method: 'GET', url: `/agreements/${past.agreementId}` })).json().status;
  }
  t.equal(status, 'expired', 'expired by the sweep timer, without anyone asking');

  const current = await signedTrade(app, provider, buyer, a.id, b.id, { start: '2026-01-01', end: '2099-12-31' });
  const verifiedBefore = (await app.inject({ method: 'GET', url: `/agreement-verifications/${(await as(app, buyer, { method: 'GET', url: `/agreements/${current.agreementId}` })).json().sealedSha256}` })).json();
  t.match(verifiedBefore, { genuine: true, agreement: { status: 'signed', inForce: true } });
  t.same(verifiedBefore.agreement.term, { start: '2026-01-01', end: '2099-12-31' }, 'the public check states the term as calendar days too');

  expectProblem(t, await as(app, buyer, { method: 'POST', url: `/agreements/${current.agreementId}/termination`, payload: { reason: 'no longer needed' } }), 403, 'forbidden');
  const ended = await as(app, operator, { method: 'POST', url: `/agreements/${current.agreementId}/termination`, payload: { reason: '订单已撤销 the order was cancelled' } });
  t.equal(ended.statusCode, 200, ended.body);
  t.match(ended.json(), { status: 'terminated', terminationReason: '订单已撤销 the order was cancelled', inForce: false });
  expectProblem(t, await as(app, operator, { method: 'POST', url: `/agreements/${current.agreementId}/termination`, payload: { reason: 'again' } }), 409, 'invalid-state');
  const missing = (await as(app, operator, { method: 'GET', url: '/agreement-disposals/missing' })).json();
  t.same(missing.items.map((m: { agreement: { id: string } }) => m.agreement.id).sort(), [past.agreementId, current.agreementId].sort(), 'both ended agreements await a disposal certificate');
  const overdue = (id: string) => missing.items.find((m: { agreement: { id: string } }) => m.agreement.id === id).overdue;
  t.equal(overdue(past.agreementId), true, 'the term ended on 2025-02-01: overdue, though the sweep saw it only now');
  t.equal(overdue(current.agreementId), false, 'terminated just now: not overdue yet');

  // Kept under a new agreement: it must be a signed one between the same parties.
  const successor = await signedTrade(app, provider, buyer, a.id, b.id, { start: '2026-01-01', end: '2099-12-31' });
  const successorNumber = (await as(app, buyer, { method: 'GET', url: `/agreements/${successor.agreementId}` })).json().number;
  const kept = await as(app, buyer, { method: 'POST', url: `/agreements/${current.agreementId}/disposal`, payload: { method: 'retained_under_new_agreement', statement: '依新协议继续保留', newAgreementNumber: successorNumber } });
  t.equal(kept.statusCode, 201, kept.body);
  t.match(kept.json().disposal, { method: 'retained_under_new_agreement', newAgreementNumber: successorNumber });
});

t.test('the disposal deadline counts from the end of the term, however late the sweep notices it', async (t) => {
  const app = await buildTestApp(t, { agreementDisposalDays: 30 }, { orderAgreementEvents: recordingEvents() });
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const a = await createVerifiedParty(app, provider, operator);
  const b = await createVerifiedParty(app, buyer, operator);
  const ended = await signedTrade(app, provider, buyer, a.id, b.id, { start: '2024-12-01', end: '2025-01-31' });
  // Terminated after its term ended but before any sweep: it still ended with its term.
  const lateTermination = await signedTrade(app, provider, buyer, a.id, b.id, { start: '2024-12-01', end: '2025-01-15' });
  t.equal((await as(app, operator, { method: 'POST', url: `/agreements/${lateTermination.agreementId}/termination`, payload: { reason: '订单已撤销' } })).statusCode, 200);
  const running = await signedTrade(app, provider, buyer, a.id, b.id, { start: '2026-01-01', end: '2099-12-31' });
  t.equal((await as(app, operator, { method: 'POST', url: `/agreements/${running.agreementId}/termination`, payload: { reason: '违约 a breach' } })).statusCode, 200);

  // The first sweep ever runs today, nearly two years after the term ended.
  await sweepExpiredAgreements(app.db);
  const view = (await as(app, buyer, { method: 'GET', url: `/agreements/${ended.agreementId}` })).json();
  t.match(view, { status: 'expired', term: { start: '2024-12-01', end: '2025-01-31' }, expiredAt: '2025-01-31T15:59:59.999Z' }, 'it expired when its last day in Asia/Shanghai ended');

  const overdue = (await as(app, operator, { method: 'GET', url: '/agreement-disposals/missing?overdue=true' })).json();
  const byId = new Map(overdue.items.map((m: { agreement: { id: string } }) => [m.agreement.id, m]));
  t.match(byId.get(ended.agreementId), { overdue: true, endedAt: '2025-01-31T15:59:59.999Z', dueAt: '2025-03-02T15:59:59.999Z' }, 'due 30 days after the term ended');
  t.match(byId.get(lateTermination.agreementId), { overdue: true, endedAt: '2025-01-15T15:59:59.999Z' }, 'a termination after the term does not move its end');
  t.notOk(byId.has(running.agreementId), 'terminated today: due in 30 days, not overdue');
  const all = (await as(app, operator, { method: 'GET', url: '/agreement-disposals/missing' })).json();
  t.same(all.items.map((m: { agreement: { id: string } }) => m.agreement.id), [lateTermination.agreementId, ended.agreementId, running.agreementId], 'oldest end first');
});

t.test('a draft copy is not the binding agreement; an unknown hash is nobody’s', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const a = await createVerifiedParty(app, provider, operator);
  const b = await createVerifiedParty(app, buyer, operator);
  const { agreementId } = await draftTrade(app, sampleOrder(a.id, b.id));
  const draft = (await as(app, buyer, { method: 'GET', url: `/agreements/${agreementId}/pdf` })).rawPayload;
  const res = await app.inject({ method: 'POST', url: '/agreement-verifications', headers: { 'content-type': 'application/pdf' }, payload: draft });
  t.match(res.json(), { genuine: false, reason: /unsealed draft/, agreement: { status: 'draft' }, seal: { valid: false } });
  t.match((await app.inject({ method: 'GET', url: `/agreement-verifications/${'0'.repeat(64)}` })).json(), { genuine: false, agreement: null, seal: null });
  const notPdf = await app.inject({ method: 'POST', url: '/agreement-verifications', headers: { 'content-type': 'application/pdf' }, payload: Buffer.from('hello') });
  t.match(notPdf.json(), { genuine: false, reason: /no digital signature/ });
});

t.test('a shipped model text that changed after agreements were made from it stops the start', async (t) => {
  const app = await buildTestApp(t);
  const texts = loadShippedModelTexts(shippedTemplatesDir);
  await t.resolves(installModelTexts(app.db, texts), 'installing the same texts again changes nothing');
  const trade = texts.find((m) => m.kind === 'trade')!;
  const edited = parseModelText(trade.source.replace('第一条 协议各方', '第一条 当事人'));
  await t.rejects(installModelTexts(app.db, [edited]), /templates\/trade\.v1\.txt differs from version 1 on record .*publish changes as a new version/);
});
