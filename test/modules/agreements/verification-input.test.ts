// POST /agreement-verifications is public: anyone may send any bytes. Whatever arrives (no body at
// all, a cut-off or bloated file, a seal whose CMS lies about its lengths, nests without end, or is
// signed by another key), the answer is a clear problem+json or a 200 that says "not genuine", never
// a server error. The malformed inputs are drawn with fast-check from a fixed seed (FUZZ_SEED).
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import PDFDocument from 'pdfkit';
import t, { type Test } from 'tap';
import { sealKeyOf, signDetached } from '../../../src/modules/agreements/cms.js';
import { createSeal, loadSealKey, type Seal } from '../../../src/modules/agreements/seal.js';
import { createSelfSignedSealP12 } from '../../../src/modules/agreements/seal-file.js';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { contentHash, draftTrade, recordingEvents, sampleOrder, signAs } from '../../helpers/agreements.js';
import { createVerifiedParty } from '../../helpers/identity.js';

const SEED = Number(process.env.FUZZ_SEED ?? 7_2024);
const RUNS = 40;

const verify = (app: FastifyInstance, payload: Buffer | undefined, headers: Record<string, string> = { 'content-type': 'application/pdf' }) =>
  app.inject({ method: 'POST', url: '/agreement-verifications', headers, ...(payload === undefined ? {} : { payload }) });

/** Never a 5xx; a 4xx is problem+json; a 200 says the file is not the genuine agreement. */
function answersCleanly(res: LightMyRequestResponse): string | undefined {
  if (res.statusCode >= 500) return `${res.statusCode}: ${res.body.slice(0, 200)}`;
  if (res.statusCode >= 400) return /^application\/problem\+json/.test(String(res.headers['content-type'])) ? undefined : `${res.statusCode} is not problem+json`;
  if (res.statusCode !== 200) return `unexpected ${res.statusCode}`;
  const body = res.json();
  if (body.genuine !== false) return `a changed file was called genuine: ${res.body.slice(0, 200)}`;
  if (body.seal && body.seal.valid && body.seal.exchangeCertificate && body.seal.coversWholeFile && body.agreement) return 'a changed file passed every check';
  return undefined;
}

/** Where a signed PDF keeps its signature: the hex between `<` at `b` and `>` at `c - 1`. */
function signatureSpan(pdf: Buffer): { b: number; c: number } {
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.toString('latin1', pdf.lastIndexOf('/ByteRange')));
  return { b: Number(m![2]), c: Number(m![3]) };
}

/** The same PDF with other signature bytes, hex-encoded and zero-padded into the same room. */
function withSignature(pdf: Buffer, signature: Buffer): Buffer {
  const { b, c } = signatureSpan(pdf);
  const room = c - b - 2;
  const hex = signature.toString('hex').slice(0, room).padEnd(room, '0');
  return Buffer.concat([pdf.subarray(0, b + 1), Buffer.from(hex, 'latin1'), pdf.subarray(c - 1)]);
}

/** A small PDF sealed with `seal`: its own signature dictionary, byte ranges and CMS. */
async function sealedSample(seal: Seal, text: string): Promise<Buffer> {
  const at = new Date(Date.UTC(2026, 0, 5));
  const doc = new PDFDocument({ info: { Title: text, CreationDate: at, ModDate: at } });
  doc.text(text);
  seal.placeholder(doc, at, 'test');
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => doc.on('end', resolve));
  doc.end();
  await ended;
  return seal.sign(Buffer.concat(chunks), at);
}

/** A seal with a key and certificate of its own, as anyone can make. */
async function otherSealKey(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'other-seal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const p12 = join(dir, 'other.p12');
  writeFileSync(p12, createSelfSignedSealP12('Not the exchange', 'other-passphrase'));
  return loadSealKey(p12, 'other-passphrase');
}

/** A genuine sealed agreement, through the API as the parties make it. */
async function genuineAgreement(app: FastifyInstance): Promise<Buffer> {
  const operator = await signUp(app, ['operator']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const a = await createVerifiedParty(app, provider, operator);
  const b = await createVerifiedParty(app, buyer, operator);
  const { agreementId } = await draftTrade(app, sampleOrder(a.id, b.id));
  const hash = await contentHash(app, buyer, agreementId);
  await signAs(app, buyer, agreementId, hash);
  await signAs(app, provider, agreementId, hash);
  return (await as(app, buyer, { method: 'GET', url: `/agreements/${agreementId}/pdf` })).rawPayload;
}

t.test('no body, no Content-Type: a clear 400, not a server error', async (t) => {
  const app = await buildTestApp(t);
  const bare = await verify(app, undefined, {});
  expectProblem(t, bare, 400, 'validation-failed');
  t.match(bare.json(), { errors: [{ path: '/body' }] });
  expectProblem(t, await verify(app, undefined, { 'content-length': '0' }), 400, 'validation-failed');
  for (const empty of [await verify(app, Buffer.alloc(0)), await verify(app, undefined, { 'content-type': 'application/pdf' })]) {
    t.equal(empty.statusCode, 200, 'an empty file with its media type is read, and is no agreement');
    t.match(empty.json(), { genuine: false, agreement: null, seal: { valid: false, detail: /no digital signature/ } });
  }
});

t.test('malformed PDFs and signatures never make a server error', async (t) => {
  const app = await buildTestApp(t, {}, { orderAgreementEvents: recordingEvents() });
  const genuine = await genuineAgreement(app);
  const first = await verify(app, genuine);
  t.match(first.json(), { genuine: true, seal: { valid: true, coversWholeFile: true, exchangeCertificate: true } }, 'the unchanged agreement is genuine');
  const { b, c } = signatureSpan(genuine);
  const cms = Buffer.from(genuine.toString('latin1', b + 1, c - 1).replace(/(00)+$/, ''), 'hex');
  const failures: string[] = [];
  const check = async (label: string, pdf: Buffer) => {
    if (pdf.equals(genuine)) return;
    const problem = answersCleanly(await verify(app, pdf));
    if (problem) failures.push(`${label}: ${problem}`);
  };
  const property = (label: string, arbitrary: fc.Arbitrary<Buffer>) =>
    fc.assert(fc.asyncProperty(arbitrary, async (pdf) => check(label, pdf)), { numRuns: RUNS, seed: SEED });

  await property('truncated', fc.nat(genuine.length - 1).map((n) => genuine.subarray(0, n)));
  await property('bytes changed anywhere', fc.array(fc.tuple(fc.nat(genuine.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
    const copy = Buffer.from(genuine);
    for (const [at, xor] of flips) copy[at] = copy[at]! ^ xor;
    return copy;
  }));
  await property('garbage in the /Contents hex', fc.tuple(fc.nat(c - b - 3), fc.string({ minLength: 1, maxLength: 64 })).map(([at, junk]) => {
    const copy = Buffer.from(genuine);
    copy.write(junk.replace(/[^\x20-\x7e]/g, 'z'), b + 1 + at, Math.min(junk.length, c - b - 2 - at), 'latin1');
    return copy;
  }));
  await property('CMS bytes changed (lengths, tags, values)', fc.array(fc.tuple(fc.nat(cms.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }).map((sets) => {
    const copy = Buffer.from(cms);
    for (const [at, value] of sets) copy[at] = value;
    return withSignature(genuine, copy);
  }));
  await property('CMS cut short', fc.nat(cms.length - 1).map((n) => withSignature(genuine, cms.subarray(0, n))));
  await property('random DER-like bytes as the signature', fc.uint8Array({ minLength: 1, maxLength: 4000 }).map((bytes) => withSignature(genuine, Buffer.concat([Buffer.from([0x30, 0x82, 0x0f, 0xa0]), Buffer.from(bytes)]))));
  await property('a byte range that lies', fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()).map(([w, x, y, z]) => {
    const text = genuine.toString('latin1');
    const at = text.lastIndexOf('/ByteRange');
    const end = text.indexOf(']', at) + 1;
    const range = `/ByteRange [${w} ${x} ${y} ${z}]`.padEnd(end - at, ' ').slice(0, end - at);
    return Buffer.concat([genuine.subarray(0, at), Buffer.from(range, 'latin1'), genuine.subarray(end)]);
  }));
  await property('random bytes', fc.uint8Array({ minLength: 0, maxLength: 2000 }).map((bytes) => Buffer.from(bytes)));
  t.same(failures.slice(0, 20), [], `every malformed file answered cleanly (${failures.length} failures, seed ${SEED})`);
});

t.test('seals that are not the exchange’s, and signatures built to hurt the parser', async (t) => {
  const app = await buildTestApp(t);
  const exchange = app.agreements.ctx.seal;
  const other = await otherSealKey(t);

  const foreign = await verify(app, await sealedSample(createSeal(other), 'sealed by someone else'));
  t.equal(foreign.statusCode, 200);
  t.match(foreign.json(), { genuine: false, agreement: null, seal: { valid: true, coversWholeFile: true, exchangeCertificate: false } }, 'a valid seal of another key is not the exchange’s');

  const own = await sealedSample(exchange, 'sealed by the exchange, never an agreement');
  t.match((await verify(app, own)).json(), { genuine: false, agreement: null, seal: { valid: true, exchangeCertificate: true } }, 'the exchange’s seal on a file it has no record of');

  // The exchange's certificate, but the signature made with another key.
  const impostorKey = sealKeyOf(createPrivateKey(other.privateKey.export({ type: 'pkcs8', format: 'pem' })), exchange.key.certificateDer);
  const { b, c } = signatureSpan(own);
  const content = Buffer.concat([own.subarray(0, b), own.subarray(c)]);
  const impostor = await verify(app, withSignature(own, signDetached(impostorKey, content)));
  t.match(impostor.json(), { genuine: false, seal: { valid: false, exchangeCertificate: false, detail: /does not verify/ } }, 'the exchange’s certificate does not make another key’s signature valid');

  // A CMS for other content: the digest does not match.
  t.match((await verify(app, withSignature(own, signDetached(exchange.key, Buffer.from('other content'))))).json(), { genuine: false, seal: { valid: false, detail: /digest mismatch/ } });

  // Deeply nested: indefinite-length SEQUENCEs two bytes each, as deep as the room allows.
  const room = (c - b - 2) / 2;
  const nested = Buffer.alloc(room);
  for (let i = 0; i + 1 < room; i += 2) nested.set([0x30, 0x80], i);
  const deep = await verify(app, withSignature(own, nested));
  t.match(deep.json(), { genuine: false, seal: { valid: false } }, 'nesting without end is no seal');
  // Lengths that claim more than there is, in the long forms up to eight bytes.
  for (const header of [[0x30, 0x84, 0xff, 0xff, 0xff, 0xff], [0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x30, 0x89], [0x30, 0x80, 0x00]]) {
    const res = await verify(app, withSignature(own, Buffer.from(header)));
    t.match(res.json(), { genuine: false, seal: { valid: false } }, `a length of ${Buffer.from(header).toString('hex')} is no seal`);
  }
  // A signature dictionary whose /Contents is far larger than any seal, nested all the way.
  const huge = Buffer.alloc(200_000, 0);
  for (let i = 0; i + 1 < huge.length; i += 2) huge.set([0x30, 0x80], i);
  const hugeHex = huge.toString('hex');
  const head = Buffer.from(`%PDF-1.7\n1 0 obj << /Type /Sig /ByteRange [0 ${'0'.repeat(10)} ${'0'.repeat(10)} ${'0'.repeat(10)}] /Contents <`, 'latin1');
  const b2 = head.length - 1;
  const c2 = b2 + hugeHex.length + 2;
  const tail = Buffer.from(' >> endobj\n%%EOF\n', 'latin1');
  const range = `[0 ${String(b2).padStart(10, '0')} ${String(c2).padStart(10, '0')} ${String(tail.length).padStart(10, '0')}]`;
  const bloated = Buffer.concat([Buffer.from(head.toString('latin1').replace(/\[[^\]]*\]/, range), 'latin1'), Buffer.from(hugeHex, 'latin1'), Buffer.from('>', 'latin1'), tail]);
  const bloatedAnswer = await verify(app, bloated);
  t.equal(bloatedAnswer.statusCode, 200);
  t.match(bloatedAnswer.json(), { genuine: false, seal: { valid: false, detail: /larger than/ } }, 'a signature larger than any seal is not parsed');

  expectProblem(t, await verify(app, Buffer.alloc(app.config.bodyLimitBytes + 1, 0x25)), 413, 'payload-too-large');
});
