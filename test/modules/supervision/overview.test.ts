import t from 'tap';
import { submitOpenRequest } from '../../../src/modules/public-data/request-receipt.js';
import { outbox } from '../../../src/plugins/outbox-tables.js';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { registerParty, submitParty } from '../../helpers/identity.js';
import { callerFor, openRequestBody, requestWorld } from '../../helpers/public-data-requests.js';
import { deliveredOrder, tradingWorld } from '../../helpers/trading.js';

t.test('the operators’ overview counts what waits and what failed, with the oldest items (Art. 28(4))', async (t) => {
  const app = await buildTestApp(t);
  const { clerk, buyer, product } = await tradingWorld(app);
  const { order } = await deliveredOrder(app, buyer.user, product.id);
  t.equal((await as(app, buyer.user, { method: 'POST', url: `/orders/${order.id}/dispute`, payload: { reason: '数据缺失' } })).statusCode, 200);

  const applicant = await signUp(app, ['buyer'], 'waiting');
  const waiting = await registerParty(app, applicant);
  await submitParty(app, applicant, waiting);

  const world = await requestWorld(app);
  const late = await submitOpenRequest(app.db, callerFor(world.applicant, world.applicantParty), openRequestBody([world.entry.id]), new Date('2026-09-01T10:00:00+08:00'));
  await app.db.insert(outbox).values({ operation: 'stripe.create_transfer', idempotencyKey: 'probe:failed', subjectId: order.id, payload: {}, status: 'failed', attempts: 8, lastError: 'connection refused' });

  const res = await as(app, clerk, { method: 'GET', url: '/supervision/overview' });
  t.equal(res.statusCode, 200, res.body);
  const overview = res.json();
  t.equal(overview.orders.byStatus.disputed, 1);
  t.match(overview.trading.disputesOpen, { count: 1, items: [{ id: order.id, number: order.number }] });
  t.match(overview.parties.awaitingVerification, { count: 1, items: [{ id: waiting.id }] });
  t.match(overview.publicData.requestsOverdue, { count: 1, items: [{ id: late.id, departmentPartyId: world.dept.party.id }] });
  t.match(overview.outbox.failing, { count: 1, items: [{ operation: 'stripe.create_transfer', attempts: 8, lastError: 'connection refused' }] });
  t.equal(overview.review.listingsAwaitingReview.count, 0, 'the listing was approved');

  for (const user of [buyer.user, world.bureau, world.dept.user]) expectProblem(t, await as(app, user, { method: 'GET', url: '/supervision/overview' }), 403, 'forbidden');
  expectProblem(t, await as(app, clerk, { method: 'GET', url: '/supervision/orders/00000000-0000-4000-8000-000000000000/replay' }), 404, 'not-found');
});
