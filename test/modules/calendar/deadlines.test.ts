// Deadlines through the API on the stored calendar: the packaged years checked against the State
// Council's notices, a hand-counted National Day case, and a count into a year not yet published.
import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';

/** A notice as published: each holiday's days off (from, to) and its make-up working days. */
type Arrangement = [name: string, from: string, to: string, workdays: string[]];

/**
 * 国务院办公厅关于2025年部分节假日安排的通知, 国办发明电〔2024〕12号 (2024-11-12), transcribed by hand.
 * 国庆节、中秋节 are one holiday in 2025, 1-8 October.
 */
const notice2025: Arrangement[] = [
  ['元旦', '2025-01-01', '2025-01-01', []],
  ['春节', '2025-01-28', '2025-02-04', ['2025-01-26', '2025-02-08']],
  ['清明节', '2025-04-04', '2025-04-06', []],
  ['劳动节', '2025-05-01', '2025-05-05', ['2025-04-27']],
  ['端午节', '2025-05-31', '2025-06-02', []],
  ['国庆节、中秋节', '2025-10-01', '2025-10-08', ['2025-09-28', '2025-10-11']],
];

/**
 * 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), transcribed by hand from its text. In 2026
 * 中秋节 (25-27 September) and 国庆节 (1-7 October) are separate holidays.
 */
const notice2026: Arrangement[] = [
  ['元旦', '2026-01-01', '2026-01-03', ['2026-01-04']],
  ['春节', '2026-02-15', '2026-02-23', ['2026-02-14', '2026-02-28']],
  ['清明节', '2026-04-04', '2026-04-06', []],
  ['劳动节', '2026-05-01', '2026-05-05', ['2026-05-09']],
  ['端午节', '2026-06-19', '2026-06-21', []],
  ['中秋节', '2026-09-25', '2026-09-27', []],
  ['国庆节', '2026-10-01', '2026-10-07', ['2026-09-20', '2026-10-10']],
];

/** date → kind, as the notice gives the days. */
function daysOf(notice: Arrangement[]): Record<string, string> {
  const days: Record<string, string> = {};
  for (const [, from, to, workdays] of notice) {
    for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) days[d.toISOString().slice(0, 10)] = 'holiday';
    for (const w of workdays) days[w] = 'workday';
  }
  return days;
}

t.test('the packaged 2025 and 2026 are the State Council notices, day for day', async (t) => {
  const app = await buildTestApp(t);
  for (const [year, notice] of [[2025, notice2025], [2026, notice2026]] as const) {
    const res = await app.inject({ method: 'GET', url: `/calendar/years/${year}` });
    t.equal(res.statusCode, 200);
    const stored = Object.fromEntries(res.json<{ days: { date: string; kind: string }[] }>().days.map((d) => [d.date, d.kind]));
    t.same(stored, daysOf(notice), `${year}: every holiday and make-up working day, nothing else`);
  }
});

t.test('ten working days from Monday 28 September 2026 end on Friday 16 October, across National Day', async (t) => {
  const app = await buildTestApp(t);
  const buyer = await signUp(app, ['buyer']);
  const res = await as(app, buyer, { method: 'GET', url: '/calendar/deadline?receivedAt=2026-09-28T10:15:00%2B08:00&workingDays=10' });
  t.equal(res.statusCode, 200, res.body);
  // Counted: 29, 30 Sep; 1-7 Oct off; 8, 9; Saturday 10 (make-up); Sunday 11 off; 12-16.
  t.same(res.json(), {
    receivedAt: '2026-09-28T02:15:00.000Z',
    workingDays: 10,
    dueAt: '2026-10-16T15:59:59.999Z',
    dueDate: '2026-10-16',
    provisional: false,
    versions: { 2026: 1 },
    missingYears: [],
    countedDays: ['2026-09-29', '2026-09-30', '2026-10-08', '2026-10-09', '2026-10-10', '2026-10-12', '2026-10-13', '2026-10-14', '2026-10-15', '2026-10-16'],
  });
  expectProblem(t, await app.inject({ method: 'GET', url: '/calendar/deadline?receivedAt=2026-09-28T10:15:00Z&workingDays=10' }), 401, 'unauthenticated');
  for (const query of ['workingDays=10', 'receivedAt=2026-09-28T10:15:00Z&workingDays=0', 'receivedAt=2026-09-28T10:15:00Z&workingDays=61', 'receivedAt=2026-09-28&workingDays=10', 'receivedAt=1990-01-02T00:00:00Z&workingDays=10']) {
    expectProblem(t, await as(app, buyer, { method: 'GET', url: `/calendar/deadline?${query}` }), 400, 'validation-failed');
  }
});

t.test('a deadline into 2027 is provisional until the bureau loads 2027, then moves by its New Year holiday', async (t) => {
  const app = await buildTestApp(t);
  const department = await signUp(app, ['department']);
  const bureau = await signUp(app, ['bureau']);
  const url = '/calendar/deadline?receivedAt=2026-12-15T09:00:00%2B08:00&workingDays=15';
  const before = await as(app, department, { method: 'GET', url });
  t.equal(before.statusCode, 200, before.body);
  // On weekends alone Friday 1 January 2027 is the 13th working day, Tuesday 5 January the 15th.
  t.match(before.json(), { provisional: true, versions: { 2026: 1 }, missingYears: [2027], dueDate: '2027-01-05', dueAt: '2027-01-05T15:59:59.999Z' });

  // Days for the test in the shape of a notice; not the 2027 notice's text.
  const load = await as(app, bureau, {
    method: 'PUT',
    url: '/calendar/years/2027',
    payload: {
      notice: { reference: '国办发明电〔2026〕测试号', title: '国务院办公厅关于2027年部分节假日安排的通知', publishedOn: '2026-11-20' },
      days: ['2027-01-01', '2027-01-02', '2027-01-03'].map((date) => ({ date, kind: 'holiday', name: '元旦' })),
    },
  });
  t.equal(load.statusCode, 201, load.body);
  t.match(load.json(), { year: 2027, version: 1, source: 'bureau', history: [{ version: 1 }] });

  const after = await as(app, department, { method: 'GET', url });
  t.match(after.json(), { provisional: false, versions: { 2026: 1, 2027: 1 }, missingYears: [], dueDate: '2027-01-06', dueAt: '2027-01-06T15:59:59.999Z' });
  t.notOk(after.json().countedDays.includes('2027-01-01'), 'New Year’s Day is no longer counted');
});
