import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, notFound, type Localized } from '../../lib/errors.js';
import type { Actor } from '../../plugins/auth.js';
import { leafBytes } from './leaf.js';
import { latestCheckpoint, nodesAt } from './sequencer.js';
import { auditCheckpoints, auditEvents, auditLogLeaves } from './tables.js';
import { consistencyFrom, consistencyKeys, inclusionFrom, inclusionKeys } from '../../lib/tlog/merkle.js';

/**
 * What a party keeps to prove, without trusting the exchange's database, that an event is in the
 * log: the event's leaf bytes, its index, the audit path and the signed checkpoint the path leads
 * to. `npm run audit:verify-receipt -- FILE` checks one with the log's public key alone.
 */
export interface Receipt {
  format: 'dx-audit-receipt/v1';
  eventId: string;
  leaf: string;
  leafIndex: number;
  treeSize: number;
  inclusionProof: string[];
  checkpoint: string;
}

const b64 = (hashes: Buffer[]) => hashes.map((h) => h.toString('base64'));

/** The event's receipt for whoever may see the event: a party it concerns, or an operator (others: 404). */
export async function receiptFor(db: Database, actor: Actor, eventId: string): Promise<Receipt> {
  const [found] = await db
    .select({ event: auditEvents, leafIndex: auditLogLeaves.leafIndex })
    .from(auditEvents)
    .leftJoin(auditLogLeaves, eq(auditLogLeaves.eventSeq, auditEvents.seq))
    .where(eq(auditEvents.id, eventId));
  const event = found?.event;
  const mayRead = event && (actor.roles.includes('operator') || (actor.partyId !== null && event.partyIds.includes(actor.partyId)));
  if (!found || !event || !mayRead) throw notFound({ en: 'audit event', zh: '审计事件' });
  const { leafIndex } = found;
  if (leafIndex === null) throw new AppError('audit-pending', { en: 'the event is not in the log yet; it will be within a second (or ask with wait=5)', zh: '该事件尚未写入日志，将在一秒内写入（或以 wait=5 查询）' }, { retryAfterSeconds: 1 });
  const checkpoint = (await latestCheckpoint(db))!;
  const nodes = await nodesAt(db, inclusionKeys(leafIndex, checkpoint.size));
  return {
    format: 'dx-audit-receipt/v1',
    eventId: event.id,
    leaf: leafBytes(event).toString('base64'),
    leafIndex,
    treeSize: checkpoint.size,
    inclusionProof: b64(inclusionFrom(leafIndex, checkpoint.size, nodes)),
    checkpoint: checkpoint.note,
  };
}

function assertSizes(first: number, second: number, current: number, names: [string, string]) {
  const problem = (path: string, message: Localized) => new AppError('validation-failed', message, { errors: [{ path, message: message.en }] });
  if (second > current) throw problem(`/querystring/${names[1]}`, { en: `the log has ${current} leaves`, zh: `日志共有 ${current} 个叶节点` });
  if (first > second) throw problem(`/querystring/${names[0]}`, { en: `must not exceed ${names[1]}`, zh: `不得超过 ${names[1]}` });
}

/** RFC 9162 §2.1.3: the audit path of leaf `index` in the tree of `size` leaves. */
export async function inclusionProof(db: Database, index: number, size: number) {
  const current = (await latestCheckpoint(db))?.size ?? 0;
  assertSizes(index + 1, size, current, ['index', 'size']);
  return { index, size, proof: b64(inclusionFrom(index, size, await nodesAt(db, inclusionKeys(index, size)))) };
}

/** RFC 9162 §2.1.4: the proof that the tree of `from` leaves is a prefix of the tree of `to` leaves. */
export async function consistencyProof(db: Database, from: number, to: number) {
  const current = (await latestCheckpoint(db))?.size ?? 0;
  assertSizes(from, to, current, ['from', 'to']);
  return { from, to, proof: b64(consistencyFrom(from, to, await nodesAt(db, consistencyKeys(from, to)))) };
}

export async function checkpointOfSize(db: Database, size: number): Promise<string> {
  const [row] = await db.select({ note: auditCheckpoints.note }).from(auditCheckpoints).where(eq(auditCheckpoints.treeSize, size));
  if (!row) throw notFound({ en: 'checkpoint of that size', zh: '该规模的检查点' });
  return row.note;
}
