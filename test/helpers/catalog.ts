import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { as, signUp, type TestUser } from './app.js';
import { createVerifiedParty, type TestParty } from './identity.js';

/** A complete, valid listing body; override any top-level field. */
export function sampleListing(overrides: Record<string, unknown> = {}) {
  return {
    title: { zh: '重庆市公共交通客流数据', en: 'Chongqing public transport ridership' },
    description: { zh: '按线路和站点汇总的每日客流量，已去标识化。', en: 'Daily ridership per line and station, de-identified.' },
    category: 'transport',
    tags: ['公交', 'ridership'],
    grade: 'general',
    personalInformation: { contains: false },
    governmentDerived: false,
    schema: {
      fields: [
        { name: 'station', type: 'string', description: '站点名称' },
        { name: 'riders', type: 'integer', description: 'Riders per day', unit: 'persons' },
      ],
    },
    sample: { mediaType: 'text/csv', text: 'station,riders\n解放碑,12000\n' },
    formats: ['csv'],
    updateFrequency: 'daily',
    coverage: { period: { start: '2024-01-01', end: '2024-12-31' }, area: '重庆市' },
    deliveryMethod: 'download',
    licence: {
      allowedPurposes: ['交通规划研究'],
      forbiddenUses: ['re-identification'],
      termMonths: 12,
      territory: 'mainland China',
      onwardTransfer: 'forbidden',
    },
    pricePlans: [
      { name: '一次性购买', kind: 'one_off', amountMinor: 500000, currency: 'CNY' },
      { name: '年度订阅', kind: 'subscription', period: 'year', amountMinor: 1200000, currency: 'CNY' },
    ],
    ...overrides,
  };
}

export const sampleProvenance = (evidence: { sha256: string; description: string }[] = []) => ({
  sourceType: 'own_operations',
  collectionMethod: 'Card readers on buses record each boarding',
  legalBasis: 'Operating licence for public transport; passengers informed at boarding',
  collectionPeriod: { start: '2024-01-01', end: '2024-12-31' },
  collectionArea: '重庆市',
  evidence,
  processing: 'Card numbers removed; counts aggregated per station and day',
});

export const anonymisedGround = (evidence: { sha256: string; description: string }[] = []) => ({
  ground: 'anonymised',
  method: 'Aggregation to station/day, k >= 50',
  reidentificationRisk: 'No record refers to fewer than 50 riders; card numbers are not kept',
  evidence,
});

export const fullChecklist = (satisfied = true) =>
  ['source_stated', 'ground_and_evidence', 'identity_verified', 'government_derived_flag', 'personal_information', 'grade'].map((requirement) => ({
    requirement,
    satisfied,
    note: satisfied ? 'checked' : 'not shown',
  }));

async function expect(res: { statusCode: number; body: string }, status: number, what: string) {
  if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body);
}

/** A provider user with a verified party of its own. */
export async function verifiedProvider(app: FastifyInstance, operator: TestUser): Promise<{ user: TestUser; party: TestParty }> {
  const user = await signUp(app, ['provider']);
  return { user, party: await createVerifiedParty(app, user, operator) };
}

export async function uploadEvidence(app: FastifyInstance, user: TestUser, bytes = randomBytes(64)) {
  const res = await as(app, user, { method: 'POST', url: '/catalog/documents?filename=consent.pdf', headers: { 'content-type': 'application/pdf' }, payload: bytes });
  return expect(res, 201, 'upload evidence') as Promise<{ id: string; sha256: string }>;
}

export async function uploadVersion(app: FastifyInstance, user: TestUser, listingId: string, bytes = Buffer.from(`station,riders\n解放碑,${randomBytes(4).readUInt32BE()}\n`)) {
  const res = await as(app, user, { method: 'POST', url: `/catalog/listings/${listingId}/versions?filename=data.csv`, headers: { 'content-type': 'text/csv' }, payload: bytes });
  return expect(res, 201, 'upload dataset version') as Promise<{ id: string; sha256: string; number: number }>;
}

/**
 * A draft with provenance, an anonymised ground with evidence and a dataset version on sale, ready
 * to submit. Everything through the API.
 */
export async function completeDraft(app: FastifyInstance, user: TestUser, overrides: Record<string, unknown> = {}) {
  const created = await expect(await as(app, user, { method: 'POST', url: '/catalog/listings', payload: sampleListing(overrides) }), 201, 'create listing');
  const id: string = created.id;
  const evidence = await uploadEvidence(app, user);
  const cite = [{ sha256: evidence.sha256, description: 'Anonymisation assessment' }];
  await expect(await as(app, user, { method: 'PUT', url: `/catalog/listings/${id}/provenance`, payload: sampleProvenance(cite) }), 200, 'declare provenance');
  await expect(await as(app, user, { method: 'PUT', url: `/catalog/listings/${id}/ground`, payload: anonymisedGround(cite) }), 200, 'declare ground');
  const version = await uploadVersion(app, user, id);
  await expect(await as(app, user, { method: 'PATCH', url: `/catalog/listings/${id}`, payload: { datasetVersionId: version.id } }), 200, 'choose version');
  return { id, evidence, version };
}

export async function submit(app: FastifyInstance, user: TestUser, id: string) {
  return expect(await as(app, user, { method: 'POST', url: `/catalog/listings/${id}/submit` }), 200, 'submit listing');
}

export async function approve(app: FastifyInstance, operator: TestUser, id: string) {
  const listing = await expect(await as(app, operator, { method: 'GET', url: `/catalog/listings/${id}` }), 200, 'read listing');
  const res = await as(app, operator, {
    method: 'POST',
    url: `/catalog/listings/${id}/review`,
    payload: { revisionId: listing.working.id, decision: 'approve', checklist: fullChecklist(), notes: 'All requirements met' },
  });
  return expect(res, 200, 'approve listing');
}

/** A listing on sale: complete draft, submitted, approved. */
export async function listedProduct(app: FastifyInstance, provider: TestUser, operator: TestUser, overrides: Record<string, unknown> = {}) {
  const draft = await completeDraft(app, provider, overrides);
  await submit(app, provider, draft.id);
  await approve(app, operator, draft.id);
  return draft;
}
