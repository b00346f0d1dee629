import { randomUUID } from 'node:crypto';
import { asc, sql } from 'drizzle-orm';
import t from 'tap';
import { rowsOf } from '../../../src/lib/database.js';
import { leafHash } from '../../../src/lib/tlog/merkle.js';
import { leafBytes, leafColumns, leafHashOf, leafTextOf, type LeafRow } from '../../../src/modules/audit/leaf.js';
import { auditEvents } from '../../../src/modules/audit/tables.js';
import { freshDatabase } from '../../helpers/database.js';

// A small deterministic generator, so a failure can be reproduced.
let state = 20250901;
const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Text a JSON string may hold and PostgreSQL stores: escapes, controls, astral planes; no NUL, no lone surrogate. */
const pieces = ['a', 'Z', '"', '\\', '/', '\n', '\t', '\u0001', '\u001f', '\u007f', 'é', '数据', '\u2028', '\u2029', '😀', '\ufeff', ' ', 'e\u0301', '<script>', '\r\n'];
const text = () => Array.from({ length: Math.floor(random() * 6) }, () => pick(pieces)).join('');
const numbers = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789.125, -(2 ** 53) + 1, 2 ** 53 - 1, 5e-324, 1.7976931348623157e308, 100, 3.14159];
function json(depth: number): unknown {
  const kind = Math.floor(random() * (depth > 2 ? 4 : 6));
  if (kind === 0) return pick([null, true, false]);
  if (kind === 1) return pick(numbers);
  if (kind === 2 || kind === 3) return text();
  if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => json(depth + 1));
  // Keys whose canonical order differs from jsonb's (shorter first) and from code points (UTF-16).
  const keys = ['b', 'a', 'aa', 'B', '10', '2', 'é', '😀', '\ufb01', '', 'key"q', text()];
  return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(keys), json(depth + 1)]));
}
const maybe = <T>(value: T) => (random() < 0.3 ? null : value);

t.test('the raw leaf serialiser writes exactly the bytes of the generic one, on many varied events', async (t) => {
  const database = await freshDatabase();
  t.teardown(async () => {
    await database.handle.close();
    await database.dispose();
  });
  const db = database.handle.db;
  const rows = Array.from({ length: 400 }, (_, i) => ({
    occurredAt: new Date(Date.UTC(2000, 0, 1) + Math.floor(random() * 2e12)),
    actorUserId: maybe(randomUUID()),
    actorPartyId: maybe(randomUUID()),
    actorRole: maybe(pick(['operator', 'system', text()])),
    ip: maybe(pick(['127.0.0.1', '::1', text()])),
    requestId: maybe(text()),
    action: pick(['listing.approved', 'bench.event', text() || 'x']),
    subjectType: pick(['listing', 'party', text()]),
    subjectId: pick([randomUUID(), String(i), text()]),
    payload: { [pick(['n', 'b', 'é', '10'])]: json(0), a: json(1) },
    partyIds: Array.from({ length: pick([0, 1, 3]) }, () => randomUUID()).sort(),
    // Both shapes: the first events name the user (1), every later one digests it (2).
    leafVersion: pick([1, 2]),
    // Events from before the log carry their place in the old hash chain.
    ...(random() < 0.2 ? { prevHash: 'a'.repeat(64), hash: pick(['b'.repeat(64), text()]) } : {}),
  }));
  await db.insert(auditEvents).values(rows);
  // Microseconds, which a JavaScript Date drops: both paths must drop them the same way.
  await db.execute(sql`insert into audit_events (occurred_at, action, subject_type, subject_id, payload, prev_hash, hash)
    select timestamptz '1999-12-31 23:59:59.999999+00' + g * interval '1.234567 second', 'test.µs', 'test', g::text, '{"n": 1.50, "big": 1e20, "e": 2.5E-3, "x": [1.0, -0]}', case when g % 2 = 0 then 'p' end, 'h'
    from generate_series(1, 50) g`);

  const generic = await db.select().from(auditEvents).orderBy(asc(auditEvents.seq));
  const raw = rowsOf<LeafRow>(await db.execute(sql`select null as "leafIndex", ${leafColumns} from audit_events e order by e.seq`));
  t.equal(raw.length, generic.length);
  t.equal(raw.length, 450);
  let differing = 0;
  for (const [i, row] of generic.entries()) {
    const expected = leafBytes(row).toString('utf8');
    if (leafTextOf(raw[i]!) !== expected) {
      if (differing++ === 0) t.equal(leafTextOf(raw[i]!), expected, `event ${row.seq}`);
    }
    if (!leafHashOf(raw[i]!).equals(leafHash(leafBytes(row)))) differing++;
  }
  t.equal(differing, 0, 'every leaf and leaf hash identical');
});
