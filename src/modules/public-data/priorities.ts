import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, notFound, type Localized } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import type { Caller } from './context.js';
import { shanghai10 } from './demands.js';
import { chineseReference } from './rules.js';
import { entries } from './tables.js';
import { openingPriorities } from './objection-tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.opening_priorities_published': { year: number; version: number; items: number };
  }
}

export type PriorityItem = { entryId?: string | undefined; theme?: string | undefined; note?: string | undefined };
type PrioritiesRow = typeof openingPriorities.$inferSelect;

const invalid = (errors: { path: string; message: Localized }[]) =>
  new AppError(
    'validation-failed',
    { en: `${shanghai10.ref}: ${errors.map((e) => e.message.en).join('; ')}`, zh: `${chineseReference(shanghai10.ref)}：${errors.map((e) => e.message.zh).join('；')}` },
    { errors: errors.map((e) => ({ path: e.path, message: e.message.en })) },
  );

/**
 * Shanghai Art. 10: the bureau publishes the year's opening priorities, having heard the public's
 * demands. Every publication is a new version; earlier ones stay. Publications of one year queue on
 * a transaction lock, so each gets its own version.
 */
export async function publishPriorities(db: Database, caller: Caller, year: number, input: { note: string; items: PriorityItem[] }): Promise<PrioritiesRow> {
  const errors = input.items.flatMap((item, i) => (item.entryId || item.theme ? [] : [{ path: `/body/items/${i}`, message: { en: 'an item names an entry or a theme', zh: '每一项须指明一个目录或一个主题' } }]));
  if (errors.length > 0) throw invalid(errors);
  return db.transaction(async (tx) => {
    const named = [...new Set(input.items.flatMap((i) => (i.entryId ? [i.entryId] : [])))];
    if (named.length > 0) {
      const published = new Set((await tx.select({ id: entries.id }).from(entries).where(and(inArray(entries.id, named), isNotNull(entries.publishedAt)))).map((e) => e.id));
      const unknown = input.items.flatMap((item, i) => (item.entryId && !published.has(item.entryId) ? [{ path: `/body/items/${i}/entryId`, message: { en: 'not a published entry', zh: '不是已发布的目录' } }] : []));
      if (unknown.length > 0) throw invalid(unknown);
    }
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('public_data_opening_priorities'), ${year})`);
    const [last] = await tx.select({ version: openingPriorities.version }).from(openingPriorities).where(eq(openingPriorities.year, year)).orderBy(desc(openingPriorities.version)).limit(1);
    const version = (last?.version ?? 0) + 1;
    const items = input.items.map((i) => ({ ...(i.entryId ? { entryId: i.entryId } : {}), ...(i.theme ? { theme: i.theme } : {}), ...(i.note ? { note: i.note } : {}) }));
    const [row] = await tx.insert(openingPriorities).values({ year, version, note: input.note, items, publishedBy: caller.actor.userId }).returning();
    await appendAudit(tx, caller.audit, { action: 'public_data.opening_priorities_published', subject: { type: 'public_data_opening_priorities', id: String(year) }, payload: { year, version, items: items.length } });
    return row!;
  });
}

/** A year's priorities, the current version first; 404 when the bureau has published none. */
export async function priorityHistory(db: Database, year: number): Promise<PrioritiesRow[]> {
  const rows = await db.select().from(openingPriorities).where(eq(openingPriorities.year, year)).orderBy(desc(openingPriorities.version));
  if (rows.length === 0) throw notFound({ en: `the opening priorities of ${year}`, zh: `${year} 年度开放重点` });
  return rows;
}

const versionView = (r: PrioritiesRow) => ({ version: r.version, note: r.note, items: r.items, publishedAt: r.publishedAt.toISOString() });
export const prioritiesView = (rows: PrioritiesRow[]) => ({ year: rows[0]!.year, current: versionView(rows[0]!), history: rows.map(versionView) });
