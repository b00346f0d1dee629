import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { as, signUp, type TestUser } from './app.js';
import { createVerifiedParty, type TestParty } from './identity.js';

export const statute = { kind: 'regulation', title: '重庆市大数据发展管理条例', article: '第十七条' } as const;

/** A complete entry of the open list, unconditionally open and shared; override any top-level field. */
export function sampleEntry(overrides: Record<string, unknown> = {}) {
  return {
    title: { zh: '重庆市交通运输客运量统计', en: 'Chongqing passenger transport statistics' },
    summary: { zh: '按月汇总的全市公路、水路客运量。' },
    fields: [
      { name: 'month', type: 'date', description: '统计月份' },
      { name: 'passengers', type: 'integer', description: '客运量（万人次）' },
    ],
    dataItems: ['统计月份', '客运量'],
    formats: ['csv'],
    updateFrequency: 'monthly',
    origin: 'own',
    sensitive: { personalInformation: false, tradeSecrets: false },
    open: { class: 'unconditional' },
    sharing: { class: 'unconditional' },
    ...overrides,
  };
}

/** The classes of an entry that is open only on conditions (with its legal basis). */
export const conditionalOpen = { class: 'conditional', conditions: '仅用于科研，须签订政务数据利用协议', legalBasis: statute };
export const notOpen = { class: 'not_open', legalBasis: statute };

async function expect(res: { statusCode: number; body: string }, status: number, what: string) {
  if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body);
}

/** A user with role `department` acting for a verified public body of its own. */
export async function department(app: FastifyInstance, clerk: TestUser): Promise<{ user: TestUser; party: TestParty }> {
  const user = await signUp(app, ['department'], 'department');
  const party = await createVerifiedParty(app, user, clerk, 'public_body');
  return { user: { ...user, auth: { ...user.auth, 'x-party-id': party.id } }, party };
}

export async function draftEntry(app: FastifyInstance, user: TestUser, overrides: Record<string, unknown> = {}) {
  return expect(await as(app, user, { method: 'POST', url: '/public-data/entries', payload: sampleEntry(overrides) }), 201, 'draft entry');
}

export async function uploadDataVersion(app: FastifyInstance, user: TestUser, entryId: string, bytes = Buffer.from(`month,passengers\n2024-01,${randomBytes(2).readUInt16BE()}\n`)) {
  const res = await as(app, user, { method: 'POST', url: `/public-data/entries/${entryId}/versions?filename=data.csv&note=${encodeURIComponent('首次发布')}`, headers: { 'content-type': 'text/csv' }, payload: bytes });
  return expect(res, 201, 'upload data version') as Promise<{ id: string; sha256: string; sizeBytes: number; number: number }>;
}

export async function submitEntry(app: FastifyInstance, user: TestUser, id: string) {
  return expect(await as(app, user, { method: 'POST', url: `/public-data/entries/${id}/submission` }), 200, 'submit entry');
}

/** The bureau's decision on the revision under review. */
export async function decide(app: FastifyInstance, bureau: TestUser, id: string, decision: 'approve' | 'reject' = 'approve', reasons = '符合开放要求') {
  const entry = await expect(await as(app, bureau, { method: 'GET', url: `/public-data/entries/${id}` }), 200, 'read entry');
  const revisionId = (entry.working ?? entry.live).id;
  return as(app, bureau, { method: 'POST', url: `/public-data/entries/${id}/review`, payload: { revisionId, decision, reasons } });
}

/** An entry drafted, given a data version, submitted and approved: published. */
export async function publishedEntry(app: FastifyInstance, user: TestUser, bureau: TestUser, overrides: Record<string, unknown> = {}) {
  const entry = await draftEntry(app, user, overrides);
  const version = await uploadDataVersion(app, user, entry.id);
  await submitEntry(app, user, entry.id);
  await expect(await decide(app, bureau, entry.id), 200, 'approve entry');
  return { id: entry.id as string, version };
}
