import { hash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { canonicalJson } from '../../lib/canonical-json.js';
import { leafHashOfText } from '../../lib/tlog/merkle.js';
import type { auditEvents } from './tables.js';

type AuditRow = typeof auditEvents.$inferSelect;

/**
 * The bytes of an event's leaf in the log: RFC 8785 canonical JSON of what the event says. The
 * network details of the actor (address, request id) are private to the exchange and its
 * operators, yet must not change unseen: the leaf commits to them through a SHA-256 digest,
 * which an operator can open by showing them. Events written before the log was introduced also
 * carry their place in the old hash chain, so the tree commits to that chain too.
 *
 * Changing this breaks every existing receipt: don't. A new shape gets a new `v`, and
 * `leafTextOf` below changes with it.
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
  createContextDigest(canonicalJson({ ip: row.ip, requestId: row.requestId }));

const createContextDigest = (text: string) => hash('sha256', text, 'hex');

export const leafBytes = (row: AuditRow) => Buffer.from(canonicalJson(leafContent(row)), 'utf8');

/**
 * An event as the sequencer and the verifier read it, many thousands at a time: only the columns
 * of its leaf, in the database's own text forms (no object mapping per column), `leafIndex` from
 * audit_log_leaves where it has one. Read with `leafColumns`.
 */
export interface LeafRow {
  leafIndex: number | null;
  seq: number | null;
  id: string;
  /** occurred_at in whole milliseconds since 1970, as a JavaScript Date holds it. */
  at: number;
  userId: string | null;
  partyId: string | null;
  role: string | null;
  ip: string | null;
  requestId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  /** jsonb text */
  payload: string;
  /** uuid[] text: `{a,b}` */
  parties: string;
  prevHash: string | null;
  hash: string | null;
}

/** The select list of `LeafRow`, over audit_events `e` (left joined: a missing event reads as seq null). */
export const leafColumns = sql.raw(`e.seq::float8 as "seq", e.id::text as "id",
  floor(extract(epoch from e.occurred_at) * 1000)::float8 as "at",
  e.actor_user_id::text as "userId", e.actor_party_id::text as "partyId", e.actor_role as "role",
  e.ip as "ip", e.request_id as "requestId", e.action as "action", e.subject_type as "subjectType",
  e.subject_id as "subjectId", e.payload::text as "payload", e.party_ids::text as "parties",
  e.prev_hash as "prevHash", e.hash as "hash"`);

const str = JSON.stringify;
// RFC 8785 writes a string exactly as JSON.stringify does; uuids need no escaping at all.
const partiesJson = (parties: string) => (parties === '{}' ? '[]' : '["' + parties.slice(1, -1).split(',').join('","') + '"]');

let lastContext = { ip: null as string | null, requestId: null as string | null, digest: contextDigest({ ip: null, requestId: null }) };

/**
 * `leafBytes` as text, for a row read raw: the leaf's keys are fixed, so their canonical order is
 * written out here once (sorted by UTF-16 code units: action, actor, chain, context, id,
 * occurredAt, parties, payload, subject, v) and only the payload goes through the generic
 * canonicaliser. Byte for byte the same as `leafBytes` (test/modules/audit/leaf.test.ts).
 */
export function leafTextOf(r: LeafRow): string {
  // Consecutive events often share their context (the events of one request; jobs, which have
  // none), and its digest is a third of the hashing: the last one is reused.
  if (r.ip !== lastContext.ip || r.requestId !== lastContext.requestId) {
    lastContext = { ip: r.ip, requestId: r.requestId, digest: createContextDigest(`{"ip":${str(r.ip)},"requestId":${str(r.requestId)}}`) };
  }
  const chain = r.prevHash === null ? '' : `,"chain":{"hash":${str(r.hash)},"prevHash":${str(r.prevHash)},"seq":${str(r.seq)}}`;
  return (
    `{"action":${str(r.action)},"actor":{"partyId":${str(r.partyId)},"role":${str(r.role)},"userId":${str(r.userId)}}${chain}` +
    `,"context":"${lastContext.digest}","id":${str(r.id)}` +
    `,"occurredAt":"${new Date(r.at).toISOString()}","parties":${partiesJson(r.parties)},"payload":${canonicalJson(JSON.parse(r.payload))}` +
    `,"subject":{"id":${str(r.subjectId)},"type":${str(r.subjectType)}},"v":1}`
  );
}

export const leafHashOf = (r: LeafRow): Buffer => leafHashOfText(leafTextOf(r));
