import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { auditEvents } from './tables.js';

type AuditRow = typeof auditEvents.$inferSelect;

/**
 * The bytes of an event's leaf in the log: RFC 8785 canonical JSON of what the event says. The
 * network details of the actor (address, request id) are private to the exchange and its
 * operators, yet must not change unseen: the leaf commits to them through a SHA-256 digest,
 * which an operator can open by showing them. Events written before the log was introduced also
 * carry their place in the old hash chain, so the tree commits to that chain too.
 *
 * Changing this breaks every existing receipt: don't. A new shape gets a new `v`.
 */
export function leafContent(row: AuditRow): Record<string, unknown> {
  return {
    v: 1,
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    actor: { userId: row.actorUserId, partyId: row.actorPartyId, role: row.actorRole },
    context: contextDigest(row),
    action: row.action,
    subject: { type: row.subjectType, id: row.subjectId },
    parties: row.partyIds,
    payload: row.payload,
    ...(row.prevHash !== null ? { chain: { seq: row.seq, prevHash: row.prevHash, hash: row.hash } } : {}),
  };
}

export const contextDigest = (row: Pick<AuditRow, 'ip' | 'requestId'>) =>
  createHash('sha256').update(canonicalJson({ ip: row.ip, requestId: row.requestId })).digest('hex');

export const leafBytes = (row: AuditRow) => Buffer.from(canonicalJson(leafContent(row)), 'utf8');
