import { sql } from 'drizzle-orm';
import { bigint, bigserial, customType, index, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

/**
 * Art. 28(3): the exchange keeps the records of its reviews and of every trade. Append-only: the
 * database refuses UPDATE, DELETE and TRUNCATE (migration 0006), except the sequencer's one-time
 * assignment of a leaf index to an event that has none.
 *
 * An event is written in the transaction of the change it records, with no lock that other
 * writers wait on; the sequencer (sequencer.ts) later makes it leaf `leafIndex` of the Merkle tree
 * (RFC 9162) whose signed checkpoints anyone can check. `seq` only orders the listing.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').notNull().defaultRandom(),
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    actorUserId: uuid('actor_user_id'),
    actorPartyId: uuid('actor_party_id'),
    actorRole: text('actor_role'),
    ip: text('ip'),
    requestId: text('request_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    payload: jsonb('payload').notNull(),
    /** The parties the event concerns: they, and operators, may have its receipt. */
    partyIds: uuid('party_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** Assigned once by the sequencer: the event's position in the Merkle tree, from 0, no gaps. */
    leafIndex: bigint('leaf_index', { mode: 'number' }),
    /** The hash chain of the events written before the log; the tree commits to it. Null since. */
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    uniqueIndex('audit_events_id_idx').on(t.id),
    uniqueIndex('audit_events_leaf_idx').on(t.leafIndex),
    index('audit_events_pending_idx').on(t.seq).where(sql`${t.leafIndex} is null`),
    index('audit_events_subject_idx').on(t.subjectType, t.subjectId, t.seq),
    index('audit_events_action_idx').on(t.action, t.seq),
    index('audit_events_actor_idx').on(t.actorUserId, t.seq),
  ],
);

/**
 * The hash of every complete subtree of the log: node (level, index) covers leaves
 * [index·2^level, (index+1)·2^level). Roots and proofs for any tree size come from these without
 * recomputing anything. Written only by the sequencer, never changed.
 */
export const auditLogNodes = pgTable(
  'audit_log_nodes',
  {
    level: smallint('level').notNull(),
    index: bigint('index', { mode: 'number' }).notNull(),
    hash: bytea('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

/** Every checkpoint the log has published: a C2SP tlog-checkpoint signed as a C2SP signed note. */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  treeSize: bigint('tree_size', { mode: 'number' }).primaryKey(),
  rootHash: bytea('root_hash').notNull(),
  note: text('note').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
