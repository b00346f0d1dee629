import t from 'tap';
import { deliverNotifications } from '../../../src/modules/notifications/notifier.js';
import { notifications } from '../../../src/modules/notifications/tables.js';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { answer, applyFor, requestWorld } from '../../helpers/public-data-requests.js';
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
