// Each beneficiary department of a central procurement reports its use of the data bought for it,
// as any user of data does (Art. 20 ¶1): on a schedule from its download grant to the term's end,
// each period once, for its own party only; the bureau and operators read every department's
// reports, a department its own; overdue reports are listed for the bureau, counted in the
// operators' overview and reminded to the department once.
import t from 'tap';
import { deliverNotifications } from '../../../src/modules/notifications/notifier.js';
import { sweepReminders } from '../../../src/modules/notifications/reminders.js';
import { fileProcurementUsageReport } from '../../../src/modules/procurement/usage.js';
import { usageDuties } from '../../../src/modules/public-data/usage-views.js';
import { supervisionOverview } from '../../../src/modules/supervision/overview.js';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { withParty } from '../../helpers/agreements.js';
import { department } from '../../helpers/public-data.js';
import { auditActions, callerFor, shanghaiDaysFromNow } from '../../helpers/public-data-requests.js';
import { ok, orderedProcurement, signAndPay } from '../../helpers/procurement.js';

const report = { summary: '用于公交线网优化模型训练', safeguards: '政务专网存储，按岗位授权访问' };
const today = shanghaiDaysFromNow(0);
/** Shanghai noon of a day `days` from today: an instant to run a use case at. */
const dayAt = (days: number) => new Date(`${shanghaiDaysFromNow(days)}T12:00:00+08:00`);

interface UsageShape {
  reportEveryMonths: number;
  departments: { departmentPartyId: string; dutyFrom: string | null; periods: { period: number; status: string; report: { id: string; summary: string; receipt: string } | null }[] }[];
}

t.test('each beneficiary reports each period of its schedule once, for its own party; the bureau reads them all', async (t) => {
  const app = await buildTestApp(t);
  const world = await orderedProcurement(app, { reportEveryMonths: 1 });
  const { bureau, transport, planning, provider, clerk, procurement } = world;
  t.equal(procurement.reportEveryMonths, 1, 'the bureau set the schedule when it consolidated');
  const url = `/procurement/procurements/${procurement.id}`;
  const file = (user: TestUser, body: Record<string, unknown>) => as(app, user, { method: 'POST', url: `${url}/usage-reports`, payload: { ...report, ...body } });
  const usage = async (user: TestUser) => ok<UsageShape>(await as(app, user, { method: 'GET', url: `${url}/usage` }));

  // Ordered, not paid: no department holds a grant, so nothing is owed and nothing can be filed.
  expectProblem(t, await file(transport.user, { period: 1 }), 409, 'procurement-not-granted');
  t.match(await usage(transport.user), { reportEveryMonths: 1, departments: [{ departmentPartyId: transport.party.id, dutyFrom: null, periods: [] }] });

  await signAndPay(app, world);
  t.match(await usage(transport.user), { departments: [{ dutyFrom: today, periods: [{ period: 1, status: 'running', report: null }, { period: 2, status: 'upcoming' }] }] }, 'the duty begins with the grant');

  const filed = await ok<{ id: string; receipt: string }>(await file(transport.user, { period: 1, results: '形成线网优化方案一份' }), 201);
  t.match(filed, { period: 1, late: false, departmentPartyId: transport.party.id, procurementId: procurement.id, results: '形成线网优化方案一份', receipt: /^\/audit\/events\/.+\/receipt$/ });
  expectProblem(t, await file(transport.user, { period: 1 }), 409, 'already-reported');
  expectProblem(t, await file(transport.user, { period: 2 }), 409, 'invalid-state');
  t.match(expectProblem(t, await file(transport.user, { period: 1000 }), 400, 'validation-failed').errors, [{ path: '/body/period' }], 'past the term');
  expectProblem(t, await file(transport.user, { period: 0 }), 400, 'validation-failed');
  expectProblem(t, await as(app, transport.user, { method: 'POST', url: `${url}/usage-reports`, payload: { period: 1, summary: '无措施' } }), 400, 'validation-failed');
  expectProblem(t, await file(transport.user, { period: 1, departmentPartyId: planning.party.id }), 400, 'validation-failed');

  // Nobody files for a department but the department itself.
  expectProblem(t, await file(bureau.user, { period: 1 }), 403, 'not-beneficiary');
  expectProblem(t, await file(await signUp(app, ['bureau'], 'bureau-staff'), { period: 1 }), 403, 'not-beneficiary');
  expectProblem(t, await file(clerk, { period: 1 }), 403, 'not-beneficiary');
  expectProblem(t, await file(provider.user, { period: 1 }), 403, 'forbidden');
  expectProblem(t, await file(withParty(planning.user, transport.party.id), { period: 1 }), 403, 'forbidden');
  const outsider = await department(app, clerk);
  expectProblem(t, await file(outsider.user, { period: 1 }), 404, 'not-found');
  expectProblem(t, await as(app, outsider.user, { method: 'GET', url: `${url}/usage` }), 404, 'not-found');
  expectProblem(t, await as(app, provider.user, { method: 'GET', url: `${url}/usage` }), 403, 'forbidden');

  await ok(await file(planning.user, { period: 1, summary: '用于国土空间规划编制' }), 201);
  // A department reads its own schedule and reports, never another's; the bureau and operators read all.
  const own = await usage(transport.user);
  t.same(own.departments.map((d) => d.departmentPartyId), [transport.party.id]);
  t.match(own.departments[0]!.periods[0], { status: 'filed', report: { id: filed.id, summary: report.summary } });
  t.notMatch(JSON.stringify(own), /国土空间规划编制/, "the other department's report is not there");
  for (const staff of [bureau.user, clerk]) {
    const all = await usage(staff);
    t.same(all.departments.map((d) => [d.departmentPartyId, d.periods[0]!.status]), [[transport.party.id, 'filed'], [planning.party.id, 'filed']]);
  }

  // The filing is audited; the department and the bureau hold its receipt, the other department does not.
  t.same((await auditActions(app, procurement.id)).filter((a) => a === 'procurement.usage_report_filed').length, 2);
  const receipt = (user: TestUser) => as(app, user, { method: 'GET', url: `${filed.receipt}?wait=5` });
  t.equal((await receipt(transport.user)).statusCode, 200, 'the department holds the receipt');
  t.equal((await receipt(bureau.user)).statusCode, 200, 'so does the bureau');
  expectProblem(t, await receipt(planning.user), 404, 'not-found');
});

t.test('two reports of one period at once: one is filed, the other finds it', async (t) => {
  const app = await buildTestApp(t);
  const world = await orderedProcurement(app);
  await signAndPay(app, world);
  const { transport, procurement } = world;
  const twice = await Promise.all([1, 2].map((n) => as(app, transport.user, { method: 'POST', url: `/procurement/procurements/${procurement.id}/usage-reports`, payload: { period: 1, ...report, summary: `第${n}次` } })));
  t.same(twice.map((r) => r.statusCode).sort(), [201, 409]);
  expectProblem(t, twice.find((r) => r.statusCode === 409)!, 409, 'already-reported');
  t.equal((await ok<UsageShape>(await as(app, transport.user, { method: 'GET', url: `/procurement/procurements/${procurement.id}/usage` }))).departments[0]!.periods[0]!.status, 'filed');
});

t.test('an overdue report: listed for the bureau and the department that owes it, counted in the overview, reminded once', async (t) => {
  const app = await buildTestApp(t);
  const world = await orderedProcurement(app, { reportEveryMonths: 1 });
  await signAndPay(app, world);
  const { bureau, transport, planning, procurement } = world;
  await ok(await as(app, transport.user, { method: 'POST', url: `/procurement/procurements/${procurement.id}/usage-reports`, payload: { period: 1, ...report } }), 201);
  t.same((await ok<{ procurementReportsOverdue: unknown[] }>(await as(app, bureau.user, { method: 'GET', url: '/public-data/usage-duties' }))).procurementReportsOverdue, [], 'nothing is overdue today');

  // Fifty days on, period 1 (a month, then 15 days) is overdue for the department that did not report.
  const later = dayAt(50);
  const overdue = { procurementId: procurement.id, procurementNumber: procurement.number, departmentPartyId: planning.party.id, period: 1 };
  t.match((await usageDuties(app.db, callerFor(bureau.user, null), undefined, later)).procurementReportsOverdue, [overdue], 'the bureau sees it');
  t.equal((await usageDuties(app.db, callerFor(bureau.user, null), transport.party.id, later)).procurementReportsOverdue.length, 0, 'not among the other department’s');
  t.match((await usageDuties(app.db, callerFor(planning.user, planning.party), undefined, later)).procurementReportsOverdue, [overdue], 'the department sees what it owes');
  t.same((await usageDuties(app.db, callerFor(transport.user, transport.party), undefined, later)).procurementReportsOverdue, [], 'the one that reported owes nothing');
  t.match((await supervisionOverview(app.db, later)).procurement.usageReportsOverdue, { count: 1, items: [overdue] }, 'the operators’ overview counts it');

  const [first, second] = await Promise.all([sweepReminders(app.db, later), sweepReminders(app.db, later)]);
  t.equal(first!.reportsOverdue + second!.reportsOverdue, 1, 'two sweeps at once remind once');
  t.equal((await sweepReminders(app.db, later)).reportsOverdue, 0, 'each period once');
  await deliverNotifications(app.db);
  const mine = async (user: TestUser) => ok<{ items: { link: string; title: { zh: string } }[] }>(await as(app, user, { method: 'GET', url: '/me/notifications?kind=procurement.usage_report_overdue' }));
  t.match((await mine(planning.user)).items, [{ link: `/procurement/procurements/${procurement.id}/usage`, title: { zh: new RegExp(`集中采购${procurement.number}第1期数据使用情况报告已逾期`) } }]);
  t.same((await mine(transport.user)).items, [], 'the department that reported is not told');

  // Filed late, it is off the lists and marked late.
  const late = await fileProcurementUsageReport(app.db, callerFor(planning.user, planning.party), procurement.id, { period: 1, ...report }, later);
  t.equal(late.late, true);
  t.same((await usageDuties(app.db, callerFor(bureau.user, null), undefined, later)).procurementReportsOverdue, []);
  t.equal((await supervisionOverview(app.db, later)).procurement.usageReportsOverdue.count, 0);
});
