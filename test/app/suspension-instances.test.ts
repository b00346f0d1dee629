// Art. 28(4), issue 18: a suspension counts on every process at once. Two instances of the service
// on one database, as two processes behind a load balancer: each caches suspensions per party
// (identity/suspension.ts), and a suspension or reinstatement made through one is obeyed by the
// other on its very next request. On the server the notice travels by LISTEN/NOTIFY; the embedded
// database is one process's, where the two share it and its in-process notices.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { as, expectProblem, signUp, twoInstances } from '../helpers/app.js';
import { listedProduct } from '../helpers/catalog.js';
import { serverUrl } from '../helpers/database.js';
import { placeOrder, sampleOrder, signAgreement, verifiedUser } from '../helpers/trading.js';

t.test(`suspending or reinstating through one instance counts on the other's very next request (${serverUrl ? 'server, LISTEN/NOTIFY' : 'embedded, in-process'})`, async (t) => {
  const [a, b] = await twoInstances(t);
  const operator = await signUp(a, ['operator']);
  const provider = await verifiedUser(a, ['provider'], operator);
  const buyer = await verifiedUser(a, ['buyer'], operator);
  const listing = await listedProduct(a, provider.user, operator);
  const order = (app: FastifyInstance) => as(app, buyer.user, { method: 'POST', url: '/orders', payload: sampleOrder(listing.id) });
  const edit = (app: FastifyInstance) => as(app, provider.user, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { content: { tags: ['改'] } } });

  // b's caches are warm: both parties have acted through it.
  t.equal((await order(b)).statusCode, 201);
  t.equal((await edit(b)).statusCode, 200);

  // The buyer's party suspended through a: b refuses its next action, with the reason.
  t.equal((await as(a, operator, { method: 'POST', url: `/parties/${buyer.party.id}/suspension`, payload: { reason: '涉嫌转售数据' } })).statusCode, 200);
  t.match(expectProblem(t, await order(b), 403, 'party-suspended'), { reason: '涉嫌转售数据', partyId: buyer.party.id });
  t.equal((await as(b, buyer.user, { method: 'GET', url: '/orders/purchases' })).statusCode, 200, 'its records still read');
  // Reinstated through a: b takes its next action.
  t.equal((await as(a, operator, { method: 'POST', url: `/parties/${buyer.party.id}/reinstatement`, payload: { reason: '核查完毕' } })).statusCode, 200);
  t.equal((await order(b)).statusCode, 201, 'trading again on b');

  // The same for the provider's party, and again, so a warm entry is dropped each time.
  for (const round of [1, 2]) {
    t.equal((await as(a, operator, { method: 'POST', url: `/parties/${provider.party.id}/suspension`, payload: { reason: `第${round}次核查` } })).statusCode, 200);
    t.match(expectProblem(t, await edit(b), 403, 'party-suspended'), { reason: `第${round}次核查` });
    t.equal((await as(a, operator, { method: 'POST', url: `/parties/${provider.party.id}/reinstatement`, payload: { reason: '核查完毕，恢复' } })).statusCode, 200);
    t.equal((await edit(b)).statusCode, 200, `round ${round}: reinstated on b at once`);
  }

  // A listing suspended through a: on b it cannot be ordered, nor an order of it paid.
  const signed = await placeOrder(a, buyer.user, sampleOrder(listing.id));
  await signAgreement(a, signed);
  const pay = (app: FastifyInstance) => as(app, buyer.user, { method: 'POST', url: `/orders/${signed.id}/payment`, payload: { rail: 'bank_transfer' } });
  t.equal((await as(b, buyer.user, { method: 'GET', url: `/catalog/listings/${listing.id}` })).statusCode, 200, 'b has read the listing');
  t.equal((await as(a, operator, { method: 'POST', url: `/catalog/listings/${listing.id}/suspend`, payload: { reason: '来源待核实' } })).statusCode, 200);
  expectProblem(t, await order(b), 400, 'validation-failed');
  t.match(expectProblem(t, await pay(b), 403, 'listing-suspended'), { listingId: listing.id });
  expectProblem(t, await as(b, buyer.user, { method: 'GET', url: `/catalog/listings/${listing.id}` }), 404, 'not-found');
  t.equal((await as(a, operator, { method: 'POST', url: `/catalog/listings/${listing.id}/reinstate`, payload: { reason: '来源已核实' } })).statusCode, 200);
  t.equal((await pay(b)).statusCode, 200, 'paid on b once the listing is reinstated');
  t.equal((await order(b)).statusCode, 201, 'and ordered again');
});
