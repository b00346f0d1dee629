import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, like, lt, lte, sql, type SQL } from 'drizzle-orm';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { Database } from '../../lib/database.js';
import type { AuditAction, AuditActor, AuditEventInput } from './events.js';
import { auditEvents } from './tables.js';

export const GENESIS_HASH = '0'.repeat(64);

type AuditRow = typeof auditEvents.$inferSelect;

/** The exact content a hash covers. Changing this breaks every existing chain: don't. */
function hashEvent(row: Omit<AuditRow, 'hash'>): string {
  const content = {
    seq: row.seq,
    occurredAt: row.occurredAt.toISOString(),
    actor: {
      userId: row.actorUserId,
      partyId: row.actorPartyId,
      role: row.actorRole,
      ip: row.ip,
      requestId: row.requestId,
    },
    action: row.action,
    subject: { type: row.subjectType, id: row.subjectId },
    payload: row.payload,
    prevHash: row.prevHash,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * Appends one event to the chain. Call it with the transaction that makes the change it records,
 * so the event exists if and only if the change committed. The table lock orders concurrent
 * appends from any number of processes into one chain; plain reads are not blocked by it.
 */
export async function appendAudit<A extends AuditAction>(
  tx: Database,
  actor: AuditActor,
  event: AuditEventInput<A>,
): Promise<{ seq: number; hash: string }> {
  await tx.execute(sql`lock table ${auditEvents} in exclusive mode`);
  const [head] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  const row = {
    seq: (head?.seq ?? 0) + 1,
    occurredAt: new Date(),
    actorUserId: actor.userId,
    actorPartyId: actor.partyId,
    actorRole: actor.role,
    ip: actor.ip,
    requestId: actor.requestId,
    action: event.action,
    subjectType: event.subject.type,
    subjectId: event.subject.id,
    // Through JSON once, so the hash covers exactly what jsonb will give back.
    payload: JSON.parse(JSON.stringify(event.payload)) as unknown,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const hash = hashEvent(row);
  await tx.insert(auditEvents).values({ ...row, hash });
  return { seq: row.seq, hash };
}

export interface AuditQuery {
  action?: string | undefined;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  actorUserId?: string | undefined;
  actorPartyId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  order: 'asc' | 'desc';
  afterSeq?: number | undefined;
  limit: number;
}

export async function listAuditEvents(db: Database, q: AuditQuery): Promise<AuditRow[]> {
  const filters: (SQL | undefined)[] = [
    // `account.*` matches every action of a family.
    q.action?.endsWith('.*') ? like(auditEvents.action, q.action.slice(0, -1) + '%') : q.action ? eq(auditEvents.action, q.action) : undefined,
    q.subjectType ? eq(auditEvents.subjectType, q.subjectType) : undefined,
    q.subjectId ? eq(auditEvents.subjectId, q.subjectId) : undefined,
    q.actorUserId ? eq(auditEvents.actorUserId, q.actorUserId) : undefined,
    q.actorPartyId ? eq(auditEvents.actorPartyId, q.actorPartyId) : undefined,
    q.from ? gte(auditEvents.occurredAt, q.from) : undefined,
    q.to ? lte(auditEvents.occurredAt, q.to) : undefined,
    q.afterSeq === undefined ? undefined : q.order === 'asc' ? gt(auditEvents.seq, q.afterSeq) : lt(auditEvents.seq, q.afterSeq),
  ];
  return db
    .select()
    .from(auditEvents)
    .where(and(...filters))
    .orderBy(q.order === 'asc' ? asc(auditEvents.seq) : desc(auditEvents.seq))
    .limit(q.limit);
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string } | null;
  firstBadSeq: number | null;
  reason: string | null;
}

/**
 * Recomputes the chain from the first event: sequence numbers without gaps, each event linked to
 * the previous hash, each hash matching its content. Reads in batches so memory stays flat.
 */
export async function verifyAuditChain(
  db: Database,
  onProgress: (checked: number, total: number) => void = () => {},
  batchSize = 2000,
): Promise<ChainVerification> {
  const [{ total } = { total: 0 }] = await db.select({ total: sql<number>`count(*)::int` }).from(auditEvents);
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  const fail = (seq: number, reason: string): ChainVerification => ({
    ok: false,
    checked,
    head: null,
    firstBadSeq: seq,
    reason,
  });
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(gte(auditEvents.seq, expectedSeq))
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    for (const row of rows) {
      if (row.seq !== expectedSeq) return fail(expectedSeq, `event ${expectedSeq} is missing`);
      if (row.prevHash !== prevHash) return fail(row.seq, 'does not link to the previous event');
      if (hashEvent(row) !== row.hash) return fail(row.seq, 'content does not match its hash');
      prevHash = row.hash;
      expectedSeq++;
      checked++;
    }
    onProgress(checked, total);
    if (rows.length < batchSize) break;
  }
  return {
    ok: true,
    checked,
    head: checked ? { seq: expectedSeq - 1, hash: prevHash } : null,
    firstBadSeq: null,
    reason: null,
  };
}
