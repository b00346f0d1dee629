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
