// The deadline-holder registry through the calendar's service: a load calls every holder with the
// year, the new calendar and the load's own transaction; a holder that fails undoes the load.
import { eq } from 'drizzle-orm';
import t from 'tap';
import { systemActor } from '../../../src/modules/audit/events.js';
import { loadCalendarYear } from '../../../src/modules/calendar/service.js';
import { calendarYears } from '../../../src/modules/calendar/tables.js';
import type { WorkingCalendar } from '../../../src/modules/calendar/working-days.js';
import { as, buildTestApp, signUp } from '../../helpers/app.js';

const input = { notice: { reference: '国办发明电〔2026〕测试号' }, days: [{ date: '2027-01-01', kind: 'holiday' as const, name: '元旦' }] };

t.test('a load calls each holder inside its transaction and answers what each recomputed', async (t) => {
  const app = await buildTestApp(t);
  const bureau = await signUp(app, ['bureau']);
  const calls: { year: number; versionInTx: number | undefined; calendarVersion: number | undefined }[] = [];
  app.calendar.deadlineHolders.register({
    name: 'test.recorder',
    async recompute(tx, year, calendar: WorkingCalendar) {
      // The transaction already holds the new version: the holder reads it before anyone else can.
      const [row] = await tx.select().from(calendarYears).where(eq(calendarYears.year, year));
      calls.push({ year, versionInTx: row?.currentVersion, calendarVersion: calendar.years.get(year)?.version });
      return 2;
    },
  });
  app.calendar.deadlineHolders.register({ name: 'test.none', recompute: async () => 0 });
  t.throws(() => app.calendar.deadlineHolders.register({ name: 'test.none', recompute: async () => 0 }), /already registered/);
  // The app's own modules register their holders too (public data's objections); these are the test's.
  const ours = (names: string[]) => names.filter((n) => n.startsWith('test.'));
  t.same(ours(app.calendar.deadlineHolders.names), ['test.recorder', 'test.none']);
  t.ok(['publicdata.requests', 'publicdata.objections'].every((n) => app.calendar.deadlineHolders.names.includes(n)), 'the requests and the objections register theirs when the app is built');

  const res = await as(app, bureau, { method: 'PUT', url: '/calendar/years/2027', payload: input });
  t.equal(res.statusCode, 201, res.body);
  const recomputed = res.json().recomputed as { holder: string; deadlines: number }[];
  t.same(recomputed.filter((r) => ours([r.holder]).length > 0), [{ holder: 'test.recorder', deadlines: 2 }, { holder: 'test.none', deadlines: 0 }]);
  t.same(calls, [{ year: 2027, versionInTx: 1, calendarVersion: 1 }]);

  const replay = await as(app, bureau, { method: 'PUT', url: '/calendar/years/2027', payload: input });
  t.same(replay.json().recomputed, [], 'a replay recomputes nothing');
  t.equal(calls.length, 1);
});

t.test('a holder that fails rolls the whole load back', async (t) => {
  const app = await buildTestApp(t);
  const bureau = await signUp(app, ['bureau']);
  app.calendar.deadlineHolders.register({
    name: 'test.failing',
    recompute: async () => {
      throw new Error('the holder could not recompute');
    },
  });
  await t.rejects(loadCalendarYear(app.db, app.calendar.deadlineHolders, { ...systemActor(), userId: bureau.id, role: 'bureau' }, 2026, { ...input, days: [{ date: '2026-10-01', kind: 'holiday', name: '国庆节' }] }), /could not recompute/);
  const year = (await app.inject({ method: 'GET', url: '/calendar/years/2026' })).json();
  t.equal(year.version, 1, 'no new version');
  t.equal(year.history.length, 1);
});
