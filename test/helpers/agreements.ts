import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/lib/database.js';
import type { AgreementOrder, OrderAgreementEvents } from '../../src/modules/trading/ports.js';
import { as, type TestUser } from './app.js';

/** The test seal as environment variables, for a configuration with DATABASE_URL (which requires one). */
export const testSealEnv = {
  AGREEMENT_SEAL_P12: fileURLToPath(new URL('../fixtures/agreement-seal.p12', import.meta.url)),
  AGREEMENT_SEAL_PASSPHRASE: 'test-seal-passphrase',
};

/** A recording stand-in for trading's side of the port. */
export function recordingEvents(): OrderAgreementEvents & { calls: { orderId: string; agreementId: string; at: Date }[] } {
  const calls: { orderId: string; agreementId: string; at: Date }[] = [];
  return {
    calls,
    async signed(_tx: Database, orderId: string, agreementId: string, at: Date) {
      calls.push({ orderId, agreementId, at });
    },
  };
}

/** An order as trading would hand it to agreements. */
export function sampleOrder(providerPartyId: string, buyerPartyId: string, overrides: Partial<AgreementOrder> = {}): AgreementOrder {
  return {
    id: randomUUID(),
    number: `ORD-2026-${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
    providerPartyId,
    buyerPartyId,
    listingId: randomUUID(),
    revisionId: randomUUID(),
    listingTitle: { zh: '重庆市公共交通客流数据', en: 'Chongqing public transport ridership' },
    dataset: { versionId: randomUUID(), sha256: 'a'.repeat(64), sizeBytes: 123_456, mediaType: 'text/csv' },
    pricePlan: { name: '标准版 Standard', kind: 'one_off' },
    amountMinor: 1_250_000,
    currency: 'CNY',
    feeMinor: 62_500,
    purpose: '城市交通拥堵成因研究 traffic congestion research',
    scenario: '交通规划部门内部分析平台 internal analysis platform of the planning office',
    safeguards: '数据加密存储，访问留痕，最小授权 encrypted storage, access logging, least privilege',
    term: { start: '2026-12-01', end: '2027-11-30' },
    onwardTransfer: 'forbidden',
    territory: '中国大陆 mainland China',
    ...overrides,
  };
}

/** Drafts the trade agreement of an order the way trading does, in a transaction of its own. */
export async function draftTrade(app: FastifyInstance, order: AgreementOrder): Promise<{ agreementId: string; number: string }> {
  return app.db.transaction((tx) => app.agreements.draftTradeAgreement(tx, order));
}

export const withParty = (user: TestUser, partyId: string): TestUser => ({ ...user, auth: { ...user.auth, 'x-party-id': partyId } });

/** Reads the draft's content hash (what a party signs) through the API. */
export async function contentHash(app: FastifyInstance, user: TestUser, agreementId: string): Promise<string> {
  const res = await as(app, user, { method: 'GET', url: `/agreements/${agreementId}` });
  if (res.statusCode !== 200) throw new Error(`read agreement answered ${res.statusCode}: ${res.body}`);
  return res.json<{ contentSha256: string }>().contentSha256;
}

export function signAs(app: FastifyInstance, user: TestUser, agreementId: string, contentSha256: string, password = user.password) {
  return as(app, user, { method: 'POST', url: `/agreements/${agreementId}/signatures`, payload: { contentSha256, password } });
}

/** Confirms the user's password once more (POST /auth/step-up) and answers the step-up token. */
export async function stepUp(app: FastifyInstance, user: TestUser): Promise<string> {
  const res = await as(app, user, { method: 'POST', url: '/auth/step-up', payload: { password: user.password } });
  if (res.statusCode !== 200) throw new Error(`step-up answered ${res.statusCode}: ${res.body}`);
  return res.json<{ stepUpToken: string }>().stepUpToken;
}

/** Signs with a step-up token instead of the password. */
export function signWithStepUp(app: FastifyInstance, user: TestUser, agreementId: string, contentSha256: string, stepUpToken: string) {
  return as(app, user, { method: 'POST', url: `/agreements/${agreementId}/signatures`, payload: { contentSha256, stepUpToken } });
}

/** Runs a poppler tool on the bytes and answers its output (pdfsig exits 0 whatever it finds). */
export function poppler(tool: 'pdfsig' | 'pdftotext', pdf: Buffer, args: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'dx-pdf-'));
  try {
    const file = join(dir, 'agreement.pdf');
    writeFileSync(file, pdf);
    const tail = tool === 'pdftotext' ? [file, '-'] : [file];
    return execFileSync(tool, [...args, ...tail], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
