// The transaction record: every step with its audit event and receipt, for operators and for each
// party, with the other side's people left out.
import t from 'tap';
import { as, expectProblem } from '../../helpers/app.js';
import { deliveredOrder, tradingWorld, verifiedUser, buildTradingApp } from '../../helpers/trading.js';

interface RecordBody {
  parties: { buyer: { id: string; legalName: string }; provider: { id: string } };
  steps: { action: string; actor: { role: string | null; userId: string | null }; auditEventId: string; receipt: string }[];
  downloads: { userId: string | null }[];
  money: { payments: unknown[] };
  agreement: { number: string } | null;
  revision: { id: string; title: { zh?: string } };
}

t.test('the transaction record', async (t) => {
  const app = await buildTradingApp(t);
  const { clerk, provider, buyer, product } = await tradingWorld(app);
  const { order } = await deliveredOrder(app, buyer.user, product.id);
  const record = async (user: typeof buyer.user) => {
    const res = await as(app, user, { method: 'GET', url: `/orders/${order.id}/record` });
    t.equal(res.statusCode, 200);
    return res.json<RecordBody>();
  };

  const operator = await record(clerk);
  t.equal(operator.parties.buyer.id, buyer.party.id);
  t.equal(operator.parties.buyer.legalName, buyer.party.legalName);
  t.equal(operator.agreement?.number, order.agreement!.number);
  t.ok(operator.revision.title.zh);
  t.ok(operator.steps.length >= 7);
  t.ok(operator.steps.every((s) => s.receipt === `/audit/events/${s.auditEventId}/receipt`));
  t.equal(operator.steps.find((s) => s.action === 'placed')?.actor.userId, buyer.user.id);

  const buyerSide = await record(buyer.user);
  t.equal(buyerSide.steps.find((s) => s.action === 'placed')?.actor.userId, buyer.user.id, 'the buyer sees its own people');
  t.equal(buyerSide.downloads[0]?.userId, buyer.user.id);

  const providerSide = await record(provider.user);
  t.equal(providerSide.steps.find((s) => s.action === 'placed')?.actor.userId, null, "the provider does not see the buyer's people");
  t.equal(providerSide.downloads[0]?.userId, null);

  for (const user of [buyer.user, provider.user]) {
    const events = await Promise.all(buyerSide.steps.map((s) => as(app, user, { method: 'GET', url: s.receipt })));
    t.ok(events.every((e) => e.statusCode !== 404), 'both parties reach every step’s event');
  }

  const stranger = await verifiedUser(app, ['buyer'], clerk);
  expectProblem(t, await as(app, stranger.user, { method: 'GET', url: `/orders/${order.id}/record` }), 404, 'not-found');
});
