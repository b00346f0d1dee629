import { count, eq, sql } from 'drizzle-orm';
import t from 'tap';
import { createMailer, EMAIL_OPERATION, sendEmails } from '../../../src/modules/notifications/email.js';
import { deliverNotifications } from '../../../src/modules/notifications/notifier.js';
import { sweepReminders } from '../../../src/modules/notifications/reminders.js';
import { notificationPending, notifications } from '../../../src/modules/notifications/tables.js';
import { outbox } from '../../../src/plugins/outbox-tables.js';
import { as, buildTestApp, expectProblem, signUp, twoInstances, type TestUser } from '../../helpers/app.js';
import { answer, applyFor, requestWorld, sealedOpenRequest } from '../../helpers/public-data-requests.js';
import { serverUrl } from '../../helpers/database.js';
import { startSmtpServer } from '../../helpers/smtp.js';
import { deliveredOrder, tradingWorld } from '../../helpers/trading.js';

const mine = async (app: Parameters<typeof as>[0], user: TestUser, query = '') => {
  const res = await as(app, user, { method: 'GET', url: `/me/notifications${query}` });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json() as { items: { id: string; kind: string; link: string; dueAt: string | null; title: { zh: string; en: string }; readAt: string | null; receipt: string }[]; unread: number; next: string | null };
};

t.test('every step that waits for a party tells its members, once, Chinese first; each member reads for itself', async (t) => {
  const app = await buildTestApp(t);
  const { buyer, provider, product } = await tradingWorld(app);
  const { order } = await deliveredOrder(app, buyer.user, product.id);
  t.same((await mine(app, buyer.user)).items, [], 'nothing before the notifier runs');

  const [first, second] = await Promise.all([deliverNotifications(app.db), deliverNotifications(app.db)]);
  t.equal(first! + second!, 7, 'two notifiers at once write each notification once (the two verifications, then the trade)');
  t.equal(await deliverNotifications(app.db), 0, 'and a third finds nothing');

  const forBuyer = await mine(app, buyer.user);
  t.same(forBuyer.items.map((n) => n.kind), ['order.delivery_to_accept', 'order.payment_received', 'agreement.to_sign', 'party.verification_decided']);
  t.equal(forBuyer.unread, 4);
  const accept = forBuyer.items[0]!;
  t.match(accept, { link: `/orders/${order.id}`, title: { zh: new RegExp(`订单${order.number}已交付`), en: /accept it or dispute it/ }, receipt: /^\/audit\/events\/.+\/receipt$/ });
  t.equal(accept.dueAt, (await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}` })).json().acceptanceDueAt, 'due when the acceptance window closes');
  t.same((await mine(app, provider.user)).items.map((n) => n.kind), ['order.payment_received', 'agreement.to_sign', 'party.verification_decided'], 'the provider is not asked to accept');

  const outsider = await signUp(app, ['buyer'], 'outsider');
  t.same((await mine(app, outsider)).items, [], 'another party’s business reaches nobody else');
  const notYours = expectProblem(t, await as(app, outsider, { method: 'POST', url: '/me/notifications/read', payload: { ids: [accept.id] } }), 400, 'validation-failed');
  t.match(notYours.errors, [{ path: '/body/ids/0' }], 'another’s notification is not one of yours');

  t.same((await as(app, buyer.user, { method: 'POST', url: '/me/notifications/read', payload: { ids: [accept.id, accept.id] } })).json(), { marked: 1 });
  t.same((await as(app, buyer.user, { method: 'POST', url: '/me/notifications/read', payload: { ids: [accept.id] } })).json(), { marked: 0 }, 'read twice: marked once');
  const after = await mine(app, buyer.user, '?unread=true');
  t.equal(after.unread, 3);
  t.notOk(after.items.some((n) => n.id === accept.id));
  t.same((await mine(app, buyer.user, '?kind=order.payment_received')).items.map((n) => n.kind), ['order.payment_received']);
  const paged = await mine(app, buyer.user, '?limit=2');
  t.equal(paged.items.length, 2);
  t.equal((await mine(app, buyer.user, `?limit=2&cursor=${paged.next}`)).items.length, 2, 'the next page has the rest');
  expectProblem(t, await as(app, buyer.user, { method: 'GET', url: '/me/notifications?kind=order.unknown' }), 400, 'validation-failed');
});

t.test('public data: the department is told of a request and its deadline, the applicant of the answer', async (t) => {
  const app = await buildTestApp(t);
  const { dept, applicant, entry } = await requestWorld(app);
  const request = await applyFor(app, applicant, [entry.id]);
  await deliverNotifications(app.db);
  const [toAnswer, verified] = (await mine(app, dept.user)).items;
  t.match(verified, { kind: 'party.verification_decided', title: { zh: '您的主体身份已通过核验' } });
  t.match(toAnswer, { kind: 'public_data.request_to_answer', link: `/public-data/requests/${request.id}`, title: { zh: /10个工作日/ } });
  t.equal(toAnswer!.dueAt, request.deadline.dueAt, 'due at the end of the last working day');
  t.equal((await answer(app, dept.user, request.id, { decision: 'approve' })).statusCode, 200);
  await deliverNotifications(app.db);
  t.match((await mine(app, applicant)).items, [{ kind: 'public_data.request_approved', title: { zh: /请签署政务数据利用协议/ } }]);
  const requestKinds = (await app.db.select().from(notifications)).filter((n) => n.subjectType === 'public_data_request');
  t.equal(requestKinds.length, 2, 'no one else is told of the request');
});

t.test('by e-mail through the outbox: each member its own message, Chinese first; a refusing server is retried or given up', async (t) => {
  const smtp = await startSmtpServer(t);
  const app = await buildTestApp(t, { mail: { smtpUrl: smtp.url, from: '重庆数据交易所 <noreply@exchange.example>' }, publicBaseUrl: 'https://exchange.example' });
  const mailer = createMailer(app.config)!;
  t.teardown(() => mailer.transport.close());
  const { dept, applicant, entry } = await requestWorld(app);
  await deliverNotifications(app.db, { email: true });

  // The department's members are out of reach for a moment: a temporary refusal is retried.
  smtp.refuse(451, 'mailbox busy');
  await applyFor(app, applicant, [entry.id]);
  await deliverNotifications(app.db, { email: true });
  await sendEmails(app.db, mailer);
  const waiting = (await app.db.select().from(outbox).where(eq(outbox.operation, EMAIL_OPERATION))).filter((r) => r.status === 'pending' && r.attempts > 0);
  t.ok(waiting.length >= 1, 'a 451 leaves the e-mail to be tried again');
  t.match(waiting[0]!.lastError, /451|mailbox busy/);

  smtp.accept();
  await app.db.update(outbox).set({ availableAt: new Date(0) }).where(eq(outbox.operation, EMAIL_OPERATION));
  await sendEmails(app.db, mailer);
  const toDept = smtp.received.find((m) => m.to && JSON.stringify(m.to).includes(dept.user.email) && /10个工作日/.test(m.subject ?? ''));
  t.ok(toDept, 'the department’s member receives the request to answer');
  t.match(toDept!.subject, /^收到有条件开放申请.* \| A conditional-open request awaits your answer/, 'Chinese first, English second');
  t.match(toDept!.text, /https:\/\/exchange\.example\/public-data\/requests\//);
  t.match(toDept!.messageId, /^<[0-9a-f-]+\.[0-9a-f-]+@exchange\.example>$/);
  t.notOk(smtp.received.some((m) => JSON.stringify(m.to).includes(applicant.email) && /10个工作日/.test(m.subject ?? '')), 'the applicant is not told what the department must do');

  // A permanent refusal is not retried: the effect fails and supervision lists it.
  smtp.refuse(550, 'no such user');
  const clerk = await signUp(app, ['operator'], 'clerk-2');
  await applyFor(app, applicant, [entry.id]);
  await deliverNotifications(app.db, { email: true });
  await sendEmails(app.db, mailer);
  const failed = (await app.db.select().from(outbox).where(eq(outbox.operation, EMAIL_OPERATION))).filter((r) => r.status === 'failed');
  t.equal(failed.length, 1, 'a 550 is given up at once');
  const overview = (await as(app, clerk, { method: 'GET', url: '/supervision/overview' })).json();
  t.match(overview.outbox.failing.items, [{ operation: EMAIL_OPERATION, lastError: /550|no such user/ }]);
});

t.test('reminders: a request due within two working days, a report gone overdue, a verification about to end; each once', async (t) => {
  const app = await buildTestApp(t);
  const { dept, applicant, entry } = await requestWorld(app);
  const request = await applyFor(app, applicant, [entry.id]);
  const dayBefore = new Date(Date.parse(request.deadline.dueAt) - 86_400_000);
  const [first, second] = await Promise.all([sweepReminders(app.db, dayBefore), sweepReminders(app.db, dayBefore)]);
  t.equal(first!.requestsDueSoon + second!.requestsDueSoon, 1, 'two sweeps at once remind once');
  t.equal((await sweepReminders(app.db, dayBefore)).requestsDueSoon, 0);
  t.same(await sweepReminders(app.db), { requestsDueSoon: 0, reportsOverdue: 0, verificationsExpiring: 0 }, 'nothing is near today');
  await deliverNotifications(app.db);
  t.match((await mine(app, dept.user, '?kind=public_data.request_due_soon')).items, [{ dueAt: request.deadline.dueAt, title: { zh: new RegExp(`将于${request.deadline.dueDate}到期`) } }]);

  const sealed = await sealedOpenRequest(app, dept.user, applicant, entry.id, { reportEveryMonths: 1 });
  const fiftyDays = new Date(Date.now() + 50 * 86_400_000);
  t.match(await sweepReminders(app.db, fiftyDays), { reportsOverdue: 1, verificationsExpiring: 0 });
  t.equal((await sweepReminders(app.db, fiftyDays)).reportsOverdue, 0, 'each period once');
  const yearOn = new Date(Date.now() + 340 * 86_400_000);
  t.equal((await sweepReminders(app.db, yearOn)).verificationsExpiring, 2, 'both verified parties, 25 days before the year ends');
  t.equal((await sweepReminders(app.db, yearOn)).verificationsExpiring, 0);
  await deliverNotifications(app.db);
  t.match((await mine(app, applicant, '?kind=public_data.usage_report_overdue')).items.at(-1), { link: `/public-data/requests/${sealed.id}/usage`, title: { zh: /第1期数据使用情况报告已逾期/ } });
  t.match((await mine(app, dept.user, '?kind=party.verification_expiring')).items, [{ title: { en: /renew it in time/ }, dueAt: /^\d{4}-/ }]);
});

/** Events no rule notifies anyone of, queued for the notifier by the trigger that queues every event (and taken off the sequencer's queue). */
async function backlogOf(db: Parameters<typeof deliverNotifications>[0], n: number) {
  await db.transaction(async (tx) => {
    await tx.execute(
      sql.raw(`insert into audit_events (occurred_at, action, subject_type, subject_id, payload, party_ids)
               select now(), 'test.backlog', 'bulk', g::text, '{}', '{}' from generate_series(1, ${n}) g`),
    );
    await tx.execute(sql`delete from audit_pending`);
  });
  return async () => (await db.select({ n: count() }).from(notificationPending))[0]!.n;
}

t.test('told to stop, the notifier finishes the batch in hand and no more', async (t) => {
  const app = await buildTestApp(t);
  const pending = await backlogOf(app.db, 1000);
  const stopped = new AbortController();
  stopped.abort();
  t.equal(await deliverNotifications(app.db, { stopping: stopped.signal }), 0, 'no one is notified of these events');
  t.equal(await pending(), 800, 'one batch (200 events) taken');
  await deliverNotifications(app.db);
  t.equal(await pending(), 0, 'the next run drains the rest');
});

t.test('a backlog does not hold a shutdown: closing stops the notifier part-way, and another process takes the rest', async (t) => {
  // Only the second instance's notifier runs (every 10 ms); the first's waits an hour.
  const [first, second] = await twoInstances(t, { secondConfig: { notifierIntervalMs: 10 } });
  // Draining takes seconds (the server drains some ten thousand events a second, the embedded
  // database a few thousand); the second instance closes 100 ms after it started.
  const backlog = serverUrl ? 30_000 : 3000;
  const pending = await backlogOf(first.db, backlog);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await second.close();
  const left = await pending();
  t.ok(left > 0, `closing does not wait for the backlog to drain (${backlog - left} of ${backlog} taken)`);
  await deliverNotifications(first.db);
  t.equal(await pending(), 0, 'the other process drains the rest');
});
