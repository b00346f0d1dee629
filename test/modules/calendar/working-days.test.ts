// The working-day arithmetic alone, on the packaged 2026 calendar: no database, no clock.
import t from 'tap';
import { packagedYears } from '../../../src/modules/calendar/package-seed.js';
import { dueAfterWorkingDays, extendDeadline, isWorkingDay, workingCalendar } from '../../../src/modules/calendar/working-days.js';

const y2026 = { year: 2026, version: 1, days: packagedYears().get(2026)! };
const calendar = workingCalendar([y2026]);
/** The end of a Shanghai day, as the instant the service answers. */
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`);

t.test('National Day 2026: ten working days from Monday 28 September end on Friday 16 October', async (t) => {
  const due = dueAfterWorkingDays(calendar, new Date('2026-09-28T10:00:00+08:00'), 10);
  // 29, 30 Sep; 1-7 Oct off; 8, 9 Oct; Saturday 10 Oct is a make-up working day; 12-16 Oct.
  t.same(due.countedDays, ['2026-09-29', '2026-09-30', '2026-10-08', '2026-10-09', '2026-10-10', '2026-10-12', '2026-10-13', '2026-10-14', '2026-10-15', '2026-10-16']);
  t.equal(due.dueAt.toISOString(), '2026-10-16T15:59:59.999Z', 'the end of the day in Shanghai');
  t.same(due.dueAt, endOf('2026-10-16'));
  t.equal(due.dueDate, '2026-10-16');
  t.equal(due.provisional, false);
  t.same(due.versions, { 2026: 1 });
  t.same(due.missingYears, []);
  const weekendsOnly = dueAfterWorkingDays(workingCalendar([]), new Date('2026-09-28T10:00:00+08:00'), 10);
  t.equal(weekendsOnly.dueDate, '2026-10-12', 'on weekends alone the count would end four days earlier');
  t.equal(weekendsOnly.provisional, true);
  t.same(weekendsOnly.missingYears, [2026]);
});

t.test('a receipt on a weekend counts from the next day, skipping the rest of the weekend', async (t) => {
  // Saturday 7 March 2026: Sunday is a rest day, Monday 9 the first working day.
  const due = dueAfterWorkingDays(calendar, new Date('2026-03-07T09:00:00+08:00'), 5);
  t.same(due.countedDays, ['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13']);
  t.equal(dueAfterWorkingDays(calendar, new Date('2026-03-08T20:00:00+08:00'), 5).dueDate, '2026-03-13', 'Sunday: the same deadline');
  t.equal(dueAfterWorkingDays(calendar, new Date('2026-03-09T08:00:00+08:00'), 5).dueDate, '2026-03-16', 'Monday: one working day later');
});

t.test('a receipt on a holiday counts from the first working day after it', async (t) => {
  // Saturday 3 October 2026 is in the National Day holiday; 4-7 are off; Saturday 10 is worked.
  const due = dueAfterWorkingDays(calendar, new Date('2026-10-03T11:00:00+08:00'), 3);
  t.same(due.countedDays, ['2026-10-08', '2026-10-09', '2026-10-10']);
  t.equal(isWorkingDay(calendar, '2026-10-03'), false);
  t.equal(isWorkingDay(calendar, '2026-10-10'), true, 'the make-up working day');
  t.equal(isWorkingDay(calendar, '2026-09-20'), true, 'the other make-up working day, a Sunday');
});

t.test('receipt late at night in UTC is already the next day in Shanghai', async (t) => {
  // 16:30 UTC on Monday 28 September is 00:30 on Tuesday 29 in Shanghai: the count starts on 30.
  const late = dueAfterWorkingDays(calendar, new Date('2026-09-28T16:30:00Z'), 10);
  t.equal(late.countedDays[0], '2026-09-30');
  t.equal(late.dueDate, '2026-10-19');
  // One millisecond before midnight in Shanghai is still Monday.
  t.equal(dueAfterWorkingDays(calendar, new Date('2026-09-28T15:59:59.999Z'), 10).dueDate, '2026-10-16');
  t.equal(dueAfterWorkingDays(calendar, new Date('2026-09-28T16:00:00.000Z'), 10).dueDate, '2026-10-19');
});

t.test('an extension counts from the day after the current due day', async (t) => {
  const due = dueAfterWorkingDays(calendar, new Date('2026-09-28T10:00:00+08:00'), 10);
  const extended = extendDeadline(calendar, due.dueAt, 10);
  t.same(extended.countedDays, ['2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30']);
  t.same(extended.dueAt, endOf('2026-10-30'));
  // Extending the Friday before the 2026 Spring Festival lands after it: 14 Feb (Saturday) is worked.
  const beforeNewYear = extendDeadline(calendar, endOf('2026-02-13'), 2);
  t.same(beforeNewYear.countedDays, ['2026-02-14', '2026-02-24']);
});

t.test('a count into a year the calendar does not hold is provisional and says which years it used', async (t) => {
  // Received Tuesday 15 December 2026: the fifteenth working day is in January 2027.
  const due = dueAfterWorkingDays(calendar, new Date('2026-12-15T10:00:00+08:00'), 15);
  t.equal(due.provisional, true);
  t.same(due.versions, { 2026: 1 });
  t.same(due.missingYears, [2027]);
  t.equal(due.dueDate, '2027-01-05', 'on weekends alone, 1 January 2027 counts as a working day');
  const with2027 = workingCalendar([y2026, { year: 2027, version: 2, days: { '2027-01-01': { kind: 'holiday', name: '元旦' } } }]);
  const known = dueAfterWorkingDays(with2027, new Date('2026-12-15T10:00:00+08:00'), 15);
  t.equal(known.provisional, false);
  t.same(known.versions, { 2026: 1, 2027: 2 });
  t.equal(known.dueDate, '2027-01-06');
  const inside = dueAfterWorkingDays(calendar, new Date('2026-12-15T10:00:00+08:00'), 10);
  t.equal(inside.provisional, false, 'a count that stays in 2026 is not provisional');
});

t.test('the number of working days is a positive integer', async (t) => {
  for (const n of [0, -1, 1.5, Number.NaN]) t.throws(() => dueAfterWorkingDays(calendar, new Date(), n), RangeError, String(n));
  t.throws(() => dueAfterWorkingDays(calendar, new Date('2099-12-30T00:00:00Z'), 10), RangeError, 'no count past 2099');
});
