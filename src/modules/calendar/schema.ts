import { Type } from 'typebox';
import { StringEnum, Text, Timestamp } from '../../lib/http.js';
import { calendarDayKinds } from './tables.js';
import { FIRST_YEAR, LAST_YEAR } from './working-days.js';

const IsoDate = Type.String({ format: 'date', maxLength: 10, description: 'A calendar day in Asia/Shanghai, YYYY-MM-DD' });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const YearParams = Type.Object({ year: Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, description: 'The calendar year' }) }, { additionalProperties: false });

const NoticeView = Type.Object({
  reference: Type.String({ description: 'The notice number, e.g. 国办发明电〔2025〕7号' }),
  title: Nullable(Type.String()),
  publishedOn: Nullable(Type.String({ format: 'date' })),
});

const VersionSummary = {
  year: Type.Integer(),
  version: Type.Integer({ description: 'Starts at 1; each load of the year by the bureau adds one' }),
  source: Type.String({ description: '`bureau`, or `chinese-days@<version>` for a year seeded from that npm package' }),
  notice: Type.Union([NoticeView, Type.Null()], { description: 'The State Council notice the days come from; null for a seeded year (the package names none)' }),
  contentSha256: Type.String({ description: 'SHA-256 of the days and the notice, canonical JSON' }),
  loadedAt: Timestamp,
  holidays: Type.Integer({ description: 'How many holiday days the year lists' }),
  workdays: Type.Integer({ description: 'How many make-up working days the year lists' }),
};

export const YearSummary = Type.Object(VersionSummary);

export const CalendarDay = Type.Object({
  date: IsoDate,
  kind: StringEnum(calendarDayKinds, { description: '`holiday`: a rest day (also on a weekend); `workday`: a make-up working day on a Saturday or Sunday' }),
  name: Type.String({ description: 'The holiday, as the notice names it (元旦, 春节, ...)' }),
});

export const YearView = Type.Object({
  ...VersionSummary,
  days: Type.Array(CalendarDay, { description: 'The days that differ from the plain week, in date order; every other day is a working day Monday to Friday' }),
  history: Type.Array(YearSummary, { description: 'Every version of the year, latest first' }),
});

export const LoadedYearView = Type.Object({
  ...YearView.properties,
  created: Type.Boolean({ description: 'False: the content equals the current version, which is answered unchanged' }),
  recomputed: Type.Array(Type.Object({ holder: Type.String(), deadlines: Type.Integer() }), { description: 'Deadlines each holder recomputed on the new version' }),
});

export const LoadYearBody = Type.Object(
  {
    notice: Type.Object(
      {
        reference: Text({ minLength: 1, maxLength: 100, description: 'The notice number, e.g. 国办发明电〔2025〕7号' }),
        title: Type.Optional(Text({ minLength: 1, maxLength: 200, description: 'e.g. 国务院办公厅关于2026年部分节假日安排的通知' })),
        publishedOn: Type.Optional(Type.String({ format: 'date', maxLength: 10 })),
      },
      { additionalProperties: false },
    ),
    days: Type.Array(
      Type.Object(
        {
          date: IsoDate,
          kind: StringEnum(calendarDayKinds),
          name: Text({ minLength: 1, maxLength: 50, description: 'The holiday, e.g. 国庆节' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 366, description: 'Every holiday day and every make-up working day of the year' },
    ),
  },
  { additionalProperties: false },
);

export const MAX_WORKING_DAYS = 60;

export const DeadlineQuery = Type.Object(
  {
    receivedAt: Type.String({ format: 'date-time', maxLength: 40, description: 'When the request was received (RFC 3339)' }),
    workingDays: Type.Integer({ minimum: 1, maximum: MAX_WORKING_DAYS, description: 'Working days allowed, counted from the day after receipt' }),
  },
  { additionalProperties: false },
);

export const DeadlineView = Type.Object({
  receivedAt: Timestamp,
  workingDays: Type.Integer(),
  dueAt: Type.String({ format: 'date-time', description: 'The end of the last working day: 23:59:59.999+08:00, as UTC' }),
  dueDate: IsoDate,
  provisional: Type.Boolean({ description: 'A day counted falls in a year not yet loaded; it was counted on weekends alone' }),
  versions: Type.Object({}, { additionalProperties: Type.Integer(), description: 'The version of each stored year the count used, by year: {"2026": 3}' }),
  missingYears: Type.Array(Type.Integer(), { description: 'Years the count entered that are not loaded yet' }),
  countedDays: Type.Array(IsoDate, { description: 'The working days counted, in order; the last is the due date' }),
});
