import t from 'tap';
import { renderAgreementPdf } from '../../../src/modules/agreements/pdf.js';
import { documentOf } from '../../../src/modules/agreements/document.js';
import { agreements } from '../../../src/modules/agreements/tables.js';
import { eq } from 'drizzle-orm';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { contentHash, draftTrade, poppler, sampleOrder } from '../../helpers/agreements.js';
import { createVerifiedParty } from '../../helpers/identity.js';

t.test('an order gets its trade agreement: numbered, masked parties, clauses filled from the order, a PDF of its own', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const providerParty = await createVerifiedParty(app, provider, operator);
  const buyerParty = await createVerifiedParty(app, buyer, operator, 'person');
  const order = sampleOrder(providerParty.id, buyerParty.id);

  const drafted = await draftTrade(app, order);
  t.match(drafted.number, /^DTA-\d{4}-\d{6}$/);
  t.same(await draftTrade(app, order), drafted, 'a second call for the same order answers the same agreement');

  const res = await as(app, buyer, { method: 'GET', url: `/agreements/${drafted.agreementId}` });
  t.equal(res.statusCode, 200);
  const view = res.json();
  t.equal(view.status, 'draft');
  t.equal(view.kind, 'trade');
  t.equal(view.orderId, order.id);
  t.match(view.modelText, { kind: 'trade', version: 1, sha256: /^[0-9a-f]{64}$/ });
  t.equal(view.parties[1].identityNumberMasked.includes(buyerParty.identityNumber), false, 'identity numbers are masked');
  t.match(view.parties[1].identityNumberMasked, /^.{4}\*+.{4}$/);
  t.match(view.clauses.find((c: { id: string }) => c.id === 'purpose').body.zh, order.purpose);
  t.equal(view.dataList[0].sha256, order.dataset!.sha256);
  t.same(view.term, { start: '2026-12-01', end: '2027-11-30' }, 'the term as the order and the PDF state it: first and last calendar day in Asia/Shanghai');
  t.same(view.term, order.term);

  const other = await signUp(app, ['buyer']);
  await createVerifiedParty(app, other, operator);
  expectProblem(t, await as(app, other, { method: 'GET', url: `/agreements/${drafted.agreementId}` }), 404, 'not-found');
  t.equal((await as(app, operator, { method: 'GET', url: `/agreements/${drafted.agreementId}` })).statusCode, 200, 'operators supervise');

  const pdf = await as(app, provider, { method: 'GET', url: `/agreements/${drafted.agreementId}/pdf?copy=draft` });
  t.equal(pdf.statusCode, 200);
  t.equal(pdf.headers['content-type'], 'application/pdf');
  t.equal(pdf.headers['x-content-sha256'], view.contentSha256);
  t.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');

  const text = poppler('pdftotext', pdf.rawPayload, ['-enc', 'UTF-8']);
  for (const needle of ['数据交易协议', 'Data Trade Agreement', drafted.number, '使用目的', 'Purpose', order.purpose, order.scenario, '2026-12-01', '2027-11-30', '期满后数据的处置', 'Disposal of the data', '12,500.00 CNY']) {
    t.ok(text.includes(needle), `the PDF text holds ${needle}`);
  }
  t.notOk(text.includes(buyerParty.identityNumber), 'no full identity number in the PDF');
  t.match(text, /第 1 页 \/ 共 \d+ 页/, 'a footer with page numbers');
});

t.test('the same record renders byte-identical, so its hash names the content', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const a = await createVerifiedParty(app, provider, operator);
  const b = await createVerifiedParty(app, buyer, operator);
  const { agreementId } = await draftTrade(app, sampleOrder(a.id, b.id));
  const [row] = await app.db.select().from(agreements).where(eq(agreements.id, agreementId));
  const first = await renderAgreementPdf(app.agreements.ctx.font, documentOf(row!));
  const second = await renderAgreementPdf(app.agreements.ctx.font, documentOf(row!));
  t.ok(first.equals(second), 'byte for byte');
  const served = await as(app, buyer, { method: 'GET', url: `/agreements/${agreementId}/pdf` });
  t.ok(served.rawPayload.equals(first), 'the stored copy is the one the record renders');
  t.equal(await contentHash(app, buyer, agreementId), row!.contentSha256);
});

t.test('a very long Chinese clause wraps and paginates with nothing cut off', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const a = await createVerifiedParty(app, provider, operator);
  const b = await createVerifiedParty(app, buyer, operator);
  const sentence = (i: number) => `第${i}项措施：数据在传输和存储时均加密，访问须经审批并留存日志，定期开展安全评估与应急演练。`;
  const safeguards = Array.from({ length: 120 }, (_, i) => sentence(i + 1)).join('') + '全文完毕END';
  const { agreementId } = await draftTrade(app, sampleOrder(a.id, b.id, { safeguards }));
  const pdf = (await as(app, buyer, { method: 'GET', url: `/agreements/${agreementId}/pdf` })).rawPayload;
  const text = poppler('pdftotext', pdf, ['-enc', 'UTF-8']).replace(/\s+/g, '');
  const pages = Number(/共(\d+)页/.exec(text)?.[1]);
  t.ok(pages >= 4, `the clause runs over several pages (${pages})`);
  for (const i of [1, 60, 120]) t.ok(text.includes(sentence(i)), `sentence ${i} is there whole`);
  t.ok(text.includes('全文完毕END'), 'the end of the clause is not cut off');
  t.ok(text.indexOf('全文完毕END') < text.indexOf('第七条'), 'and the next clause follows it');
});
