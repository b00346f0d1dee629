import { and, asc, desc, eq, gt, gte, like, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import type { AuditAction, AuditActor, AuditEventInput } from './events.js';
import { auditEvents, auditLogLeaves } from './tables.js';

/** An event with its place in the log (null until the sequencer integrates it). */
export type AuditEventRow = typeof auditEvents.$inferSelect & { leafIndex: number | null };

/**
 * Records one event. Call it with the transaction that makes the change it records, so the event
 * exists if and only if the change committed. It takes no lock: concurrent writers from any number
 * of processes append side by side, and the sequencer (sequencer.ts) gives each committed event
 * its place in the verifiable log a moment later.
 */
export async function appendAudit<A extends AuditAction>(tx: Database, actor: AuditActor, event: AuditEventInput<A>): Promise<{ id: string; seq: number }> {
  const concerned = [actor.partyId, event.subject.type === 'party' ? event.subject.id : null, ...(event.parties ?? [])];
  const [row] = await appendStatement(tx).execute({
    occurredAt: new Date(),
    actorUserId: actor.userId,
    actorPartyId: actor.partyId,
    actorRole: actor.role,
    ip: actor.ip,
    requestId: actor.requestId,
    action: event.action,
    subjectType: event.subject.type,
    subjectId: event.subject.id,
    // Through JSON once, so the log's leaf covers exactly what jsonb gives back.
    payload: JSON.parse(JSON.stringify(event.payload)) as unknown,
    partyIds: [...new Set(concerned.filter((p): p is string => typeof p === 'string'))].sort(),
  });
  return row!;
}

/**
 * The append as a named prepared statement: every audited change in the exchange sends it, and a
 * statement that is not prepared costs a second round trip (postgres-js asks the server for its
 * parameter types before it can send the values). The database queues the event for the sequencer
 * itself (migration 0010). It runs in the caller's transaction, so it is built on it each time;
 * each connection prepares it once.
 */
const placeholders = Object.fromEntries(
  (['occurredAt', 'actorUserId', 'actorPartyId', 'actorRole', 'ip', 'requestId', 'action', 'subjectType', 'subjectId', 'payload', 'partyIds'] as const).map((k) => [k, sql.placeholder(k)]),
) as unknown as typeof auditEvents.$inferInsert;
const appendStatement = (tx: Database) => tx.insert(auditEvents).values(placeholders).returning({ id: auditEvents.id, seq: auditEvents.seq }).prepare('audit_append');

export interface AuditQuery {
  /** Only events that concern this party. */
  partyId?: string | undefined;
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

export async function listAuditEvents(db: Database, q: AuditQuery): Promise<AuditEventRow[]> {
  const filters: (SQL | undefined)[] = [
    // `account.*` matches every action of a family.
    q.action?.endsWith('.*') ? like(auditEvents.action, q.action.slice(0, -1) + '%') : q.action ? eq(auditEvents.action, q.action) : undefined,
    q.partyId ? sql`${auditEvents.partyIds} @> array[${q.partyId}]::uuid[]` : undefined,
    q.subjectType ? eq(auditEvents.subjectType, q.subjectType) : undefined,
    q.subjectId ? eq(auditEvents.subjectId, q.subjectId) : undefined,
    q.actorUserId ? eq(auditEvents.actorUserId, q.actorUserId) : undefined,
    q.actorPartyId ? eq(auditEvents.actorPartyId, q.actorPartyId) : undefined,
    q.from ? gte(auditEvents.occurredAt, q.from) : undefined,
    q.to ? lte(auditEvents.occurredAt, q.to) : undefined,
    q.afterSeq === undefined ? undefined : q.order === 'asc' ? gt(auditEvents.seq, q.afterSeq) : lt(auditEvents.seq, q.afterSeq),
  ];
  const rows = await db
    .select({ event: auditEvents, leafIndex: auditLogLeaves.leafIndex })
    .from(auditEvents)
    .leftJoin(auditLogLeaves, eq(auditLogLeaves.eventSeq, auditEvents.seq))
    .where(and(...filters))
    .orderBy(q.order === 'asc' ? asc(auditEvents.seq) : desc(auditEvents.seq))
    .limit(q.limit);
  return rows.map((r) => ({ ...r.event, leafIndex: r.leafIndex }));
}
