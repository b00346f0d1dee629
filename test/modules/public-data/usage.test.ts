import { and, eq } from 'drizzle-orm';
import t from 'tap';
import { auditEvents } from '../../../src/modules/audit/tables.js';
import { decideOrder, fileUsageReport, issueOrder } from '../../../src/modules/public-data/usage.js';
import { addMonths, periodsBegunBy } from '../../../src/modules/public-data/usage-schedule.js';
import { usageDuties } from '../../../src/modules/public-data/usage-views.js';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { auditActions, callerFor, requestWorld, sealedOpenRequest, shanghaiDaysFromNow, sharingRequestBody } from '../../helpers/public-data-requests.js';
import { department, publishedEntry, uploadDataVersion } from '../../helpers/public-data.js';

t.test('the schedule: calendar months kept to the month’s end, the last period cut at the term’s end', async (t) => {
  t.equal(addMonths('2027-01-31', 1), '2027-02-28');
  t.equal(addMonths('2028-01-31', 1), '2028-02-29', 'a leap year');
  t.equal(addMonths('2026-12-15', 3), '2027-03-15');
  t.same(periodsBegunBy('2026-12-15', '2027-05-10', 3, '2027-06-01'), [
    { period: 1, start: '2026-12-15', end: '2027-03-14', dueDate: '2027-03-29' },
    { period: 2, start: '2027-03-15', end: '2027-05-10', dueDate: '2027-05-25' },
  ]);
  t.same(periodsBegunBy('2026-12-15', '2099-12-31', 1, '2026-12-20').map((p) => p.period), [1, 2], 'a long term lists what has begun and the next');
});

/** Shanghai noon of a day: an instant to run a use case at, `days` from today. */
const dayAt = (days: number) => new Date(`${shanghaiDaysFromNow(days)}T12:00:00+08:00`);
const today = shanghaiDaysFromNow(0);

t.test('the agreement sets the schedule; the user reports each period once and registers outcomes with their citation (Art. 20 ¶1)', async (t) => {
  const app = await buildTestApp(t);
  const { clerk, bureau, dept, applicant, entry } = await requestWorld(app);
  const request = await sealedOpenRequest(app, dept.user, applicant, entry.id, { reportEveryMonths: 1 });
  t.equal(request.reportEveryMonths, 1);
  const agreement = (await as(app, applicant, { method: 'GET', url: `/agreements/${request.agreementId}` })).json();
  t.match(JSON.stringify(agreement), /每1个月报告一次[^"]*15日内/, 'the agreement states the schedule (model text version 2)');
  t.match(agreement.modelText, { kind: 'utilization', version: 2 });

  const usageUrl = `/public-data/requests/${request.id}/usage`;
  const usage = (await as(app, applicant, { method: 'GET', url: usageUrl })).json();
  t.match(usage, { reportEveryMonths: 1, dutyFrom: today, today, periods: [{ period: 1, start: today, status: 'running', report: null }, { period: 2, status: 'upcoming' }] });
  t.equal(usage.periods.length, 2, 'the periods begun, and the next');

  const report = (body: Record<string, unknown>, user = applicant) => as(app, user, { method: 'POST', url: `/public-data/requests/${request.id}/usage-reports`, payload: { summary: '用于线网优化模型训练', safeguards: '专网、加密', ...body } });
  const filed = await report({ period: 1, results: '形成优化方案一份' });
  t.equal(filed.statusCode, 201, filed.body);
  t.match(filed.json(), { period: 1, late: false, results: '形成优化方案一份' });
  expectProblem(t, await report({ period: 1 }), 409, 'already-reported');
  expectProblem(t, await report({ period: 2 }), 409, 'invalid-state');
  const past = expectProblem(t, await report({ period: 1000 }), 400, 'validation-failed');
  t.match(past.errors, [{ path: '/body/period' }]);
  expectProblem(t, await report({ period: 1 }, dept.user), 403, 'not-agreement-user');
  expectProblem(t, await report({ period: 1 }, bureau), 403, 'not-agreement-user');
  const stranger = await department(app, clerk);
  expectProblem(t, await report({ period: 1 }, stranger.user), 404, 'not-found');
  expectProblem(t, await as(app, stranger.user, { method: 'GET', url: usageUrl }), 404, 'not-found');
  expectProblem(t, await as(app, await signUp(app, ['buyer'], 'passer-by'), { method: 'GET', url: usageUrl }), 404, 'not-found');

  const outcome = (body: Record<string, unknown>) => as(app, applicant, { method: 'POST', url: `/public-data/requests/${request.id}/outcomes`, payload: body });
  const cited = await outcome({ kind: 'paper', title: '基于客运量的公交线网优化', reference: 'doi:10.1000/xyz', citation: '数据来源：重庆市交通运输委员会政务数据（有条件开放）' });
  t.match(cited.json(), { kind: 'paper', cited: true, citation: /数据来源/ });
  const uncited = (await outcome({ kind: 'product', title: '线网规划辅助决策系统' })).json();
  t.match(uncited, { cited: false, citation: null });
  expectProblem(t, await outcome({ kind: 'novel', title: 'x' }), 400, 'validation-failed');

  const duties = async (user: typeof bureau) => (await as(app, user, { method: 'GET', url: '/public-data/usage-duties' })).json();
  t.match((await duties(dept.user)).uncitedOutcomes, [{ id: uncited.id, title: '线网规划辅助决策系统' }], 'the department sees the outcome without its citation');
  t.equal((await duties(bureau)).uncitedOutcomes.length, 1, 'so does the bureau');
  t.same((await duties(stranger.user)).uncitedOutcomes, [], 'another department sees nothing of it');
  expectProblem(t, await as(app, applicant, { method: 'GET', url: '/public-data/usage-duties' }), 403, 'forbidden');

  const cite = (user: typeof bureau) => as(app, user, { method: 'PUT', url: `/public-data/outcomes/${uncited.id}/citation`, payload: { citation: '数据来源：重庆市交通运输委员会' } });
  expectProblem(t, await cite(dept.user), 403, 'not-agreement-user');
  expectProblem(t, await cite(stranger.user), 404, 'not-found');
  t.match((await cite(applicant)).json(), { cited: true });
  t.same((await duties(dept.user)).uncitedOutcomes, [], 'cited: off the list');

  const final = (await as(app, dept.user, { method: 'GET', url: usageUrl })).json();
  t.match(final, { periods: [{ period: 1, status: 'filed', report: { summary: '用于线网优化模型训练' } }], outcomes: [{ cited: true }, { cited: true }] });
  t.same((await auditActions(app, request.id)).filter((a) => a === 'public_data.usage_report_filed'), ['public_data.usage_report_filed']);
});

t.test('an overdue report leads to an order to correct and, unheeded, to the bureau’s recorded fine (Art. 64)', async (t) => {
  const app = await buildTestApp(t);
  const { clerk, bureau, dept, applicant, applicantParty, entry } = await requestWorld(app);
  const request = await sealedOpenRequest(app, dept.user, applicant, entry.id, { reportEveryMonths: 1 });
  const deptCaller = callerFor(dept.user, dept.party);
  const bureauCaller = callerFor(bureau, null);

  // Today the first period runs: an order about it is unfounded.
  const early = expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/requests/${request.id}/orders`, payload: { ground: 'usage_not_reported', period: 1, details: '未报告', correctBy: shanghaiDaysFromNow(7) } }), 422, 'order-ground-unfounded');
  t.match(early, { detail: /Art\. 64 .*period 1 is running/, errors: [{ path: '/body/period' }] });

  // Fifty days on, period 1 (a month, then 15 days) is overdue: listed, and ordered corrected.
  const later = dayAt(50);
  const listed = await usageDuties(app.db, deptCaller, undefined, later);
  t.match(listed.overdueReports, [{ requestId: request.id, period: 1, userPartyId: applicantParty.id }]);
  t.match((await usageDuties(app.db, bureauCaller, dept.party.id, later)).overdueReports, [{ period: 1 }], 'the bureau, for this department');
  const limit = shanghaiDaysFromNow(57);
  const order = await issueOrder(app.db, deptCaller, request.id, { ground: 'usage_not_reported', period: 1, details: '未按协议第八条报告第1期使用情况', correctBy: limit }, later);
  t.match(order, { state: 'open', period: 1, issuedAs: 'department' });
  await t.rejects(issueOrder(app.db, bureauCaller, request.id, { ground: 'usage_not_reported', period: 1, details: '重复', correctBy: limit }, later), { code: 'conflict' }, 'one open order per breach');

  // The user sees it, and cannot close it by word: only the report does.
  t.match((await as(app, applicant, { method: 'GET', url: '/public-data/orders' })).json().items, [{ id: order.id, state: 'open', ground: 'usage_not_reported', correctBy: limit }]);
  expectProblem(t, await as(app, applicant, { method: 'POST', url: `/public-data/orders/${order.id}/correction`, payload: { statement: '已整改' } }), 422, 'correction-incomplete');

  // Before the limit ends the bureau cannot decide, unless the consequences are serious.
  const fine = { kind: 'fine', amountYuan: 50_000, ground: '逾期未报告数据使用情况' } as const;
  await t.rejects(decideOrder(app.db, bureauCaller, order.id, fine, dayAt(56)), { code: 'order-not-lapsed' });
  expectProblem(t, await as(app, bureau, { method: 'POST', url: `/public-data/orders/${order.id}/decision`, payload: fine }), 409, 'order-not-lapsed');
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/orders/${order.id}/decision`, payload: fine }), 403, 'forbidden');
  for (const amountYuan of [9_999, 100_001]) {
    expectProblem(t, await as(app, bureau, { method: 'POST', url: `/public-data/orders/${order.id}/decision`, payload: { ...fine, amountYuan } }), 400, 'validation-failed');
  }
  await t.rejects(decideOrder(app.db, bureauCaller, order.id, { kind: 'fine', ground: '无金额' }, dayAt(58)), { code: 'validation-failed' }, 'a fine states its amount');

  // The limit passed unheeded: the bureau records the fine, once; the user reads it.
  const decided = await decideOrder(app.db, bureauCaller, order.id, fine, dayAt(58));
  t.match(decided, { state: 'decided', decision: { kind: 'fine', amountYuan: 50_000, seriousConsequences: false } });
  await t.rejects(decideOrder(app.db, bureauCaller, order.id, fine, dayAt(59)), { code: 'invalid-state' });
  const seen = (await as(app, applicant, { method: 'GET', url: `/public-data/orders/${order.id}` })).json();
  t.match(seen, { state: 'decided', decision: { kind: 'fine', amountYuan: 50_000, ground: '逾期未报告数据使用情况' } });
  t.notOk('decidedBy' in seen.decision, 'the decision names no official');
  t.same(await auditActions(app, order.id), ['public_data.order_issued', 'public_data.order_decided']);
  const [decisionEvent] = await app.db.select({ id: auditEvents.id }).from(auditEvents).where(and(eq(auditEvents.subjectId, order.id), eq(auditEvents.action, 'public_data.order_decided')));
  const receipt = (user: typeof bureau) => as(app, user, { method: 'GET', url: `/audit/events/${decisionEvent!.id}/receipt?wait=5` });
  t.equal((await receipt(applicant)).statusCode, 200, 'the user holds a receipt of the decision');
  t.equal((await receipt(dept.user)).statusCode, 200, 'so does the department');
  const stranger = await department(app, clerk);
  expectProblem(t, await as(app, stranger.user, { method: 'GET', url: `/public-data/orders/${order.id}` }), 404, 'not-found');
  t.same((await as(app, stranger.user, { method: 'GET', url: '/public-data/orders' })).json().items, []);
});

t.test('a report filed within the limit corrects the order; a late one does not stop the decision', async (t) => {
  const app = await buildTestApp(t);
  const { bureau, dept, applicant, entry } = await requestWorld(app);
  const request = await sealedOpenRequest(app, dept.user, applicant, entry.id, { reportEveryMonths: 1 });
  const deptCaller = callerFor(dept.user, dept.party);
  const userCaller = callerFor(applicant, { id: applicant.auth['x-party-id']! } as never);
  const bureauCaller = callerFor(bureau, null);
  const report = { summary: '补报', safeguards: '加密' };

  const first = await issueOrder(app.db, bureauCaller, request.id, { ground: 'usage_not_reported', period: 1, details: '未报告第1期', correctBy: shanghaiDaysFromNow(57) }, dayAt(50));
  t.equal(first.issuedAs, 'bureau');
  await fileUsageReport(app.db, userCaller, request.id, { period: 1, ...report }, dayAt(52));
  const corrected = (await as(app, dept.user, { method: 'GET', url: `/public-data/orders/${first.id}` })).json();
  t.match(corrected, { state: 'corrected', correction: { how: 'report_filed', late: false } });
  await t.rejects(decideOrder(app.db, bureauCaller, first.id, { kind: 'fine', amountYuan: 10_000, ground: '逾期' }, dayAt(60)), { code: 'order-not-lapsed' }, 'corrected in time');
  t.match((await as(app, applicant, { method: 'GET', url: `/public-data/requests/${request.id}/usage` })).json().periods[0], { status: 'filed_late' });

  // Period 2 (from day 30) is due by day 75: ordered on day 80, reported on day 95 after a limit of day 90.
  const second = await issueOrder(app.db, deptCaller, request.id, { ground: 'usage_not_reported', period: 2, details: '未报告第2期', correctBy: shanghaiDaysFromNow(90) }, dayAt(80));
  await fileUsageReport(app.db, userCaller, request.id, { period: 2, ...report }, dayAt(95));
  const late = (await as(app, bureau, { method: 'GET', url: `/public-data/orders/${second.id}` })).json();
  t.match(late, { state: 'corrected', correction: { late: true } });
  t.match(await decideOrder(app.db, bureauCaller, second.id, { kind: 'fine', amountYuan: 10_000, ground: '逾期未改正' }, dayAt(96)), { state: 'decided' }, 'corrected after the limit: the fine still applies');
});

t.test('an outcome without its citation: ordered, unheeded, access suspended; statements correct use beyond scope', async (t) => {
  const app = await buildTestApp(t);
  const { bureau, dept, applicant, entry } = await requestWorld(app);
  const version = await uploadDataVersion(app, dept.user, entry.id);
  const request = await sealedOpenRequest(app, dept.user, applicant, entry.id);
  t.equal(request.reportEveryMonths, 3, 'quarterly when the department does not say');
  const download = () => as(app, applicant, { method: 'GET', url: `/public-data/entries/${entry.id}/versions/${version.id}/download` });
  t.equal((await download()).statusCode, 200);

  const outcome = (await as(app, applicant, { method: 'POST', url: `/public-data/requests/${request.id}/outcomes`, payload: { kind: 'data_service', title: '客流预测接口' } })).json();
  const order = (body: Record<string, unknown>, user = dept.user) => as(app, user, { method: 'POST', url: `/public-data/requests/${request.id}/orders`, payload: { details: '成果未注明数据来源', correctBy: shanghaiDaysFromNow(5), ...body } });
  expectProblem(t, await order({ ground: 'source_not_cited' }), 422, 'order-ground-unfounded');
  expectProblem(t, await order({ ground: 'source_not_cited', outcomeId: outcome.id, correctBy: today }), 400, 'validation-failed');
  expectProblem(t, await order({ ground: 'source_not_cited', outcomeId: outcome.id }, applicant), 403, 'forbidden');
  const uncited = (await order({ ground: 'source_not_cited', outcomeId: outcome.id })).json();
  t.match(uncited, { state: 'open', outcomeId: outcome.id, lapsed: false });
  expectProblem(t, await order({ ground: 'source_not_cited', outcomeId: outcome.id }), 409, 'conflict');

  // Unheeded past its limit: the bureau suspends access; the download is refused, naming Art. 64.
  const suspended = await decideOrder(app.db, callerFor(bureau, null), uncited.id, { kind: 'suspension', ground: '逾期未注明数据来源' }, dayAt(6));
  t.match(suspended.decision, { kind: 'suspension', suspendedUntil: null });
  const refused = expectProblem(t, await download(), 403, 'access-suspended');
  t.match(refused, { detail: /Art\. 64/, requestIds: [request.id] });

  // Use beyond scope is corrected by the user's statement; serious consequences allow a decision at once.
  const scope = (await order({ ground: 'beyond_scope', details: '将数据用于商业营销' })).json();
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/orders/${scope.id}/correction`, payload: { statement: '已整改' } }), 403, 'not-agreement-user');
  const stated = await as(app, applicant, { method: 'POST', url: `/public-data/orders/${scope.id}/correction`, payload: { statement: '已停止营销使用并删除衍生数据' } });
  t.match(stated.json(), { state: 'corrected', correction: { how: 'statement', statement: '已停止营销使用并删除衍生数据', late: false } });
  expectProblem(t, await as(app, applicant, { method: 'POST', url: `/public-data/orders/${scope.id}/correction`, payload: { statement: '再次' } }), 409, 'invalid-state');
  const leak = (await order({ ground: 'tampered_destroyed_or_leaked', details: '数据在互联网泄露' })).json();
  const serious = await as(app, bureau, { method: 'POST', url: `/public-data/orders/${leak.id}/decision`, payload: { kind: 'fine', amountYuan: 100_000, ground: '泄露造成严重后果', seriousConsequences: true } });
  t.match(serious.json(), { state: 'decided', decision: { amountYuan: 100_000, seriousConsequences: true } });
  t.same((await as(app, applicant, { method: 'GET', url: '/public-data/orders?state=decided' })).json().items.map((o: { id: string }) => o.id).sort(), [uncited.id, leak.id].sort());
});

t.test('no duties before the seal, nor on sharing; concurrent reports and decisions: one wins', async (t) => {
  const app = await buildTestApp(t);
  const { clerk, bureau, dept, applicant, entry } = await requestWorld(app);
  const pending = (await as(app, applicant, { method: 'POST', url: '/public-data/requests', payload: { entryIds: [entry.id], purpose: '研究', scenario: '分析', safeguards: '加密', term: { start: '2026-01-01', end: '2099-12-31' } } })).json();
  await as(app, dept.user, { method: 'POST', url: `/public-data/requests/${pending.id}/answer`, payload: { decision: 'approve' } });
  expectProblem(t, await as(app, applicant, { method: 'POST', url: `/public-data/requests/${pending.id}/usage-reports`, payload: { period: 1, summary: 's', safeguards: 's' } }), 403, 'agreement-not-signed');
  t.match((await as(app, applicant, { method: 'GET', url: `/public-data/requests/${pending.id}/usage` })).json(), { dutyFrom: null, periods: [] });

  const other = await department(app, clerk);
  const shared = await publishedEntry(app, other.user, bureau);
  const sharing = (await as(app, dept.user, { method: 'POST', url: '/public-data/sharing-requests', payload: sharingRequestBody([shared.id]) })).json();
  expectProblem(t, await as(app, dept.user, { method: 'POST', url: `/public-data/requests/${sharing.id}/outcomes`, payload: { kind: 'paper', title: 'x' } }), 409, 'invalid-state');

  const request = await sealedOpenRequest(app, dept.user, applicant, entry.id);
  const both = await Promise.all([1, 2].map(() => as(app, applicant, { method: 'POST', url: `/public-data/requests/${request.id}/usage-reports`, payload: { period: 1, summary: '同时', safeguards: '加密' } })));
  t.same(both.map((r) => r.statusCode).sort(), [201, 409], 'one report per period, whatever the race');
  const leak = (await as(app, dept.user, { method: 'POST', url: `/public-data/requests/${request.id}/orders`, payload: { ground: 'tampered_destroyed_or_leaked', details: '泄露', correctBy: shanghaiDaysFromNow(3) } })).json();
  const decisions = await Promise.all([
    as(app, bureau, { method: 'POST', url: `/public-data/orders/${leak.id}/decision`, payload: { kind: 'fine', amountYuan: 20_000, ground: '严重', seriousConsequences: true } }),
    as(app, bureau, { method: 'POST', url: `/public-data/orders/${leak.id}/decision`, payload: { kind: 'suspension', ground: '严重', seriousConsequences: true, suspendedUntil: shanghaiDaysFromNow(30) } }),
  ]);
  t.same(decisions.map((r) => r.statusCode).sort(), [200, 409], 'one decision per order');
});
