import { sql } from 'drizzle-orm';
import { check, date, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../lib/columns.js';

/**
 * The mainland working-day calendar (Art. 16, Art. 18: deadlines in working days). A year holds only
 * what differs from the plain week: public holidays (also those that fall on a weekend) and the
 * make-up working days (调休) on a Saturday or Sunday. Every other day is a working day Monday to
 * Friday and a rest day at the weekend.
 */
export const calendarDayKinds = ['holiday', 'workday'] as const;
export type CalendarDayKind = (typeof calendarDayKinds)[number];

/** One day that differs from the plain week, keyed by its date (YYYY-MM-DD) in `days`. */
export interface CalendarDayOverride {
  kind: CalendarDayKind;
  /** The holiday it belongs to, as the notice names it (元旦, 春节, ...). */
  name: string;
}

/** Where a version came from: the bureau through the API, or the npm package seeded at start. */
export const BUREAU_SOURCE = 'bureau';

/** The years the service knows; the row is what concurrent loads of a year lock. */
export const calendarYears = pgTable(
  'calendar_years',
  {
    year: integer('year').primaryKey(),
    currentVersion: integer('current_version').notNull(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [check('calendar_years_year_range', sql`${t.year} between 1992 and 2099`), check('calendar_years_version_positive', sql`${t.currentVersion} >= 1`)],
);

/**
 * Every version of every year, kept for good: a correction is a new version, and a deadline records
 * the versions it was computed on. The database refuses UPDATE, DELETE and TRUNCATE (see the
 * migration that creates this table).
 */
export const calendarYearVersions = pgTable(
  'calendar_year_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    year: integer('year')
      .notNull()
      .references(() => calendarYears.year),
    version: integer('version').notNull(),
    days: jsonb('days').$type<Record<string, CalendarDayOverride>>().notNull(),
    /** The State Council notice, e.g. 国办发明电〔2025〕7号; the package carries none. */
    noticeReference: text('notice_reference'),
    noticeTitle: text('notice_title'),
    noticePublishedOn: date('notice_published_on'),
    /** `bureau`, or `chinese-days@<version>` for a year seeded from the package. */
    source: text('source').notNull(),
    /** SHA-256 of the version's content (days and notice): a replay of the same content is no new version. */
    contentSha256: text('content_sha256').notNull(),
    /** The bureau user who loaded it; null when seeded at start. */
    loadedBy: uuid('loaded_by'),
    loadedAt: timestamptz('loaded_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('calendar_year_versions_year_version_idx').on(t.year, t.version),
    check('calendar_year_versions_version_positive', sql`${t.version} >= 1`),
    check('calendar_year_versions_source_known', sql`${t.source} = 'bureau' or ${t.source} like 'chinese-days@%'`),
    // The bureau always names the notice it loads.
    check('calendar_year_versions_bureau_notice', sql`${t.source} <> 'bureau' or (${t.noticeReference} is not null and ${t.loadedBy} is not null)`),
  ],
);

export type CalendarYearVersionRow = typeof calendarYearVersions.$inferSelect;
