import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { createVerifiedParty } from '../../helpers/identity.js';
import { recordingOrderEvents, releasedBankPayment, tradingParties } from '../../helpers/settlement.js';

type PayoutPage = { items: { id: string; orderId: string; providerPartyId: string; status: string; amountMinor: number; bankReference: string | null }[]; next: string | null };

t.test("a provider lists its own party's payouts across its orders; another party's are not found, a buyer is refused", async (t) => {
  const app = await buildTestApp(t, {}, { orderPaymentEvents: recordingOrderEvents().events });
  const trade = await tradingParties(app);
  const first = await releasedBankPayment(app, trade, { amountMinor: 100_000, feeMinor: 2_500 });
  const second = await releasedBankPayment(app, trade, { amountMinor: 50_000, feeMinor: 1_250 });
  const paid = await as(app, trade.operator, { method: 'POST', url: `/settlement/payments/${first.paymentId}/payout/bank-transfer`, payload: { amountMinor: 97_500, currency: 'CNY', bankReference: 'CQB-PARTY-OUT-1' } });
  t.equal(paid.statusCode, 200, paid.body);
  // Another provider's sale, which the first must not see.
  const rival = await signUp(app, ['provider'], 'rival-provider');
  const rivalParty = await createVerifiedParty(app, rival, trade.operator);
  await releasedBankPayment(app, { ...trade, provider: rival, providerParty: rivalParty });

  const url = `/settlement/parties/${trade.providerParty.id}/payouts`;
  const mine = await as(app, trade.provider, { method: 'GET', url });
  t.equal(mine.statusCode, 200, mine.body);
  const page = mine.json<PayoutPage>();
  t.same(page.items.map((p) => p.orderId), [second.order.id, first.order.id], 'its two payouts, newest first');
  t.ok(page.items.every((p) => p.providerPartyId === trade.providerParty.id), 'and no other party’s');
  t.match(page.items[1], { status: 'paid', amountMinor: 97_500, bankReference: 'CQB-PARTY-OUT-1' });
  t.match(page.items[0], { status: 'due', amountMinor: 48_750 });

  const due = (await as(app, trade.provider, { method: 'GET', url: `${url}?status=due` })).json<PayoutPage>();
  t.same(due.items.map((p) => p.orderId), [second.order.id], 'filtered by status');
  const onePage = (await as(app, trade.provider, { method: 'GET', url: `${url}?limit=1` })).json<PayoutPage>();
  t.equal(onePage.items.length, 1);
  const rest = (await as(app, trade.provider, { method: 'GET', url: `${url}?limit=1&cursor=${encodeURIComponent(onePage.next!)}` })).json<PayoutPage>();
  t.same(rest.items.map((p) => p.orderId), [first.order.id], 'more by cursor');

  // Operators see any provider's; the rival provider is told the party does not exist.
  t.equal((await as(app, trade.operator, { method: 'GET', url })).json<PayoutPage>().items.length, 2, 'an operator sees them too');
  expectProblem(t, await as(app, rival, { method: 'GET', url }), 404, 'not-found');
  expectProblem(t, await as(app, trade.operator, { method: 'GET', url: '/settlement/parties/00000000-0000-4000-8000-000000000000/payouts' }), 404, 'not-found');
  // A buyer's role has no payouts to see, not even of its own party.
  expectProblem(t, await as(app, trade.buyer, { method: 'GET', url: `/settlement/parties/${trade.buyerParty.id}/payouts` }), 403, 'forbidden');
  expectProblem(t, await as(app, trade.provider, { method: 'GET', url: `${url}?status=lost` }), 400, 'validation-failed');
  expectProblem(t, await as(app, trade.provider, { method: 'GET', url: '/settlement/parties/not-a-uuid/payouts' }), 400, 'validation-failed');
  // The operators' list across all providers stays theirs.
  expectProblem(t, await as(app, trade.provider, { method: 'GET', url: '/settlement/payouts' }), 403, 'forbidden');
});
