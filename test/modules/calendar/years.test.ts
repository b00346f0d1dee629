// The calendar's years through the API: public reads, the bureau's loads with their history and
// audit events, who may load, what a load refuses, and concurrent loads of one year.
import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';

/** A hypothetical correction of 2026: the notice's days plus one holiday that is not in it. */
const correction2026 = {
  notice: { reference: '国办发明电〔2025〕7号', title: '国务院办公厅关于2026年部分节假日安排的通知', publishedOn: '2025-11-04' },
  days: [
    { date: '2026-01-01', kind: 'holiday', name: '元旦' },
    { date: '2026-01-02', kind: 'holiday', name: '元旦' },
    { date: '2026-01-03', kind: 'holiday', name: '元旦' },
    { date: '2026-01-04', kind: 'workday', name: '元旦' },
    { date: '2026-10-01', kind: 'holiday', name: '国庆节' },
  ],
};

t.test('the seeded years are public; each is version 1 from the package, with no notice', async (t) => {
  const app = await buildTestApp(t);
  const res = await app.inject({ method: 'GET', url: '/calendar/years' });
  t.equal(res.statusCode, 200);
  const years = res.json<{ year: number; version: number; source: string; notice: unknown }[]>();
  t.same(years.map((y) => y.year), Array.from({ length: 23 }, (_, i) => 2004 + i), '2004-2026, earliest first');
  t.match(years.at(-1), { year: 2026, version: 1, source: /^chinese-days@\d+\.\d+\.\d+$/, notice: null, holidays: 33, workdays: 6 });

  const year = await app.inject({ method: 'GET', url: '/calendar/years/2026' });
  t.equal(year.statusCode, 200);
  t.match(year.json().days, [{ date: '2026-01-01', kind: 'holiday', name: '元旦' }]);
  t.equal(year.json().history.length, 1);
  expectProblem(t, await app.inject({ method: 'GET', url: '/calendar/years/2027' }), 404, 'not-found');
  expectProblem(t, await app.inject({ method: 'GET', url: '/calendar/years/1800' }), 400, 'validation-failed');
});

t.test('a second start stores nothing again, and a year the bureau loaded is left alone', async (t) => {
  const app = await buildTestApp(t);
  const { createCalendar } = await import('../../../src/modules/calendar/index.js');
  const { seedPackagedYears } = await import('../../../src/modules/calendar/package-seed.js');
  await createCalendar(app.db);
  const racers = await Promise.all([seedPackagedYears(app.db), seedPackagedYears(app.db)]);
  t.same(racers, [[], []], 'every year is stored already');
  const res = await app.inject({ method: 'GET', url: '/calendar/years/2026' });
  t.equal(res.json().history.length, 1);
});

t.test('the bureau corrects 2026: version 2, version 1 kept in the history, audited', async (t) => {
  const app = await buildTestApp(t);
  const bureau = await signUp(app, ['bureau']);
  const operator = await signUp(app, ['operator']);
  const res = await as(app, bureau, { method: 'PUT', url: '/calendar/years/2026', payload: correction2026 });
  t.equal(res.statusCode, 201, res.body);
  const loaded = res.json();
  t.match(loaded, { year: 2026, version: 2, source: 'bureau', created: true, recomputed: [], holidays: 4, workdays: 1 });
  t.same(loaded.notice, correction2026.notice);
  t.same(loaded.history.map((v: { version: number; source: string }) => [v.version, v.source]), [[2, 'bureau'], [1, loaded.history[1].source]]);
  t.match(loaded.history[1].source, /^chinese-days@/);

  const read = (await app.inject({ method: 'GET', url: '/calendar/years/2026' })).json();
  t.equal(read.version, 2);
  t.same(read.days, correction2026.days);
  t.equal(read.history.length, 2);
  const list = (await app.inject({ method: 'GET', url: '/calendar/years' })).json<{ year: number; version: number }[]>();
  t.equal(list.find((y) => y.year === 2026)?.version, 2);

  // The same content again: no new version, no event.
  const replay = await as(app, bureau, { method: 'PUT', url: '/calendar/years/2026', payload: { ...correction2026, days: [...correction2026.days].reverse() } });
  t.equal(replay.statusCode, 200, 'a replay answers 200');
  t.match(replay.json(), { version: 2, created: false, recomputed: [] });

  const events = await as(app, operator, { method: 'GET', url: '/audit/events?action=calendar.year_loaded' });
  t.equal(events.statusCode, 200, events.body);
  const items = events.json<{ items: { subject: unknown; payload: Record<string, unknown> }[] }>().items;
  t.equal(items.length, 1, 'one event: the replay recorded nothing');
  t.match(items[0], { subject: { type: 'calendar-year', id: '2026' }, payload: { year: 2026, version: 2, previousVersion: 1, noticeReference: '国办发明电〔2025〕7号', holidays: 4, workdays: 1 } });

  // Going back to the first content is a correction too: a new version, not a rewrite.
  const again = await as(app, bureau, { method: 'PUT', url: '/calendar/years/2026', payload: { ...correction2026, days: correction2026.days.slice(0, 4) } });
  t.match(again.json(), { version: 3, created: true });
});

t.test('only the bureau loads a year', async (t) => {
  const app = await buildTestApp(t);
  for (const role of ['operator', 'buyer', 'department', 'provider'] as const) {
    const user = await signUp(app, [role]);
    expectProblem(t, await as(app, user, { method: 'PUT', url: '/calendar/years/2027', payload: correction2026 }), 403, 'forbidden');
  }
  expectProblem(t, await app.inject({ method: 'PUT', url: '/calendar/years/2027', payload: correction2026 }), 401, 'unauthenticated');
  expectProblem(t, await app.inject({ method: 'GET', url: '/calendar/years/2027' }), 404, 'not-found');
});

t.test('a load is checked whole and refused with the day at fault', async (t) => {
  const app = await buildTestApp(t);
  const bureau = await signUp(app, ['bureau']);
  const put = (payload: unknown) => as(app, bureau, { method: 'PUT', url: '/calendar/years/2026', payload: payload as object });
  const withDays = (...days: object[]) => ({ notice: correction2026.notice, days });

  let body = expectProblem(t, await put(withDays({ date: '2027-01-01', kind: 'holiday', name: '元旦' })), 400, 'validation-failed');
  t.same(body.errors, [{ path: '/body/days/0/date', message: '2027-01-01 is not in 2026' }]);
  // Wednesday 14 October 2026.
  body = expectProblem(t, await put(withDays({ date: '2026-10-01', kind: 'holiday', name: '国庆节' }, { date: '2026-10-14', kind: 'workday', name: '国庆节' })), 400, 'validation-failed');
  t.same(body.errors, [{ path: '/body/days/1/date', message: '2026-10-14 is a weekday: a make-up working day falls on a Saturday or Sunday' }]);
  body = expectProblem(t, await put(withDays({ date: '2026-10-01', kind: 'holiday', name: '国庆节' }, { date: '2026-10-01', kind: 'holiday', name: '国庆节' })), 400, 'validation-failed');
  t.same(body.errors, [{ path: '/body/days/1/date', message: '2026-10-01 is given twice' }]);
  body = expectProblem(t, await put({ notice: { title: 'no reference' }, days: correction2026.days }), 400, 'validation-failed');
  t.match(JSON.stringify(body.errors), /reference/);
  expectProblem(t, await put({ notice: { reference: '' }, days: correction2026.days }), 400, 'validation-failed');
  expectProblem(t, await put(withDays({ date: '2026-02-30', kind: 'holiday', name: '春节' })), 400, 'validation-failed');
  expectProblem(t, await put(withDays()), 400, 'validation-failed');
  // A holiday on a weekend is allowed: Saturday 3 October.
  t.equal((await put(withDays({ date: '2026-10-03', kind: 'holiday', name: '国庆节' }))).statusCode, 201);
  const history = (await app.inject({ method: 'GET', url: '/calendar/years/2026' })).json().history;
  t.equal(history.length, 2, 'the refused loads wrote nothing');
});

t.test('concurrent loads of one year each get their own version; none is lost, none fails', async (t) => {
  const app = await buildTestApp(t);
  const bureau = await signUp(app, ['bureau']);
  const load = (name: string) => as(app, bureau, { method: 'PUT', url: '/calendar/years/2027', payload: { notice: { reference: `国办发明电〔2026〕${name}号` }, days: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }] } });
  const answers = await Promise.all(['1', '2', '3', '4'].map(load));
  t.same(answers.map((r) => r.statusCode), [201, 201, 201, 201], answers.map((r) => r.body.slice(0, 120)).join('\n'));
  t.same(answers.map((r) => r.json().version).sort(), [1, 2, 3, 4], 'each load its own version, the year created once');
  const history = (await app.inject({ method: 'GET', url: '/calendar/years/2027' })).json().history;
  t.same(history.map((v: { notice: { reference: string } }) => v.notice.reference).sort(), ['1', '2', '3', '4'].map((n) => `国办发明电〔2026〕${n}号`));

  // The same content at once: one new version, the others replays of it.
  const same = await Promise.all([1, 2, 3].map(() => load('9')));
  t.same(same.map((r) => r.statusCode).sort(), [200, 200, 201]);
  t.same(new Set(same.map((r) => r.json().version)), new Set([5]));
});
