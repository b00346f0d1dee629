import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, notFound } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import type { Revision } from '../catalog/listings.js';
import { getPartyDetails } from '../identity/service.js';
import { actingParty, invalidInput, isOperator, type Caller } from './context.js';
import { securityAssessments } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'trading.security_assessment_recorded': { buyerPartyId: string; listingId: string; reference: string; assessedOn: string; expiresOn: string; scope: string };
  }
}

export type SecurityAssessment = typeof securityAssessments.$inferSelect;

/** Why a listing's data may not leave the mainland without an assessment; empty when it may. */
export function crossBorderReasons(revision: Pick<Revision, 'personalInformation' | 'grade'>): string[] {
  return [...(revision.personalInformation ? ['personal_information'] : []), ...(revision.grade === 'important' || revision.grade === 'core' ? [`${revision.grade}_data`] : [])];
}

/**
 * Art. 39: personal information and important (or core) data leave the mainland only after a
 * security assessment. An overseas buyer orders such a listing only when an operator has recorded
 * an assessment for that buyer and listing that is still in force.
 */
export async function assertCrossBorderAllowed(tx: Database, buyer: { id: string; overseas: boolean }, listingId: string, revision: Revision): Promise<void> {
  const reasons = crossBorderReasons(revision);
  if (!buyer.overseas || reasons.length === 0) return;
  const [valid] = await tx
    .select({ id: securityAssessments.id })
    .from(securityAssessments)
    .where(and(eq(securityAssessments.buyerPartyId, buyer.id), eq(securityAssessments.listingId, listingId), gt(securityAssessments.expiresOn, sql`current_date`)))
    .limit(1);
  if (valid) return;
  throw new AppError(
    'cross-border-assessment-required',
    { en: `Art. 39: this listing holds ${reasons.join(' and ').replaceAll('_', ' ')}; an overseas buyer may order it only with a security assessment in force, recorded by the exchange`, zh: `第三十九条：该数据产品包含 ${reasons.join('、')}；境外买方须有经交易所记录且仍在有效期内的安全评估方可下单` },
    { rule: 'art-39-cross-border-security-assessment', reasons },
  );
}

export interface AssessmentInput {
  buyerPartyId: string;
  listingId: string;
  reference: string;
  assessedOn: string;
  scope: string;
  expiresOn: string;
}

/** An operator records a security assessment that covers one overseas buyer and one listing. */
export async function recordSecurityAssessment(db: Database, caller: Caller, input: AssessmentInput): Promise<SecurityAssessment> {
  if (input.expiresOn <= input.assessedOn) throw invalidInput('/body/expiresOn', { en: 'the assessment must expire after the day it was made', zh: '安全评估的有效期届满日须晚于评估日' });
  return db.transaction(async (tx) => {
    const party = await getPartyDetails(tx, input.buyerPartyId).then(
      (details) => details.party,
      () => undefined,
    );
    if (!party) throw invalidInput('/body/buyerPartyId', { en: 'no party has this id', zh: '没有使用该 id 的主体' });
    if (!party.overseas) throw invalidInput('/body/buyerPartyId', { en: 'only an overseas party needs a cross-border security assessment', zh: '只有境外主体需要数据出境安全评估' });
    const [row] = await tx.insert(securityAssessments).values({ ...input, recordedBy: caller.actor.userId }).returning();
    await appendAudit(tx, caller.audit, {
      action: 'trading.security_assessment_recorded',
      subject: { type: 'security_assessment', id: row!.id },
      payload: { ...input },
      parties: [input.buyerPartyId],
    });
    return row!;
  });
}

/**
 * Recorded assessments, newest first: operators see every one; a buyer those recorded for the
 * party it acts for (which of its own transfers abroad are assessed, Art. 39), and another party's
 * id is a 404 like any resource not its own.
 */
export async function listSecurityAssessments(db: Database, caller: Caller, query: { buyerPartyId?: string | undefined; listingId?: string | undefined; limit: number; afterId?: string | undefined }) {
  const own = isOperator(caller) ? undefined : actingParty(caller);
  if (own && query.buyerPartyId && query.buyerPartyId !== own) throw notFound({ en: 'the party', zh: '该主体' });
  const q = { ...query, buyerPartyId: own ?? query.buyerPartyId };
  return db
    .select()
    .from(securityAssessments)
    .where(
      and(
        q.buyerPartyId ? eq(securityAssessments.buyerPartyId, q.buyerPartyId) : undefined,
        q.listingId ? eq(securityAssessments.listingId, q.listingId) : undefined,
        q.afterId ? sql`${securityAssessments.id} < ${q.afterId}` : undefined,
      ),
    )
    .orderBy(desc(securityAssessments.id))
    .limit(q.limit);
}
