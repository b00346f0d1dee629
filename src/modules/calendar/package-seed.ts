import { createRequire } from 'node:module';
import { inArray } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { contentSha256 } from './content.js';
import { calendarYears, calendarYearVersions, type CalendarDayOverride } from './tables.js';

/**
 * The years published before the service existed come from the npm package `chinese-days`, which
 * transcribes the State Council's notices (2004 onwards) with both the holidays and the make-up
 * working days. It carries no notice references, and it knows nothing of a year not yet published:
 * that year is the bureau's to load (PUT /calendar/years/{year}).
 */
const require = createRequire(import.meta.url);

interface PackageData {
  /** `YYYY-MM-DD` → `English name,中文名,days` */
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

export function packageSource(): string {
  return `chinese-days@${(require('chinese-days/package.json') as { version: string }).version}`;
}

/** The package's years as overrides: its holidays, and its make-up working days. */
export function packagedYears(): Map<number, Record<string, CalendarDayOverride>> {
  const data = require('chinese-days/dist/chinese-days.json') as PackageData;
  const years = new Map<number, Record<string, CalendarDayOverride>>();
  const add = (entries: Record<string, string>, kind: CalendarDayOverride['kind']) => {
    for (const [date, label] of Object.entries(entries)) {
      const parts = label.split(',');
      const name = parts[parts.length - 2] ?? label;
      const year = Number(date.slice(0, 4));
      if (!years.has(year)) years.set(year, {});
      years.get(year)![date] = { kind, name };
    }
  };
  add(data.holidays, 'holiday');
  add(data.workdays, 'workday');
  return years;
}

/**
 * At start: stores the package's years that the database does not hold yet, each as version 1. A
 * year already stored (seeded earlier, or loaded by the bureau) is left alone. Safe when several
 * processes start at once: the year rows are inserted with ON CONFLICT DO NOTHING, so a process
 * waits for another's insert of the same year and then skips it, and versions are written only for
 * the years this process inserted.
 */
export async function seedPackagedYears(db: Database): Promise<number[]> {
  const years = packagedYears();
  const stored = await db.select({ year: calendarYears.year }).from(calendarYears).where(inArray(calendarYears.year, [...years.keys()]));
  if (stored.length === years.size) return [];
  const source = packageSource();
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(calendarYears)
      .values([...years.keys()].map((year) => ({ year, currentVersion: 1 })))
      .onConflictDoNothing()
      .returning({ year: calendarYears.year });
    if (inserted.length === 0) return [];
    await tx.insert(calendarYearVersions).values(
      inserted.map(({ year }) => {
        const days = years.get(year)!;
        return { year, version: 1, days, source, contentSha256: contentSha256(days, null) };
      }),
    );
    return inserted.map((r) => r.year).sort();
  });
}
