// Art. 28(4), issue 18: while the exchange has suspended a listing pending an investigation, its
// data stops moving. Orders already placed cannot be approved or paid, grants already issued cannot
// download, until it is reinstated; the provider is told both, with the reason.
import t from 'tap';
import { deliverNotifications } from '../../../src/modules/notifications/notifier.js';
import { as, buildTestApp, expectProblem } from '../../helpers/app.js';
import { sampleListing } from '../../helpers/catalog.js';
import { markPaid, placeOrder, sampleOrder, signAgreement, tradingWorld, type OrderShape } from '../../helpers/trading.js';

t.test('a suspended listing: no approval, no payment, no download until it is reinstated', async (t) => {
  const app = await buildTestApp(t);
  const licence = { ...sampleListing().licence, approvalRequired: true };
  const { clerk, provider, buyer, product } = await tradingWorld(app, { licence });
  const approve = (id: string) => as(app, provider.user, { method: 'POST', url: `/orders/${id}/approval` });
  const waiting = await placeOrder(app, buyer.user, sampleOrder(product.id));
  // Approved and signed: waiting for payment.
  const signed = await placeOrder(app, buyer.user, sampleOrder(product.id));
  const agreed = (await approve(signed.id)).json<OrderShape>();
  await signAgreement(app, agreed);
  // Approved, signed and paid: a download grant.
  const paid = await placeOrder(app, buyer.user, sampleOrder(product.id));
  await signAgreement(app, (await approve(paid.id)).json<OrderShape>());
  await markPaid(app, paid.id);
  const grants = () => as(app, buyer.user, { method: 'GET', url: `/orders/${paid.id}/grants` }).then((r) => r.json<{ id: string; downloadsUsed: number }[]>());
  const [grant] = await grants();
  const download = () => as(app, buyer.user, { method: 'GET', url: `/grants/${grant!.id}/download` });
  const step = (action: 'suspend' | 'reinstate', reason: string) => as(app, clerk, { method: 'POST', url: `/catalog/listings/${product.id}/${action}`, payload: { reason } });

  t.equal((await step('suspend', '来源合法性待核实')).statusCode, 200);
  t.match(expectProblem(t, await approve(waiting.id), 403, 'listing-suspended'), { listingId: product.id });
  const pay = () => as(app, buyer.user, { method: 'POST', url: `/orders/${signed.id}/payment`, payload: { rail: 'bank_transfer' } });
  expectProblem(t, await pay(), 403, 'listing-suspended');
  expectProblem(t, await download(), 403, 'listing-suspended');
  t.equal((await grants())[0]!.downloadsUsed, 0, 'a refused download is not counted; the buyer still reads its grants');

  t.equal((await step('reinstate', '来源已核实')).statusCode, 200);
  t.equal((await approve(waiting.id)).statusCode, 200, 'approved once reinstated');
  t.equal((await pay()).statusCode, 200, 'paid once reinstated');
  t.equal((await download()).statusCode, 200, 'downloaded once reinstated');
  t.equal((await grants())[0]!.downloadsUsed, 1);

  await deliverNotifications(app.db);
  const told = (await as(app, provider.user, { method: 'GET', url: '/me/notifications' })).json<{ items: { kind: string; title: { zh: string }; link: string }[] }>();
  t.match(told.items.filter((n) => n.kind.startsWith('listing.')), [
    { kind: 'listing.reinstated', title: { zh: /来源已核实/ }, link: `/catalog/listings/${product.id}` },
    { kind: 'listing.suspended', title: { zh: /来源合法性待核实/ }, link: `/catalog/listings/${product.id}` },
  ]);
});
