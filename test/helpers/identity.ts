import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { checkUscc, residentIdCheckCharacter, usccCheckCharacter } from '../../src/modules/identity/codes.js';
import { as, type TestUser } from './app.js';

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A valid Unified Social Credit Code (an enterprise registered in Chongqing), check character included. */
export function generateUscc(): string {
  let org = '';
  for (let i = 0; i < 9; i++) org += USCC_CHARSET[randomInt(USCC_CHARSET.length)];
  const first17 = `91500000${org}`;
  return first17 + usccCheckCharacter(first17);
}

/** A valid resident identity number (Chongqing Yuzhong district), born between 1960 and 2004. */
export function generateResidentId(birth = new Date(Date.UTC(1960 + randomInt(45), randomInt(12), 1 + randomInt(28)))): string {
  const date = birth.toISOString().slice(0, 10).replaceAll('-', '');
  for (;;) {
    const first17 = `500103${date}${String(randomInt(1000)).padStart(3, '0')}`;
    const number = first17 + residentIdCheckCharacter(first17);
    // About one in 31 all-digit numbers is also a valid USCC; tests that tell the two apart need one that is not.
    if (!checkUscc(number).ok) return number;
  }
}

/** A small file that passes for a PDF scan of a document. */
export const samplePdf = (label = 'business licence') => Buffer.from(`%PDF-1.4\n% ${label} ${randomInt(1e9)}\n%%EOF\n`);

/** A company, a natural person, or a public body (a government department). */
export type PartyKindInTests = 'company' | 'person' | 'public_body';

export interface TestParty {
  id: string;
  legalName: string;
  kind: PartyKindInTests;
  identityNumber: string;
  /** Headers to act for this party explicitly (needed when the user belongs to several). */
  headers: Record<string, string>;
}

async function expectStatus(res: { statusCode: number; body: string }, status: number, what: string) {
  if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
}

/** Registers a party for `user` through the API, without submitting it; a name of its kind with a random number unless given. */
export async function registerParty(app: FastifyInstance, user: TestUser, kind: PartyKindInTests = 'company', name?: string): Promise<TestParty> {
  const identityNumber = kind === 'person' ? generateResidentId() : generateUscc();
  const legalName = name ?? { company: `重庆测试数据有限公司 ${randomInt(1e6)}`, person: `张三 ${randomInt(1e6)}`, public_body: `重庆市交通运输测试局 ${randomInt(1e6)}` }[kind];
  const res = await as(app, user, {
    method: 'POST',
    url: '/parties',
    payload: { kind, legalName, representative: kind === 'person' ? legalName : '李四', contacts: [{ name: '王五', email: 'contact@example.cn' }], identityNumber },
  });
  await expectStatus(res, 201, 'register party');
  const id = res.json<{ id: string }>().id;
  return { id, legalName, kind, identityNumber, headers: { 'x-party-id': id } };
}

export const fullChecklist = {
  identityNumberMatchesDocuments: true,
  legalNameMatchesDocuments: true,
  representativeConfirmed: true,
  documentsLegibleAndCurrent: true,
};

/** Uploads the business licence (or registration certificate) an organisation needs, then submits the party for verification. */
export async function submitParty(app: FastifyInstance, user: TestUser, party: TestParty): Promise<void> {
  if (party.kind !== 'person') {
    const upload = await as(app, user, {
      method: 'POST',
      url: `/parties/${party.id}/documents?kind=business_licence`,
      headers: { 'content-type': 'application/pdf', ...party.headers },
      payload: samplePdf(),
    });
    await expectStatus(upload, 201, 'upload business licence');
  }
  await expectStatus(await as(app, user, { method: 'POST', url: `/parties/${party.id}/submission`, headers: party.headers }), 200, 'submit party');
}

/**
 * A party registered by `user`, submitted, and verified by `operator`, all through the API.
 * Afterwards `user`'s requests act for it automatically when it is the user's only party, or with
 * `party.headers` (X-Party-Id) otherwise.
 */
export async function createVerifiedParty(app: FastifyInstance, user: TestUser, operator: TestUser, kind: PartyKindInTests = 'company', name?: string): Promise<TestParty> {
  const party = await registerParty(app, user, kind, name);
  await submitParty(app, user, party);
  const review = await as(app, operator, {
    method: 'POST',
    url: `/parties/${party.id}/reviews`,
    payload: { decision: 'verified', checklist: fullChecklist, reasons: '' },
  });
  await expectStatus(review, 200, 'verify party');
  return party;
}
