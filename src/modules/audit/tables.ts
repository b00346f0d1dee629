import { sql } from 'drizzle-orm';
import { bigint, bigserial, customType, index, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

/**
 * Art. 28(3): the exchange keeps the records of its reviews and of every trade. Strictly
 * append-only: the database refuses every UPDATE, DELETE and TRUNCATE (migration 0010).
 *
 * An event is written in the transaction of the change it records, with no lock that other
 * writers wait on; the database queues it in `audit_pending`, and the sequencer (sequencer.ts)
 * later makes it a leaf of the Merkle tree (RFC 9162) whose signed checkpoints anyone can check,
 * recording its place in `audit_log_leaves`. `seq` only orders the listing.
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
    /** The hash chain of the events written before the log; the tree commits to it. Null since. */
    prevHash: text('prev_hash'),
    hash: text('hash'),
    /**
     * The shape of the event's leaf (leaf.ts): 1 named the acting user in the clear, and every party
     * the event concerns holds its receipt; 2, every event since, commits to the user through the
     * context digest, so no receipt shows one party another's people. Events written before 2
     * stay 1 (the migration that added this column), or their receipts would no longer prove them.
     */
    leafVersion: smallint('leaf_version').notNull().default(2),
  },
  (t) => [
    uniqueIndex('audit_events_id_idx').on(t.id),
    index('audit_events_subject_idx').on(t.subjectType, t.subjectId, t.seq),
    index('audit_events_action_idx').on(t.action, t.seq),
    index('audit_events_actor_idx').on(t.actorUserId, t.seq),
  ],
);

/**
 * Each event's place in the log, assigned once by the sequencer: leaf `leafIndex` (from 0, no gaps,
 * never reused) is event `eventSeq`. Kept apart from the events so that sequencing adds a small row
 * here instead of rewriting the event (a new version of a wide row and of all its index entries).
 * Never changed (migration 0010).
 */
export const auditLogLeaves = pgTable('audit_log_leaves', {
  leafIndex: bigint('leaf_index', { mode: 'number' }).primaryKey(),
  eventSeq: bigint('event_seq', { mode: 'number' })
    .notNull()
    .unique('audit_log_leaves_event_seq_unique')
    .references(() => auditEvents.seq),
});

/**
 * Committed events the sequencer has not integrated yet. The database fills it (a statement
 * trigger on audit_events, migration 0010), so no way of writing an event can forget it; the
 * sequencer takes rows out in the transaction that integrates them.
 */
export const auditPending = pgTable('audit_pending', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
});

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
