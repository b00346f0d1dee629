import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { auditEvents } from '../../src/modules/audit/tables.js';
import type { Caller } from '../../src/modules/public-data/context.js';
import { as, signUp, type TestUser } from './app.js';
import { createVerifiedParty, type TestParty } from './identity.js';
import { conditionalOpen, department, publishedEntry, statute } from './public-data.js';

/** A department, the bureau, a verified company applicant, and a published conditional entry. */
export async function requestWorld(app: FastifyInstance) {
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const dept = await department(app, clerk);
  const company = await signUp(app, ['buyer'], 'company');
  const companyParty = await createVerifiedParty(app, company, clerk);
  const applicant: TestUser = { ...company, auth: { ...company.auth, 'x-party-id': companyParty.id } };
  const entry = await publishedEntry(app, dept.user, bureau, { open: conditionalOpen });
  return { clerk, bureau, dept, applicant, applicantParty: companyParty, entry };
}

export const openRequestBody = (entryIds: string[], term = { start: '2026-01-01', end: '2099-12-31' }) => ({
  entryIds,
  purpose: '公交线网优化研究 bus network research',
  scenario: '线网规划辅助决策系统 planning decision support',
  safeguards: '专网传输、加密存储、双人审批 private network, encryption, four eyes',
  term,
});

export const sharingRequestBody = (entryIds: string[], term = { start: '2026-01-01', end: '2099-12-31' }) => ({
  entryIds,
  basis: '《重庆市大数据发展管理条例》第十五条',
  purpose: '城市运行监测',
  scope: '全市客运量按月汇总',
  manner: '接口调用，仅限本部门使用',
  term,
});

/** The head's approval of an extension, given at `approvedAt` (now when absent). */
export const headApproval = (workingDays: number, approvedAt = new Date()) => ({ workingDays, approverName: '王建国', approverTitle: '主任', approvedAt: approvedAt.toISOString(), reason: '数据量大，需脱敏复核' });
export const refusalBasis = { reasons: '数据涉及在办案件', legalBasis: statute };

/** The service's caller for a test user acting for `party`, to call a use case at a chosen instant. */
export const callerFor = (user: TestUser, party: TestParty | null): Caller => ({
  actor: { userId: user.id, roles: user.roles, role: user.roles[0]!, partyId: party?.id ?? null },
  audit: { userId: user.id, partyId: party?.id ?? null, role: user.roles[0]!, ip: null, requestId: null },
});

async function expectStatus(res: { statusCode: number; body: string }, status: number, what: string) {
  if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body);
}

export async function applyFor(app: FastifyInstance, applicant: TestUser, entryIds: string[], term?: { start: string; end: string }) {
  return expectStatus(await as(app, applicant, { method: 'POST', url: '/public-data/requests', payload: openRequestBody(entryIds, term) }), 201, 'open request');
}

export async function answer(app: FastifyInstance, dept: TestUser, id: string, payload: Record<string, unknown>) {
  return as(app, dept, { method: 'POST', url: `/public-data/requests/${id}/answer`, payload });
}

/** Both sides sign the request's agreement through the agreements routes; the exchange seals it. */
export async function signAgreementOf(app: FastifyInstance, agreementId: string, signers: TestUser[]) {
  const view = await expectStatus(await as(app, signers[0]!, { method: 'GET', url: `/agreements/${agreementId}` }), 200, 'read agreement');
  for (const user of signers) await expectStatus(await as(app, user, { method: 'POST', url: `/agreements/${agreementId}/signatures`, payload: { contentSha256: view.contentSha256, password: user.password } }), 201, 'sign');
  return expectStatus(await as(app, signers[0]!, { method: 'GET', url: `/agreements/${agreementId}` }), 200, 'read agreement');
}

/** The audit actions recorded about a subject, oldest first. */
export async function auditActions(app: FastifyInstance, subjectId: string): Promise<string[]> {
  const rows = await app.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(asc(auditEvents.seq));
  return rows.map((r) => r.action);
}

/**
 * An opened request under a sealed agreement: `applicant` applies for `entryId`, `dept` approves
 * with the schedule of reports given, and both sign. Answers the request as it then reads.
 */
export async function sealedOpenRequest(app: FastifyInstance, dept: TestUser, applicant: TestUser, entryId: string, approval: Record<string, unknown> = {}, term?: { start: string; end: string }) {
  const request = await applyFor(app, applicant, [entryId], term);
  const approved = await expectStatus(await answer(app, dept, request.id, { decision: 'approve', ...approval }), 200, 'approve');
  await signAgreementOf(app, approved.agreementId, [dept, applicant]);
  return approved as { id: string; agreementId: string; reportEveryMonths: number; departmentPartyId: string; applicantPartyId: string };
}

/** A day after today in Asia/Shanghai, YYYY-MM-DD: a time limit still to come. */
export const shanghaiDaysFromNow = (days: number) => new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
