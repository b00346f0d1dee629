import { eq, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { InvalidatedCache } from '../../lib/cache.js';
import type { ChangeFeed } from '../../lib/changes.js';
import { preparedQuery, type Database } from '../../lib/database.js';
import { AppError, invalidState } from '../../lib/errors.js';
import type { Actor } from '../../plugins/auth.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { requirePartyRole, type MembershipList } from './members.js';
import { lockParty, type Party } from './service.js';
import { parties } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'party.suspension_appealed': { statement: string };
  }
}

/**
 * Art. 28(4): the exchange supervises trading and may stop a party's pending an investigation.
 * While a party is suspended it reads what is its own and hears from the exchange, but nothing
 * that commits it or moves its business forward goes through: every request acting for it that
 * may change something is refused here, on every route, before the route runs, unless the route
 * declares why it stays open (`whileSuspended`, plugins/auth.ts). Use cases check the other side of
 * a trade themselves (`requireVerifiedParty`).
 */

export interface Suspension {
  since: Date;
  reason: string;
}

/** What other modules do in the transaction that suspends or reinstates a party (settlement holds payouts). */
export interface SuspensionEffects {
  suspended(tx: Database, partyId: string): Promise<void>;
  reinstated(tx: Database, partyId: string): Promise<void>;
}

/** The one refusal a suspended party's member meets, naming the reason: it is the party's own. */
export function suspensionRefusal(partyId: string, suspension: Suspension): AppError {
  return new AppError(
    'party-suspended',
    { en: `the exchange suspended the party on ${suspension.since.toISOString().slice(0, 10)}: ${suspension.reason}. It reads its records, keeps its notifications and may appeal; nothing that commits it goes through until it is reinstated`, zh: `交易所已于 ${suspension.since.toISOString().slice(0, 10)} 暂停该主体：${suspension.reason}。该主体可以查阅其记录、接收通知并提出申诉；恢复前，任何使其承担义务的操作均不予办理` },
    { partyId, reason: suspension.reason, suspendedAt: suspension.since.toISOString() },
  );
}

const suspensionStatement = preparedQuery((db) =>
  db
    .select({ suspendedAt: parties.suspendedAt, reason: parties.suspensionReason })
    .from(parties)
    .where(eq(parties.id, sql.placeholder('id')))
    .prepare('party_suspension'),
);

const reads = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The suspensions of the parties requests act for, from memory: a party's entry is dropped on
 * every process the moment its suspension changes (migration 0025, src/lib/changes.ts), and a
 * suspension answers only after every process has seen it (the fence in app.ts).
 */
export function suspensionGate(db: Database, feed: ChangeFeed) {
  const cache = new InvalidatedCache<{ suspension: Suspension | null }>(feed, 'party', 100_000);
  const suspensionOf = async (partyId: string): Promise<Suspension | null> => {
    const entry = await cache.get(partyId, async () => {
      const [row] = await suspensionStatement(db).execute({ id: partyId });
      return { suspension: row?.suspendedAt ? { since: row.suspendedAt, reason: row.reason ?? '' } : null };
    });
    return entry?.suspension ?? null;
  };

  /**
   * Refuses a request that may change something while a party it acts for is suspended: the acting
   * party, and on a route about a party named in its path (its details, documents, payout account),
   * that party too when the caller is one of its members, whichever party the header names.
   */
  async function refuseWhileSuspended(request: FastifyRequest, actor: Actor, memberships: MembershipList): Promise<void> {
    if (reads.has(request.method)) return;
    const { whileSuspended, access } = request.routeOptions.config;
    if (whileSuspended) return;
    const concerned = actor.partyId ? [actor.partyId] : [];
    if (access && access !== 'none' && access.resource === 'party') {
      const named = (request.params as Record<string, unknown> | undefined)?.[access.param ?? 'id'];
      const member = typeof named === 'string' && memberships.find((m) => m.partyId === named.toLowerCase());
      if (member && member.partyId !== actor.partyId) concerned.push(member.partyId);
    }
    for (const partyId of concerned) {
      const suspension = await suspensionOf(partyId);
      if (suspension) throw suspensionRefusal(partyId, suspension);
    }
  }

  return { suspensionOf, refuseWhileSuspended };
}

export type SuspensionGate = ReturnType<typeof suspensionGate>;

/**
 * An operator suspends or reinstates a party, with the reason, audited in the same transaction as
 * the change and whatever other modules do about it (`effects`: settlement holds the party's
 * payouts, and sends them after reinstatement).
 */
export async function setSuspension(
  db: Database,
  effects: readonly SuspensionEffects[],
  actor: AuditActor,
  partyId: string,
  suspend: boolean,
  reason: string,
): Promise<Party> {
  return db.transaction(async (tx) => {
    const before = await lockParty(tx, partyId);
    if (Boolean(before.suspendedAt) === suspend) throw invalidState({ en: suspend ? 'the party is already suspended' : 'the party is not suspended', zh: suspend ? '该主体已被暂停' : '该主体未被暂停' });
    const now = new Date();
    const [after] = await tx
      .update(parties)
      .set({ suspendedAt: suspend ? now : null, suspensionReason: suspend ? reason : null, updatedAt: now })
      .where(eq(parties.id, partyId))
      .returning();
    await appendAudit(tx, actor, { action: suspend ? 'party.suspended' : 'party.reinstated', subject: { type: 'party', id: partyId }, payload: { reason } });
    for (const effect of effects) await (suspend ? effect.suspended(tx, partyId) : effect.reinstated(tx, partyId));
    return after!;
  });
}

/**
 * A member of a suspended party states its case against the suspension. The statement is the
 * audit event (operators find it under `party.suspension_appealed`); the party keeps its receipt.
 */
export async function appealSuspension(db: Database, actor: AuditActor, userId: string, partyId: string, statement: string) {
  await requirePartyRole(db, partyId, userId, 'any');
  return db.transaction(async (tx) => {
    const party = await lockParty(tx, partyId);
    if (!party.suspendedAt) throw invalidState({ en: 'the party is not suspended: there is nothing to appeal', zh: '该主体未被暂停，无可申诉事项' });
    const event = await appendAudit(tx, actor, { action: 'party.suspension_appealed', subject: { type: 'party', id: partyId }, payload: { statement } });
    return { auditEventId: event.id, partyId, statement, suspendedAt: party.suspendedAt, appealedAt: new Date() };
  });
}
