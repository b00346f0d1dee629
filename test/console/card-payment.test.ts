import t from 'tap';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { listedProduct } from '../helpers/catalog.js';
import { checkAccessibility, consoleBundle, noBrowser, openConsole, screenshot } from '../helpers/console.js';
import { orderAwaitingPayment, signInThroughPage } from '../helpers/console-trade.js';
import { settlementSettings } from '../helpers/settlement.js';
import { startStripeStandIn, stripeSettings } from '../helpers/stripe-stand-in.js';
import { verifiedUser } from '../helpers/trading.js';

/**
 * Paying by card through the pages, against the Stripe stand-in: the API opens a PaymentIntent and
 * answers its client secret, which the page shows with the amount and the state, saying honestly
 * that the card is entered where Stripe.js can load (the console's Content-Security-Policy keeps it
 * out); the same PaymentIntent is shown again after a reload; when Stripe's webhook says the
 * payment succeeded, the order is paid.
 */

t.test('a buyer chooses to pay by card and sees the PaymentIntent’s amount, state and client secret', { skip: noBrowser }, async (t) => {
  const standIn = await startStripeStandIn(t);
  const stripe = stripeSettings(standIn);
  const app = await buildTestApp(t, { settlement: settlementSettings(stripe) }, { consoleDir: await consoleBundle() });
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const buyer = await verifiedUser(app, ['buyer'], clerk);
  const product = await listedProduct(app, provider.user, clerk);
  const order = await orderAwaitingPayment(app, buyer.user, provider.user, product.id);

  const { page, open, pageErrors } = await openConsole(t, app);
  await signInThroughPage({ page, open }, buyer.user);
  await open(`/orders/${order.id}`);
  await page.getByText('当前： 待付款').waitFor();
  await page.getByRole('button', { name: '以银行卡付款（Stripe）' }).click();

  const details = page.getByRole('status').filter({ hasText: '客户端密钥（client secret）' });
  await details.waitFor();
  const intent = standIn.created('payment_intent').find((p) => (p.metadata as Record<string, string>).orderId === order.id)!;
  t.ok(intent, 'the API opened a PaymentIntent at Stripe');
  t.equal(await details.locator('code').textContent(), intent.client_secret, 'the page shows its client secret');
  t.match(await details.textContent(), /¥5,000\.00/, 'the amount in yuan');
  t.match(await details.textContent(), /待买方确认/, 'and its state');
  t.match(await details.textContent(), /无法在此页面录入银行卡/, 'saying why the card is not entered here');
  await checkAccessibility(t, page, 'card payment');
  await screenshot(page, 'card-payment', 'client-secret');

  // After a reload the order says it is paid by card, and shows the same PaymentIntent again.
  await page.reload();
  await page.getByText(/^已选择银行卡付款：¥5,000\.00，待到账。$/).waitFor();
  t.equal(await page.getByRole('button', { name: '以银行转账付款' }).count(), 0, 'the rail is chosen');
  await page.getByRole('button', { name: '查看银行卡付款信息' }).click();
  await details.waitFor();
  t.equal(await details.locator('code').textContent(), intent.client_secret, 'the same PaymentIntent, not a second one');
  t.equal(standIn.created('payment_intent').length, 1, 'Stripe holds one PaymentIntent for the order');

  // Stripe says the payment succeeded: the order is paid and its delivery opens.
  const hook = standIn.webhook(stripe.webhookSecret, 'payment_intent.succeeded', standIn.succeed(intent.id));
  t.equal((await app.inject({ method: 'POST', url: '/settlement/stripe/webhooks', headers: hook.headers, payload: hook.payload })).statusCode, 200, 'the webhook arrives');
  await page.reload();
  await page.getByRole('button', { name: '下载 data.csv' }).waitFor();
  t.equal((await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}` })).json<{ status: string }>().status, 'delivering', 'paid: the delivery is open');
  t.same(pageErrors, [], 'no script error and no refusal by the Content-Security-Policy');
});
