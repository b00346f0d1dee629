import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create as createFont } from 'fontkit';
import t from 'tap';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { loadAgreementFont, type AgreementFont } from '../../../src/modules/agreements/font.js';
import { renderAgreementPdf } from '../../../src/modules/agreements/pdf.js';
import { createSeal, loadSealKey, verifyPdfSeal } from '../../../src/modules/agreements/seal.js';
import { poppler, testSealEnv } from '../../helpers/agreements.js';

const server = { DATABASE_URL: 'postgres://127.0.0.1:5432/x', JWT_SECRET: 'j'.repeat(40), IDENTITY_KEY: Buffer.alloc(32, 1).toString('base64'), AUDIT_LOG_KEY: Buffer.alloc(32, 2).toString('base64') };

t.test('the seal comes from configuration; the embedded default makes a self-signed one and warns', async (t) => {
  t.throws(() => loadConfig(server, () => {}), new ConfigError('AGREEMENT_SEAL_P12 and AGREEMENT_SEAL_PASSPHRASE are required when DATABASE_URL is set (the PKCS#12 seal of signed agreements)'));
  t.throws(() => loadConfig({ ...server, AGREEMENT_SEAL_P12: testSealEnv.AGREEMENT_SEAL_P12 }, () => {}), /go together/);
  t.equal(loadConfig({ ...server, ...testSealEnv }, () => {}).agreementSeal.p12Path, testSealEnv.AGREEMENT_SEAL_P12);
  await t.rejects(loadSealKey(testSealEnv.AGREEMENT_SEAL_P12, 'wrong'), /AGREEMENT_SEAL_P12 .* cannot be read with AGREEMENT_SEAL_PASSPHRASE/, 'a wrong passphrase stops the start, saying so');

  const dataDir = mkdtempSync(join(tmpdir(), 'dx-seal-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const config = loadConfig({ DATA_DIR: dataDir }, (m) => warnings.push(m));
  t.ok(existsSync(join(dataDir, 'secrets', 'agreement-seal.p12')), 'a seal under DATA_DIR/secrets');
  t.ok(warnings.some((w) => /self-signed agreement seal/.test(w)), 'and a warning');
  t.same(loadConfig({ DATA_DIR: dataDir }, () => {}).agreementSeal, config.agreementSeal, 'the same seal on the next start');
  const key = await loadSealKey(config.agreementSeal.p12Path, config.agreementSeal.passphrase);
  t.match(key.certificate.subject, /CN=Data exchange agreement seal/);
});

/** The least a rendered agreement needs. */
const minimalRecord = {
  number: 'DTA-2026-000009',
  revision: 1,
  title: { zh: '数据交易协议', en: 'Data Trade Agreement' },
  basis: { zh: '依据', en: 'Under' },
  modelText: { kind: 'trade', version: 1, sha256: '0'.repeat(64) },
  parties: [],
  clauses: [{ id: 'purpose', heading: { zh: '第一条 目的', en: 'Article 1 Purpose' }, body: { zh: '研究。', en: 'Research.' } }],
  dataList: [],
  createdAt: new Date('2026-01-02T03:04:05.000Z'),
};
const sealAt = new Date('2026-01-03T00:00:00.000Z');

t.test('a seal is checked over the whole file: unsigned, appended to and re-signed copies are told apart', async (t) => {
  const font = loadAgreementFont();
  const seal = createSeal(await loadSealKey(testSealEnv.AGREEMENT_SEAL_P12, testSealEnv.AGREEMENT_SEAL_PASSPHRASE));
  const record = minimalRecord;
  const unsigned = await renderAgreementPdf(font, record);
  t.match(verifyPdfSeal(unsigned), { valid: false, reason: /no digital signature/ });
  const at = new Date('2026-01-03T00:00:00.000Z');
  const sealed = await seal.sign(await renderAgreementPdf(font, record, { signatures: [], sealedAt: at, contentSha256: '1'.repeat(64), beforeEnd: (d) => seal.placeholder(d, at, 'Chongqing') }), at);
  t.match(verifyPdfSeal(sealed), { valid: true, coversWholeFile: true, certificateFingerprint256: seal.key.certificate.fingerprint256 });
  const appended = Buffer.concat([sealed, Buffer.from('\n% appended\n')]);
  t.match(verifyPdfSeal(appended), { valid: true, coversWholeFile: false }, 'bytes appended after the seal are outside it');
  t.match(poppler('pdfsig', appended), /Not total document signed/);
  const garbled = Buffer.from(sealed);
  const contentsAt = Number(/\/ByteRange \[0 (\d+)/.exec(sealed.toString('latin1'))![1]);
  garbled.write('ff', contentsAt + 1, 'latin1');
  t.equal(verifyPdfSeal(garbled).valid, false, 'a damaged signature does not verify');
});

t.test("the process's font caches change no byte: a warm render equals one by a freshly parsed font, and a seal is well-formed CMS", async (t) => {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
  const record = { ...minimalRecord, clauses: [...minimalRecord.clauses, { id: 'scope', heading: { zh: '第二条 范围 Ångström', en: 'Article 2 Scope' }, body: { zh: '数据仅用于双方约定的用途，不得转让。', en: 'Use only as agreed; no transfer. ©®™ “é”' } }] };
  const cached = loadAgreementFont();
  t.equal(loadAgreementFont(), cached, 'parsed once per process');
  await renderAgreementPdf(cached, record);
  const warm = await renderAgreementPdf(cached, record);
  const fresh = await renderAgreementPdf(createFont(readFileSync(file)) as AgreementFont, record);
  t.ok(warm.equals(fresh), 'the same bytes as an uncached fontkit font gives');

  const seal = createSeal(await loadSealKey(testSealEnv.AGREEMENT_SEAL_P12, testSealEnv.AGREEMENT_SEAL_PASSPHRASE));
  const dir = mkdtempSync(join(tmpdir(), 'dx-cms-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sealed = await seal.sign(await renderAgreementPdf(cached, record, { signatures: [], sealedAt: sealAt, contentSha256: '1'.repeat(64), beforeEnd: (d) => seal.placeholder(d, sealAt, 'Chongqing') }), sealAt);
  const [, b, c, d] = /\/ByteRange \[0 (\d+) (\d+) (\d+)\]/.exec(sealed.toString('latin1'))!.map(Number) as [number, number, number, number];
  writeFileSync(join(dir, 'content'), Buffer.concat([sealed.subarray(0, b), sealed.subarray(c, c + d)]));
  writeFileSync(join(dir, 'cms.der'), Buffer.from(sealed.subarray(b + 1, c - 1).toString('latin1').replace(/(00)+$/, ''), 'hex'));
  // OpenSSL parses the DER on its own and checks the signature over the signed attributes and the content.
  const out = execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'cms.der', '-content', 'content', '-noverify', '-out', '/dev/null'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  t.equal(out.length, 0);
});

t.test('the seal is read from the PKCS#12 files OpenSSL makes, and a damaged or mismatched file stops the start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dx-p12-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '30', '-subj', '/CN=OpenSSL seal/O=Data exchange/C=CN');
  // OpenSSL 3's defaults: PBES2 with AES-256-CBC for the key and for the certificates, an HMAC-SHA-256 MAC.
  openssl('pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-out', 'seal.p12', '-passout', 'pass:open sesame');
  const key = await loadSealKey(join(dir, 'seal.p12'), 'open sesame');
  t.match(key.certificate.subject, /CN=OpenSSL seal/);
  const seal = createSeal(key);
  const sealed = await seal.sign(await renderAgreementPdf(loadAgreementFont(), minimalRecord, { signatures: [], sealedAt: sealAt, contentSha256: '1'.repeat(64), beforeEnd: (d) => seal.placeholder(d, sealAt, 'Chongqing') }), sealAt);
  t.match(verifyPdfSeal(sealed), { valid: true, coversWholeFile: true, certificateFingerprint256: key.certificate.fingerprint256 }, 'it seals, and the seal verifies');
  t.match(poppler('pdfsig', sealed), /Signature is Valid\./, 'pdfsig agrees');

  await t.rejects(loadSealKey(join(dir, 'seal.p12'), 'wrong'), /cannot be read with AGREEMENT_SEAL_PASSPHRASE/);
  const damaged = readFileSync(join(dir, 'seal.p12'));
  damaged[damaged.length - 40] = damaged[damaged.length - 40]! ^ 0xff;
  writeFileSync(join(dir, 'damaged.p12'), damaged);
  await t.rejects(loadSealKey(join(dir, 'damaged.p12'), 'open sesame'), /AGREEMENT_SEAL_P12 .*damaged\.p12 cannot be read/, 'a damaged file is refused');
  openssl('pkcs12', '-export', '-nokeys', '-in', 'cert.pem', '-out', 'keyless.p12', '-passout', 'pass:open sesame');
  await t.rejects(loadSealKey(join(dir, 'keyless.p12'), 'open sesame'), /must hold one private key, not 0/, 'a file without the key is refused');
});
