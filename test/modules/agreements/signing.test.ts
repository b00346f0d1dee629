import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import t from 'tap';
import { rowsOf } from '../../../src/lib/database.js';
import { renderSealedCopy } from '../../../src/modules/agreements/document.js';
import { signaturesOf } from '../../../src/modules/agreements/signing.js';
import { agreements } from '../../../src/modules/agreements/tables.js';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { contentHash, draftTrade, poppler, recordingEvents, sampleOrder, signAs } from '../../helpers/agreements.js';
import { createVerifiedParty } from '../../helpers/identity.js';

t.test('both parties sign a trade agreement; the exchange seals it; pdfsig and the exchange verify it', async (t) => {
  const events = recordingEvents();
  const app = await buildTestApp(t, {}, { orderAgreementEvents: events });
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const providerParty = await createVerifiedParty(app, provider, operator);
  const buyerParty = await createVerifiedParty(app, buyer, operator);
  const outsider = await signUp(app, ['buyer']);
  await createVerifiedParty(app, outsider, operator);
  const order = sampleOrder(providerParty.id, buyerParty.id);
  const { agreementId } = await draftTrade(app, order);
  const firstHash = await contentHash(app, buyer, agreementId);

  expectProblem(t, await signAs(app, buyer, agreementId, firstHash, 'not my password'), 403, 'reauthentication-failed');
  expectProblem(t, await signAs(app, outsider, agreementId, firstHash), 404, 'not-found');
  const untouched = (await as(app, buyer, { method: 'GET', url: `/agreements/${agreementId}` })).json();
  t.match(untouched, { status: 'draft', signatures: [] }, 'a refused signature changes nothing');

  // The provider amends the draft: the buyer's copy is superseded.
  const amended = await as(app, provider, { method: 'PATCH', url: `/agreements/${agreementId}`, payload: { specialTerms: '乙方每季度报告使用情况。Party B reports its use quarterly.' } });
  t.equal(amended.statusCode, 200);
  t.equal(amended.json().revision, 2);
  t.not(amended.json().contentSha256, firstHash, 'a new revision, a new hash');
  expectProblem(t, await signAs(app, buyer, agreementId, firstHash), 409, 'agreement-superseded');

  const currentHash = amended.json().contentSha256;
  const first = await signAs(app, buyer, agreementId, currentHash);
  t.equal(first.statusCode, 201, first.body);
  t.match(first.json(), { status: 'awaiting_signatures', signatures: [{ partyId: buyerParty.id, userId: buyer.id, contentSha256: currentHash }] });
  expectProblem(t, await signAs(app, buyer, agreementId, currentHash), 409, 'already-signed');
  expectProblem(t, await as(app, provider, { method: 'PATCH', url: `/agreements/${agreementId}`, payload: { specialTerms: 'late change' } }), 409, 'invalid-state');
  t.equal(events.calls.length, 0, 'trading hears nothing before both have signed');

  const second = await signAs(app, provider, agreementId, currentHash);
  t.equal(second.statusCode, 201, second.body);
  const sealedView = second.json();
  t.equal(sealedView.status, 'signed');
  t.match(sealedView.sealedSha256, /^[0-9a-f]{64}$/);
  t.same(events.calls.map((c) => [c.orderId, c.agreementId]), [[order.id, agreementId]], 'trading is told once, in the sealing transaction');

  const staff = { partyId: null, staff: true };
  const summary = await app.agreements.summary(app.db, agreementId, staff);
  t.match(summary, { id: agreementId, status: 'signed', contentSha256: currentHash, sealedSha256: sealedView.sealedSha256, modelText: { kind: 'trade', version: 1 } }, 'the summary for the order record');
  t.equal(summary!.signatures.length, 2);
  t.equal(await app.agreements.summary(app.db, order.id, staff), null, 'no agreement by that id');

  // Each signature is an audit event both parties hold a receipt for.
  for (const [user, party] of [[buyer, buyerParty], [provider, providerParty]] as const) {
    const listed = await as(app, user, { method: 'GET', url: `/parties/${party.id}/audit-events?action=agreement.signed` });
    t.same(listed.json().items.map((e: { id: string }) => e.id).sort(), sealedView.signatures.map((s: { auditEventId: string }) => s.auditEventId).sort(), `${party.legalName} sees both signatures`);
  }

  const sealed = (await as(app, buyer, { method: 'GET', url: `/agreements/${agreementId}/pdf` })).rawPayload;
  t.equal(sealed.length, sealedView.sealedBytes);
  const sig = poppler('pdfsig', sealed);
  t.match(sig, /Signature is Valid\./, 'pdfsig: the seal is valid');
  t.match(sig, /Total document signed/, 'pdfsig: it covers the whole file');
  t.match(sig, /ETSI\.CAdES\.detached/, 'a PAdES signature');
  const text = poppler('pdftotext', sealed, ['-enc', 'UTF-8']);
  t.ok(text.includes('签署记录') && text.includes(providerParty.legalName) && text.includes(buyerParty.legalName), 'the signature page names both parties');
  t.ok(text.includes(order.purpose) && text.includes('Party B reports its use quarterly.'), 'and the content they signed');

  const verified = await app.inject({ method: 'POST', url: '/agreement-verifications', headers: { 'content-type': 'application/pdf' }, payload: sealed });
  t.equal(verified.statusCode, 200);
  t.match(verified.json(), {
    genuine: true,
    agreement: { number: sealedView.number, modelText: { kind: 'trade', version: 1 }, status: 'signed', sealReceipt: sealedView.sealAuditEventId },
    seal: { valid: true, coversWholeFile: true, exchangeCertificate: true },
  });
  t.equal(verified.json().agreement.signatures.length, 2, 'with the receipts of both signatures');
  const byHash = await app.inject({ method: 'GET', url: `/agreement-verifications/${sealedView.sealedSha256}` });
  t.match(byHash.json(), { genuine: true, agreement: { number: sealedView.number } });

  // One changed byte inside the signed content: both pdfsig and the exchange refuse it.
  const tampered = Buffer.from(sealed);
  const at = tampered.indexOf('/Producer');
  tampered[at + 12] = tampered[at + 12]! ^ 0x01;
  t.notMatch(poppler('pdfsig', tampered), /Signature is Valid\./, 'pdfsig: no longer valid');
  const refused = await app.inject({ method: 'POST', url: '/agreement-verifications', headers: { 'content-type': 'application/pdf' }, payload: tampered });
  t.match(refused.json(), { genuine: false, agreement: null, seal: { valid: false } });

  // The sealed copy is reproducible from the record.
  const [row] = await app.db.select().from(agreements).where(eq(agreements.id, agreementId));
  const again = await renderSealedCopy(app.agreements.ctx, row!, await signaturesOf(app.db, agreementId), row!.sealedAt!);
  t.ok(again.pdf.equals(sealed), 'the same record and signatures seal to the same bytes');
  expectProblem(t, await signAs(app, provider, agreementId, currentHash), 409, 'already-signed');
});

t.test('only an admin of a party to the agreement signs for it', async (t) => {
  const app = await buildTestApp(t, {}, { orderAgreementEvents: recordingEvents() });
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const providerParty = await createVerifiedParty(app, provider, operator);
  const buyerParty = await createVerifiedParty(app, buyer, operator);
  const { agreementId } = await draftTrade(app, sampleOrder(providerParty.id, buyerParty.id));
  const hash = await contentHash(app, buyer, agreementId);

  const clerk = await signUp(app, ['buyer']);
  const invitation = await as(app, buyer, { method: 'POST', url: `/parties/${buyerParty.id}/invitations`, payload: { email: clerk.email, role: 'member' } });
  await as(app, clerk, { method: 'POST', url: `/party-invitations/${invitation.json().id}/acceptance` });
  expectProblem(t, await signAs(app, clerk, agreementId, hash), 403, 'forbidden');
  const view = (await as(app, buyer, { method: 'GET', url: `/agreements/${agreementId}` })).json();
  t.same(view.signatures, [], 'nothing was signed');
  expectProblem(t, await signAs(app, operator, agreementId, hash), 403, 'forbidden');
});

t.test('a password in the body is not part of the fingerprint of an Idempotency-Key: no hash of it is kept, and the key is one request', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const providerParty = await createVerifiedParty(app, provider, operator);
  const buyerParty = await createVerifiedParty(app, buyer, operator);
  const { agreementId } = await draftTrade(app, sampleOrder(providerParty.id, buyerParty.id));
  const contentSha256 = await contentHash(app, buyer, agreementId);
  const sign = (password: string) => as(app, buyer, { method: 'POST', url: `/agreements/${agreementId}/signatures`, headers: { 'idempotency-key': '"sign-once"' }, payload: { contentSha256, password } });
  const signed = await sign(buyer.password);
  t.equal(signed.statusCode, 201, signed.body);
  const retried = await sign('another password entirely');
  t.equal(retried.statusCode, 201, 'not a 422 for a changed body: the same request');
  t.equal(retried.headers['idempotent-replayed'], 'true');
  t.equal(retried.body, signed.body);
  const stored = rowsOf<{ fingerprint: string }>(await app.db.execute(sql`select fingerprint from idempotency_keys where key like '%sign-once%'`));
  t.equal(stored.length, 1, 'the key was kept');
  const withPassword = createHash('sha256').update(['POST', '/agreements/:id/signatures', `/agreements/${agreementId}/signatures`, JSON.stringify({ contentSha256, password: buyer.password })].join('\n')).digest('hex');
  t.not(stored[0]!.fingerprint, withPassword, 'the fingerprint is not a hash over the password');
});
