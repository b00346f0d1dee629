import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import { problemResponses } from '../../lib/http.js';
import { auditActorOf } from '../../plugins/auth.js';
import type { Calendar } from './index.js';
import { DeadlineQuery, DeadlineView, LoadedYearView, LoadYearBody, YearParams, YearSummary, YearView } from './schema.js';
import { listCurrentYears, loadCalendarYear, loadWorkingCalendar, yearHistory } from './service.js';
import type { CalendarYearVersionRow } from './tables.js';
import { FIRST_YEAR, LAST_YEAR, dueAfterWorkingDays, shanghaiDayNumber, isoDateOf } from './working-days.js';

const tags = ['calendar'];

const summaryOf = (row: CalendarYearVersionRow) => {
  const kinds = Object.values(row.days).map((d) => d.kind);
  return {
    year: row.year,
    version: row.version,
    source: row.source,
    notice: row.noticeReference === null ? null : { reference: row.noticeReference, title: row.noticeTitle, publishedOn: row.noticePublishedOn },
    contentSha256: row.contentSha256,
    loadedAt: row.loadedAt.toISOString(),
    holidays: kinds.filter((k) => k === 'holiday').length,
    workdays: kinds.filter((k) => k === 'workday').length,
  };
};

/** The current version (the first of the history, latest first) with its days and the whole history. */
const yearViewOf = (history: CalendarYearVersionRow[]) => ({
  ...summaryOf(history[0]!),
  days: Object.entries(history[0]!.days).map(([date, d]) => ({ date, kind: d.kind, name: d.name })),
  history: history.map(summaryOf),
});

/** The working-day calendar: public to read, the bureau's to load, and the deadlines counted on it. */
const calendarRoutes: FastifyPluginAsyncTypebox<{ calendar: Calendar }> = async (app, { calendar }) => {
  app.get('/calendar/years', {
    // The holiday arrangements are the State Council's public notices.
    config: { auth: 'public', access: 'none' },
    schema: {
      tags,
      summary: 'The stored years of the mainland working-day calendar, each at its current version',
      response: { 200: Type.Array(YearSummary) },
    },
  }, async () => (await listCurrentYears(app.db)).map(summaryOf));

  app.get('/calendar/years/:year', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags,
      summary: "A year's holidays and make-up working days, its notice, and every version it has had",
      params: YearParams,
      response: { 200: YearView, ...problemResponses(400, 404) },
    },
  }, async (request) => yearViewOf(await yearHistory(app.db, request.params.year)));

  app.put('/calendar/years/:year', {
    config: { auth: ['bureau'], access: 'none' },
    schema: {
      tags,
      summary: "Load a year from the State Council's notice (the bureau): a new version, and the deadlines on it recomputed",
      description:
        'Every date must lie in the year and appear once; a `workday` (make-up working day) must fall on a Saturday or Sunday. ' +
        'History is kept: each load is a new version. Sending the current version\'s content again changes nothing and answers 200 with `created: false`.',
      params: YearParams,
      body: LoadYearBody,
      response: { 200: LoadedYearView, 201: LoadedYearView, ...problemResponses(400) },
    },
  }, async (request, reply) => {
    const loaded = await loadCalendarYear(app.db, calendar.deadlineHolders, auditActorOf(request), request.params.year, request.body);
    return reply.code(loaded.created ? 201 : 200).send({ ...yearViewOf(loaded.history), created: loaded.created, recomputed: loaded.recomputed });
  });

  app.get('/calendar/deadline', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'The deadline N working days after a receipt, on the stored calendar',
      description:
        'Counting starts the day after receipt in Asia/Shanghai; the deadline is the end of the last working day (23:59:59.999+08:00). ' +
        '`provisional` is true when the count enters a year not loaded yet, which is counted on weekends alone.',
      querystring: DeadlineQuery,
      response: { 200: DeadlineView, ...problemResponses(400) },
    },
  }, async (request) => {
    const { workingDays } = request.query;
    const receivedAt = new Date(request.query.receivedAt);
    const receivedYear = Number(isoDateOf(shanghaiDayNumber(receivedAt)).slice(0, 4));
    // The count starts after receipt and runs forward at most a few months.
    if (receivedYear < FIRST_YEAR || receivedYear > LAST_YEAR - 1) {
      throw new AppError('validation-failed', { en: `receivedAt must fall in ${FIRST_YEAR}-${LAST_YEAR - 1} in Asia/Shanghai`, zh: `receivedAt 须在 Asia/Shanghai 时区的 ${FIRST_YEAR}-${LAST_YEAR - 1} 年之间` }, {
        errors: [{ path: '/querystring/receivedAt', message: `outside ${FIRST_YEAR}-${LAST_YEAR - 1}` }],
      });
    }
    const deadline = dueAfterWorkingDays(await loadWorkingCalendar(app.db, receivedYear), receivedAt, workingDays);
    return { receivedAt: receivedAt.toISOString(), workingDays, ...deadline, dueAt: deadline.dueAt.toISOString() };
  });
};

export default calendarRoutes;
