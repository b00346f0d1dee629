import type { FastifyInstance } from 'fastify';
import { as, type TestUser } from './app.js';

async function expect(res: { statusCode: number; body: string }, status: number, what: string) {
  if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body);
}

export const sampleObjection = (entryId: string, overrides: Record<string, unknown> = {}) => ({
  entryId,
  kind: 'error',
  description: '2024年1月客运量与交通年鉴不符',
  evidenceText: '《重庆交通年鉴2024》第12页：1月客运量为 1,234 万人次',
  ...overrides,
});

/** `user` (acting for its verified party) objects to a published entry. */
export async function raiseObjection(app: FastifyInstance, user: TestUser, entryId: string, overrides: Record<string, unknown> = {}) {
  return expect(await as(app, user, { method: 'POST', url: '/public-data/objections', payload: sampleObjection(entryId, overrides) }), 201, 'raise objection');
}

/** `user` (acting for its verified party) uploads a file of evidence; answers its id. */
export async function uploadEvidence(app: FastifyInstance, user: TestUser, bytes = '%PDF-1.4 yearbook page 12', filename = 'yearbook.pdf'): Promise<string> {
  const res = await as(app, user, { method: 'POST', url: `/public-data/objection-evidence?filename=${filename}`, headers: { 'content-type': 'application/pdf' }, payload: Buffer.from(bytes) });
  return (await expect(res, 201, 'upload evidence')).id;
}

export const answerObjection = (app: FastifyInstance, user: TestUser, id: string, payload: Record<string, unknown>) =>
  as(app, user, { method: 'POST', url: `/public-data/objections/${id}/answer`, payload });

export const sampleDemand = (departmentPartyId?: string) => ({
  wantedData: '全市公共充电桩位置与实时空闲状态',
  intendedUse: '新能源汽车出行导航应用',
  ...(departmentPartyId ? { departmentPartyId } : {}),
});

/** `user` (acting for its verified party) proposes data to open. */
export async function raiseDemand(app: FastifyInstance, user: TestUser, departmentPartyId?: string) {
  return expect(await as(app, user, { method: 'POST', url: '/public-data/demands', payload: sampleDemand(departmentPartyId) }), 201, 'raise demand');
}
