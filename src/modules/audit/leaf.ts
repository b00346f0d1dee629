import { hash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { canonicalJson } from '../../lib/canonical-json.js';
import { leafHashOfText } from '../../lib/tlog/merkle.js';
import type { auditEvents } from './tables.js';

type AuditRow = typeof auditEvents.$inferSelect;

/**
 * The bytes of an event's leaf in the log: RFC 8785 canonical JSON of what the event says. Every
 * party the event concerns holds its receipt, so the leaf shows the acting party and role but not
 * the person: which user acted, and from where (address, request id), are private to the exchange
 * and its operators, yet must not change unseen. The leaf commits to them through a SHA-256 digest
 * (`context`), which an operator can open by showing them. Events written before the log was
 * introduced also carry their place in the old hash chain, so the tree commits to that chain too.
 *
 * Shape 1 (the first events, `leafVersion` 1) named the user in the clear and digested only the
 * address and request id; shape 2 digests the user with them.
 *
 * Changing a shape breaks every existing receipt: don't. A new shape gets a new `v`, and
 * `leafTextOf` below changes with it.
 */
export function leafContent(row: AuditRow): Record<string, unknown> {
  if (row.leafVersion === 1) {
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
  return {
    v: row.leafVersion,
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    actor: { partyId: row.actorPartyId, role: row.actorRole },
    context: personalContextDigest(row),
    action: row.action,
    subject: { type: row.subjectType, id: row.subjectId },
    parties: row.partyIds,
    payload: row.payload,
    ...(row.prevHash !== null ? { chain: { seq: row.seq, prevHash: row.prevHash, hash: row.hash } } : {}),
  };
}

/** Shape 1's context: the actor's address and request id. */
export const contextDigest = (row: Pick<AuditRow, 'ip' | 'requestId'>) =>
  createContextDigest(canonicalJson({ ip: row.ip, requestId: row.requestId }));

/** Shape 2's context: the actor's address, request id and user. */
export const personalContextDigest = (row: Pick<AuditRow, 'ip' | 'requestId' | 'actorUserId'>) =>
  createContextDigest(canonicalJson({ ip: row.ip, requestId: row.requestId, userId: row.actorUserId }));

const createContextDigest = (text: string) => hash('sha256', text, 'hex');

export const leafBytes = (row: AuditRow) => Buffer.from(canonicalJson(leafContent(row)), 'utf8');

/**
 * An event as the sequencer and the verifier read it, many thousands at a time: only the columns
 * of its leaf, in the database's own text forms (no object mapping per column), `leafIndex` from
 * audit_log_leaves where it has one. Read with `leafColumns`.
 */
export interface LeafRow {
  leafIndex: number | null;
  /** The leaf's shape, `leafVersion`. */
  version: number;
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
export const leafColumns = sql.raw(leafColumnList());

/** `leafColumns` as SQL text, for statements drizzle does not build (the verifier's COPY). */
export function leafColumnList(): string {
  return `e.seq::float8 as "seq", e.leaf_version as "version", e.id::text as "id",
  floor(extract(epoch from e.occurred_at) * 1000)::float8 as "at",
  e.actor_user_id::text as "userId", e.actor_party_id::text as "partyId", e.actor_role as "role",
  e.ip as "ip", e.request_id as "requestId", e.action as "action", e.subject_type as "subjectType",
  e.subject_id as "subjectId", e.payload::text as "payload", e.party_ids::text as "parties",
  e.prev_hash as "prevHash", e.hash as "hash"`;
}

const str = JSON.stringify;
// RFC 8785 writes a string exactly as JSON.stringify does; uuids need no escaping at all.
const partiesJson = (parties: string) => (parties === '{}' ? '[]' : '["' + parties.slice(1, -1).split(',').join('","') + '"]');

let lastContext = { version: 1, ip: null as string | null, requestId: null as string | null, userId: null as string | null, digest: contextDigest({ ip: null, requestId: null }) };

/**
 * `leafBytes` as text, for a row read raw: the leaf's keys are fixed, so their canonical order is
 * written out here once (sorted by UTF-16 code units: action, actor, chain, context, id,
 * occurredAt, parties, payload, subject, v) and only the payload goes through the generic
 * canonicaliser. Byte for byte the same as `leafBytes` (test/modules/audit/leaf.test.ts).
 */
export function leafTextOf(r: LeafRow): string {
  // Consecutive events often share their context (the events of one request; jobs, which have
  // none), and its digest is a third of the hashing: the last one is reused.
  const personal = r.version !== 1;
  const userId = personal ? r.userId : null;
  if (r.version !== lastContext.version || r.ip !== lastContext.ip || r.requestId !== lastContext.requestId || userId !== lastContext.userId) {
    const text = personal
      ? `{"ip":${str(r.ip)},"requestId":${str(r.requestId)},"userId":${str(userId)}}`
      : `{"ip":${str(r.ip)},"requestId":${str(r.requestId)}}`;
    lastContext = { version: r.version, ip: r.ip, requestId: r.requestId, userId, digest: createContextDigest(text) };
  }
  const chain = r.prevHash === null ? '' : `,"chain":{"hash":${str(r.hash)},"prevHash":${str(r.prevHash)},"seq":${str(r.seq)}}`;
  const actor = personal ? `{"partyId":${str(r.partyId)},"role":${str(r.role)}}` : `{"partyId":${str(r.partyId)},"role":${str(r.role)},"userId":${str(r.userId)}}`;
  return (
    `{"action":${str(r.action)},"actor":${actor}${chain}` +
    `,"context":"${lastContext.digest}","id":${str(r.id)}` +
    `,"occurredAt":"${new Date(r.at).toISOString()}","parties":${partiesJson(r.parties)},"payload":${canonicalJson(JSON.parse(r.payload))}` +
    `,"subject":{"id":${str(r.subjectId)},"type":${str(r.subjectType)}},"v":${str(r.version)}}`
  );
}

export const leafHashOf = (r: LeafRow): Buffer => leafHashOfText(leafTextOf(r));
