import t from 'tap';
import { systemActor } from '../../../src/modules/audit/events.js';
import { sweepExpiredAgreements } from '../../../src/modules/agreements/lifecycle.js';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { poppler, signAs } from '../../helpers/agreements.js';
import { createVerifiedParty } from '../../helpers/identity.js';

const dataList = [
  { name: '公交IC卡刷卡记录', description: '2025年脱敏刷卡明细 anonymised tap records', format: 'CSV', sha256: null },
  { name: '公交线路站点', description: '线路与站点坐标 routes and stops', format: 'GeoJSON', sha256: null },
];

async function signBoth(app: Parameters<typeof signAs>[0], agreementId: string, signers: TestUser[]) {
  const view = (await as(app, signers[0]!, { method: 'GET', url: `/agreements/${agreementId}` })).json();
  for (const user of signers) {
    const res = await signAs(app, user, agreementId, view.contentSha256);
    if (res.statusCode !== 201) throw new Error(res.body);
  }
  return (await as(app, signers[0]!, { method: 'GET', url: `/agreements/${agreementId}` })).json();
}

t.test('a utilization agreement (Art. 19): signed by department and user, copied to the bureau, disposed of at the end', async (t) => {
  const app = await buildTestApp(t, { agreementDisposalDays: 15 });
  const operator = await signUp(app, ['operator']);
  const bureau = await signUp(app, ['bureau']);
  const department = await signUp(app, ['department']);
  const user = await signUp(app, ['buyer']);
  const departmentParty = await createVerifiedParty(app, department, operator);
  const userParty = await createVerifiedParty(app, user, operator);

  const row = await app.db.transaction((tx) =>
    app.agreements.draftUtilizationAgreement(tx, systemActor(), {
      departmentPartyId: departmentParty.id,
      userPartyId: userParty.id,
      requestReference: 'COR-2025-000042',
      bureauName: '重庆市大数据应用发展管理局',
      dataList,
      purpose: '公交线网优化研究',
      scenario: '线网规划辅助决策系统',
      safeguards: '专网传输、加密存储、双人审批',
      disposal: '期满后彻底删除并出具删除证明',
      reportSchedule: { everyMonths: 6, daysAfterPeriod: 15 },
      term: { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-06-30T00:00:00Z') },
    }),
  );
  t.match(row.number, /^GDU-\d{4}-\d{6}$/);
  const pdf = (await as(app, user, { method: 'GET', url: `/agreements/${row.id}/pdf` })).rawPayload;
  const text = poppler('pdftotext', pdf, ['-enc', 'UTF-8']);
  for (const needle of ['政务数据利用协议', 'Government Data Utilization Agreement', '公交IC卡刷卡记录', '公交线网优化研究', '线网规划辅助决策系统', '专网传输、加密存储、双人审批', '2025-06-30', '期满后彻底删除并出具删除证明', '重庆市大数据应用发展管理局', '注明数据来源', '每6个月报告一次', 'every 6 months']) {
    t.ok(text.includes(needle), `the PDF holds ${needle}`);
  }

  const empty = await as(app, bureau, { method: 'GET', url: '/bureau/agreement-inbox' });
  t.same(empty.json(), { items: [], next: null }, 'nothing is copied before it is signed');
  const signed = await signBoth(app, row.id, [department, user]);
  t.equal(signed.status, 'signed');

  const inbox = (await as(app, bureau, { method: 'GET', url: '/bureau/agreement-inbox?unread=true' })).json();
  t.equal(inbox.items.length, 1, 'the bureau has its copy (抄送)');
  t.match(inbox.items[0], { readAt: null, sourceReference: 'COR-2025-000042', agreement: { id: row.id, number: row.number, status: 'signed' } });
  t.same((await as(app, bureau, { method: 'POST', url: '/bureau/agreement-inbox/read', payload: { ids: [inbox.items[0].id] } })).json(), { marked: 1 });
  t.same((await as(app, bureau, { method: 'GET', url: '/bureau/agreement-inbox?unread=true' })).json().items, [], 'read copies leave the unread list');
  t.equal((await as(app, bureau, { method: 'GET', url: `/agreements/${row.id}` })).statusCode, 200, 'the bureau reads the agreement');
  expectProblem(t, await as(app, operator, { method: 'GET', url: '/bureau/agreement-inbox' }), 403, 'forbidden');

  // Disposal is certified only after the end, by the user, once.
  expectProblem(t, await as(app, user, { method: 'POST', url: `/agreements/${row.id}/disposal`, payload: { method: 'deleted', statement: '已删除' } }), 409, 'invalid-state');
  // The term ended long ago: the sweep, as run on 2025-07-01, marks it expired.
  t.equal(await sweepExpiredAgreements(app.db, new Date('2025-07-01T00:00:00Z')), 1);
  t.equal(await sweepExpiredAgreements(app.db, new Date('2025-07-01T00:00:00Z')), 0, 'a second sweep finds nothing');
  const missingRes = await as(app, operator, { method: 'GET', url: '/agreement-disposals/missing?overdue=true' });
  t.equal(missingRes.statusCode, 200, missingRes.body);
  const missing = missingRes.json();
  t.equal(missing.items.length, 1, 'overdue: no certificate within 15 days of the end');
  t.match(missing.items[0], { agreement: { id: row.id, status: 'expired' }, recipientPartyId: userParty.id, overdue: true, endedAt: '2025-06-30T00:00:00.000Z', dueAt: '2025-07-15T00:00:00.000Z' }, 'due 15 days after the term ended, not after the sweep');
  t.equal((await as(app, bureau, { method: 'GET', url: '/agreement-disposals/missing' })).json().items.length, 1, 'the bureau supervises too');

  expectProblem(t, await as(app, department, { method: 'POST', url: `/agreements/${row.id}/disposal`, payload: { method: 'deleted', statement: '已删除' } }), 403, 'not-data-recipient');
  expectProblem(
    t,
    await as(app, user, { method: 'POST', url: `/agreements/${row.id}/disposal`, payload: { method: 'retained_under_new_agreement', statement: '续签后保留', newAgreementNumber: 'GDU-2099-000001' } }),
    400,
    'validation-failed',
  );
  const certified = await as(app, user, { method: 'POST', url: `/agreements/${row.id}/disposal`, payload: { method: 'deleted', statement: '数据及全部副本已于2025-07-03删除。' } });
  t.equal(certified.statusCode, 201, certified.body);
  t.match(certified.json().disposal, { method: 'deleted', auditEventId: /^[0-9a-f-]{36}$/ });
  expectProblem(t, await as(app, user, { method: 'POST', url: `/agreements/${row.id}/disposal`, payload: { method: 'deleted', statement: 'again' } }), 409, 'conflict');
  t.same((await as(app, operator, { method: 'GET', url: '/agreement-disposals/missing' })).json().items, [], 'certified: off the supervision list');

  const verified = (await app.inject({ method: 'GET', url: `/agreement-verifications/${signed.sealedSha256}` })).json();
  t.match(verified, { genuine: true, agreement: { status: 'expired', inForce: false } }, 'verification says it is no longer in force');
});

t.test('a central procurement agreement (Art. 27) names every beneficiary department', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const bureau = await signUp(app, ['bureau']);
  const provider = await signUp(app, ['provider']);
  const bureauParty = await createVerifiedParty(app, bureau, operator);
  const providerParty = await createVerifiedParty(app, provider, operator);
  const input = {
    bureauPartyId: bureauParty.id,
    providerPartyId: providerParty.id,
    procurementReference: 'PRC-2026-000007',
    beneficiaries: ['重庆市交通局', '重庆市规划和自然资源局', '重庆市交通局'],
    productTitle: '城市路网实时路况数据',
    amountMinor: 38_000_000,
    currency: 'CNY',
    dataList,
    purpose: '交通治理',
    scenario: '城市运行管理平台',
    safeguards: '政务云部署，等级保护三级',
    term: { start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-12-01T00:00:00Z') },
  };
  await t.rejects(app.db.transaction((tx) => app.agreements.draftProcurementAgreement(tx, systemActor(), { ...input, beneficiaries: [' '] })), { code: 'validation-failed' });
  const row = await app.db.transaction((tx) => app.agreements.draftProcurementAgreement(tx, systemActor(), input));
  t.match(row.number, /^CPA-\d{4}-\d{6}$/);
  const signed = await signBoth(app, row.id, [bureau, provider]);
  t.equal(signed.status, 'signed');
  const text = poppler('pdftotext', (await as(app, provider, { method: 'GET', url: `/agreements/${row.id}/pdf` })).rawPayload, ['-enc', 'UTF-8']);
  t.ok(text.includes('重庆市交通局、重庆市规划和自然资源局'), 'every beneficiary, once each');
  t.ok(text.includes('380,000.00 CNY'));
  t.match(poppler('pdfsig', (await as(app, provider, { method: 'GET', url: `/agreements/${row.id}/pdf` })).rawPayload), /Signature is Valid\./);
  t.same((await as(app, bureau, { method: 'GET', url: '/bureau/agreement-inbox' })).json().items, [], 'only utilization agreements are copied to the bureau');
  const mine = (await as(app, provider, { method: 'GET', url: '/agreements?kind=procurement' })).json();
  t.same(mine.items.map((a: { id: string }) => a.id), [row.id]);
});
