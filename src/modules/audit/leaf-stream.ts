import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { rowsOf, type Database } from '../../lib/database.js';
import { leafColumnList, type LeafRow } from './leaf.js';

/** A leaf as the verifier reads it: the event's columns, and the event seq the leaf row names (kept even when the event is gone). */
export type VerifiedLeaf = LeafRow & { eventSeq: number | null };

/** Leaves read per statement where they cannot be streamed: about 10 MB of rows for the usual event. */
export const VERIFY_BATCH = 20_000;

const leavesSelect = (columns: string) => `select l.leaf_index::float8 as "leafIndex", l.event_seq::float8 as "eventSeq", ${columns}
  from audit_log_leaves l left join audit_events e on e.seq = l.event_seq`;

/** Leaves [from, to) with their events, in leaf order; a leaf whose event is gone has seq null (and still its eventSeq). */
export async function readLeaves(db: Database, from: number, to: number): Promise<VerifiedLeaf[]> {
  return rowsOf<VerifiedLeaf>(await db.execute(sql`${sql.raw(leavesSelect(leafColumnList()))} where l.leaf_index >= ${from} and l.leaf_index < ${to} order by l.leaf_index`));
}

/**
 * Leaves [0, total) in leaf order, a batch at a time. On the server one `COPY ... TO STDOUT`
 * streams them: the database reads and writes rows on its own core while this process hashes the
 * ones it has (each statement of the batched reading planned, sorted and answered anew was most of
 * the wait). The embedded database has no COPY to a client: it reads batches, the next one while
 * this one is hashed.
 */
export async function* leavesInOrder(db: Database, total: number, batchSize = VERIFY_BATCH): AsyncGenerator<VerifiedLeaf[]> {
  const client = serverClientOf(db);
  if (client) {
    yield* copiedLeaves(client, total);
    return;
  }
  let prefetch = readLeaves(db, 0, Math.min(total, batchSize));
  for (let from = 0; from < total; from += batchSize) {
    const rows = await prefetch;
    const next = from + batchSize;
    if (next < total) prefetch = readLeaves(db, next, Math.min(total, next + batchSize));
    yield rows;
  }
}

/** The postgres.js client behind a drizzle database on the server (not a transaction, not PGlite). */
function serverClientOf(db: Database): postgres.Sql | undefined {
  const client = (db as { $client?: unknown }).$client as Partial<postgres.Sql> | undefined;
  return typeof client?.unsafe === 'function' && typeof client.reserve === 'function' ? (client as postgres.Sql) : undefined;
}

const STREAMING_PLAN = [
  ['enable_hashjoin', 'off'],
  ['enable_mergejoin', 'off'],
  ['enable_sort', 'off'],
  ['max_parallel_workers_per_gather', '0'],
  ['jit', 'off'],
] as const;

async function* copiedLeaves(client: postgres.Sql, total: number): AsyncGenerator<VerifiedLeaf[]> {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`not a tree size: ${total}`);
  // A connection of its own, planned to stream: leaves in their key's order, each joined to its event
  // by the events' key. Left to itself the planner hashes, sorts and answers the first row only once
  // it has every row, and this process would wait for it and then hash alone.
  const connection = await client.reserve();
  let stream: Readable | undefined;
  let rest: Buffer = Buffer.alloc(0);
  try {
    await connection.unsafe(STREAMING_PLAN.map(([name, value]) => `set ${name} = ${value}`).join('; '));
    // COPY takes no parameters; the size is a checked integer.
    stream = await connection.unsafe(`copy (${leavesSelect(leafColumnList())} where l.leaf_index < ${total} order by l.leaf_index) to stdout`).readable();
    // Not destroyed when the caller stops early: postgres.js would leave the connection paused.
    for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      // Rows end in a newline byte, which no UTF-8 sequence contains and COPY escapes inside values.
      const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      const end = data.lastIndexOf(0x0a);
      if (end < 0) {
        rest = data;
        continue;
      }
      rest = Buffer.from(data.subarray(end + 1));
      const lines = data.toString('utf8', 0, end).split('\n');
      yield lines.map(leafOfCopyLine);
    }
    if (rest.length) throw new Error('the COPY of the leaves ended inside a row');
  } finally {
    if (stream && !stream.readableEnded && !stream.destroyed) {
      stream.resume();
      await finished(stream).catch(() => {});
    }
    await connection.unsafe(STREAMING_PLAN.map(([name]) => `reset ${name}`).join('; ')).catch(() => {});
    connection.release();
  }
}

/** COPY's text format (PostgreSQL docs, COPY, "Text Format"): `\N` is null; a backslash escapes the next character. */
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
function copyValue(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/gs, (_, octal: string | undefined, hex: string | undefined, char: string) =>
    octal ? String.fromCharCode(parseInt(octal, 8)) : hex ? String.fromCharCode(parseInt(hex, 16)) : (ESCAPES[char] ?? char),
  );
}
const numberOf = (field: string) => (field === '\\N' ? null : Number(field));

/** A row of `leavesSelect`, its columns in that order. */
function leafOfCopyLine(line: string): VerifiedLeaf {
  const f = line.split('\t');
  if (f.length !== 18) throw new Error(`a COPY row of the leaves has ${f.length} columns, not 18`);
  return {
    leafIndex: numberOf(f[0]!),
    eventSeq: numberOf(f[1]!),
    seq: numberOf(f[2]!),
    version: Number(f[3]),
    id: copyValue(f[4]!)!,
    at: Number(f[5]),
    userId: copyValue(f[6]!),
    partyId: copyValue(f[7]!),
    role: copyValue(f[8]!),
    ip: copyValue(f[9]!),
    requestId: copyValue(f[10]!),
    action: copyValue(f[11]!)!,
    subjectType: copyValue(f[12]!)!,
    subjectId: copyValue(f[13]!)!,
    payload: copyValue(f[14]!)!,
    parties: copyValue(f[15]!)!,
    prevHash: copyValue(f[16]!),
    hash: copyValue(f[17]!),
  };
}
