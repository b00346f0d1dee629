import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { loadAgreementFont, renderAgreementPdf } from '../../../src/modules/agreements/pdf.js';
import { createSeal, loadSealKey, verifyPdfSeal } from '../../../src/modules/agreements/seal.js';
import { poppler, testSealEnv } from '../../helpers/agreements.js';

const server = { DATABASE_URL: 'postgres://127.0.0.1:5432/x', JWT_SECRET: 'j'.repeat(40), IDENTITY_KEY: Buffer.alloc(32, 1).toString('base64'), AUDIT_LOG_KEY: Buffer.alloc(32, 2).toString('base64') };

t.test('the seal comes from configuration; the embedded default makes a self-signed one and warns', async (t) => {
  t.throws(() => loadConfig(server, () => {}), new ConfigError('AGREEMENT_SEAL_P12 and AGREEMENT_SEAL_PASSPHRASE are required when DATABASE_URL is set (the PKCS#12 seal of signed agreements)'));
  t.throws(() => loadConfig({ ...server, AGREEMENT_SEAL_P12: testSealEnv.AGREEMENT_SEAL_P12 }, () => {}), /go together/);
  t.equal(loadConfig({ ...server, ...testSealEnv }, () => {}).agreementSeal.p12Path, testSealEnv.AGREEMENT_SEAL_P12);
  t.throws(() => loadSealKey(testSealEnv.AGREEMENT_SEAL_P12, 'wrong'), /AGREEMENT_SEAL_P12 .* cannot be read with AGREEMENT_SEAL_PASSPHRASE/, 'a wrong passphrase stops the start, saying so');

  const dataDir = mkdtempSync(join(tmpdir(), 'dx-seal-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const config = loadConfig({ DATA_DIR: dataDir }, (m) => warnings.push(m));
  t.ok(existsSync(join(dataDir, 'secrets', 'agreement-seal.p12')), 'a seal under DATA_DIR/secrets');
  t.ok(warnings.some((w) => /self-signed agreement seal/.test(w)), 'and a warning');
  t.same(loadConfig({ DATA_DIR: dataDir }, () => {}).agreementSeal, config.agreementSeal, 'the same seal on the next start');
  const key = loadSealKey(config.agreementSeal.p12Path, config.agreementSeal.passphrase);
  t.match(key.certificate.subject, /CN=Data exchange agreement seal/);
});

t.test('a seal is checked over the whole file: unsigned, appended to and re-signed copies are told apart', async (t) => {
  const font = loadAgreementFont();
  const seal = createSeal(loadSealKey(testSealEnv.AGREEMENT_SEAL_P12, testSealEnv.AGREEMENT_SEAL_PASSPHRASE));
  const record = {
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
