import type { FastifyInstance } from 'fastify';
import { as, type TestUser } from './app.js';
import type { ConsoleSession } from './console.js';
import { contentHash, signAs } from './agreements.js';
import { placeOrder, sampleOrder } from './trading.js';

/**
 * An order of a listed product with its agreement signed by both sides through the API, with the
 * real agreements and settlement modules: it waits for the buyer's payment (`payment_pending`).
 * The buyer and provider act for their parties (`x-party-id` in their auth).
 */
export async function orderAwaitingPayment(app: FastifyInstance, buyer: TestUser, provider: TestUser, listingId: string) {
  const order = await placeOrder(app, buyer, sampleOrder(listingId));
  const hash = await contentHash(app, buyer, order.agreement!.id);
  for (const signer of [buyer, provider]) {
    const signed = await signAs(app, signer, order.agreement!.id, hash);
    if (signed.statusCode !== 201) throw new Error(`signing answered ${signed.statusCode}: ${signed.body}`);
  }
  return order;
}

/** The buyer chooses the bank transfer: the reference its transfer quotes. */
export async function bankReference(app: FastifyInstance, buyer: TestUser, orderId: string): Promise<string> {
  const res = await as(app, buyer, { method: 'POST', url: `/orders/${orderId}/payment`, payload: { rail: 'bank_transfer' } });
  if (res.statusCode !== 200) throw new Error(`payment answered ${res.statusCode}: ${res.body}`);
  return res.json<{ reference: string }>().reference;
}

/** Signs the user in through the sign-in page, as a person would, and waits for the first page. */
export async function signInThroughPage(session: Pick<ConsoleSession, 'page' | 'open'>, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  await session.open('/sign-in');
  await session.page.getByLabel('电子邮箱').fill(user.email);
  await session.page.getByLabel('密码').fill(user.password);
  await session.page.getByRole('button', { name: '登录' }).click();
  await session.page.getByRole('heading', { level: 1, name: '通知' }).waitFor();
}

/**
 * An order paid by bank transfer (the credit recorded under `creditReference`), its data downloaded
 * and accepted by the buyer: the payment is released and the provider's payout due. With its payment's id.
 */
export async function acceptedBankOrder(app: FastifyInstance, clerk: TestUser, buyer: TestUser, provider: TestUser, listingId: string, creditReference: string) {
  const order = await orderAwaitingPayment(app, buyer, provider, listingId);
  const reference = await bankReference(app, buyer, order.id);
  const credit = await as(app, clerk, { method: 'POST', url: '/settlement/bank-receipts', payload: { reference, amountMinor: order.amountMinor, currency: 'CNY', bankReference: creditReference } });
  if (credit.statusCode !== 201) throw new Error(`bank receipt answered ${credit.statusCode}: ${credit.body}`);
  const grants = (await as(app, buyer, { method: 'GET', url: `/orders/${order.id}/grants` })).json<{ id: string }[]>();
  await as(app, buyer, { method: 'GET', url: `/grants/${grants[0]!.id}/download` });
  const accepted = await as(app, buyer, { method: 'POST', url: `/orders/${order.id}/acceptance` });
  if (accepted.statusCode !== 200) throw new Error(`acceptance answered ${accepted.statusCode}: ${accepted.body}`);
  const paymentId = (await as(app, clerk, { method: 'GET', url: `/orders/${order.id}` })).json<{ payment: { paymentId: string } }>().payment.paymentId;
  return { order, paymentId };
}
