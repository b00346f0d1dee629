import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { SettlementConfig } from '../../config.js';
import type { Database } from '../../lib/database.js';
import type { EffectHandler, OutboxRow } from '../../lib/outbox.js';
import { systemActor } from '../audit/events.js';
import type { SettlementContext } from './context.js';
import { movePayment, type Payment } from './payment-state.js';
import { confirmPayout } from './payouts.js';
import { confirmRefund } from './refunds.js';
import { isStripeError, stripeSdk } from './stripe-sdk.js';
import { connectedAccounts, payments, payouts, refunds } from './tables.js';

/**
 * The Stripe rail, as Stripe documents marketplaces with separate charges and transfers: the buyer
 * pays the exchange (a PaymentIntent with the order in `metadata` and `transfer_group`), the
 * provider is paid later by a Transfer drawn on that charge (`source_transaction`), refunds go
 * through the Refund API after reversing the transfer when the provider was already paid. Every
 * call carries the outbox row's idempotency key: order and step.
 */

/**
 * The Stripe API version the exchange speaks, pinned so that an SDK upgrade cannot change it
 * silently. It is the version the installed SDK (stripe 23.1) declares as its latest, so the SDK's
 * types describe exactly these requests and answers; the SDK types `apiVersion` as that one version,
 * so an upgrade that moves it fails the typecheck here until the version is moved on purpose, after
 * reading Stripe's changelog. Webhook endpoints should be created with the same version.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

/** The real SDK, pointed at STRIPE_API_BASE when set (stripe-mock, a stand-in) instead of api.stripe.com. */
export function createStripeClient(config: NonNullable<SettlementConfig['stripe']>): Stripe {
  const base = config.apiBase;
  const protocol = base?.protocol === 'http:' ? 'http' : 'https';
  const StripeSdk = stripeSdk();
  return new StripeSdk(config.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    // The outbox retries with the same idempotency key; the SDK does not retry on its own.
    maxNetworkRetries: 0,
    timeout: 20_000,
    ...(base ? { host: base.hostname, port: Number(base.port || (protocol === 'http' ? 80 : 443)), protocol } : {}),
  });
}

/** Network failures, Stripe's own 5xx, rate limits and idempotency conflicts in flight are tried again. */
export function isRetryableStripeError(err: unknown): boolean {
  if (!isStripeError(err)) return true;
  const { errors } = stripeSdk();
  if (err instanceof errors.StripeConnectionError || err instanceof errors.StripeAPIError || err instanceof errors.StripeRateLimitError) return true;
  if (err instanceof errors.StripeIdempotencyError) return false;
  return (err.statusCode ?? 500) >= 500 || err.statusCode === 409;
}

const idOf = (value: string | { id: string } | null | undefined) => (value === null || value === undefined ? null : typeof value === 'string' ? value : value.id);

async function one<T>(rows: Promise<T[]>, what: string): Promise<T> {
  const [row] = await rows;
  if (!row) throw new Error(`${what} vanished`);
  return row;
}

const payload = <T>(row: OutboxRow) => row.payload as T;

export function stripeEffectHandlers(ctx: SettlementContext): Record<string, EffectHandler> {
  const stripe = () => {
    if (!ctx.stripe) throw new Error('Stripe is not configured; the Stripe outbox waits');
    return ctx.stripe;
  };
  const paymentById = (tx: Database, id: string) => one(tx.select().from(payments).where(eq(payments.id, id)).for('update'), 'payment');
  const retryable = isRetryableStripeError;
  return {
    'stripe.create_payment_intent': {
      retryable,
      async perform(tx, row) {
        const payment = await paymentById(tx, payload<{ paymentId: string }>(row).paymentId);
        const intent = await stripe().paymentIntents.create(
          {
            amount: payment.amountMinor,
            currency: payment.currency.toLowerCase(),
            description: `Order ${payment.orderNumber}`,
            metadata: { orderId: payment.orderId, orderNumber: payment.orderNumber, paymentId: payment.id },
            transfer_group: payment.orderNumber,
          },
          { idempotencyKey: row.idempotencyKey },
        );
        return { id: intent.id, clientSecret: intent.client_secret, status: intent.status };
      },
      async record(tx, row, result) {
        const payment = await paymentById(tx, payload<{ paymentId: string }>(row).paymentId);
        const change: Partial<Payment> = { stripePaymentIntentId: result.id as string, stripeClientSecret: (result.clientSecret as string | null) ?? null };
        // A webhook may have beaten the answer here (the payment is already held): the ids still count.
        if (payment.status === 'creating') await movePayment(tx, payment, 'ready', change);
        else await tx.update(payments).set(change).where(eq(payments.id, payment.id));
      },
    },
    'stripe.create_transfer': {
      retryable,
      async perform(tx, row) {
        const payout = await one(tx.select().from(payouts).where(eq(payouts.id, payload<{ payoutId: string }>(row).payoutId)), 'payout');
        const payment = await paymentById(tx, payout.paymentId);
        const account = await one(tx.select().from(connectedAccounts).where(eq(connectedAccounts.partyId, payout.providerPartyId)), 'connected account');
        const transfer = await stripe().transfers.create(
          {
            amount: payout.amountMinor,
            currency: payout.currency.toLowerCase(),
            destination: account.stripeAccountId,
            // Drawn on this order's charge only, never on the exchange's other balance.
            source_transaction: payment.stripeChargeId!,
            transfer_group: payment.orderNumber,
            metadata: { orderId: payout.orderId, orderNumber: payment.orderNumber, payoutId: payout.id },
          },
          { idempotencyKey: row.idempotencyKey },
        );
        return { id: transfer.id, created: transfer.created };
      },
      async record(tx, row, result) {
        const payout = await one(tx.select().from(payouts).where(eq(payouts.id, payload<{ payoutId: string }>(row).payoutId)).for('update'), 'payout');
        await confirmPayout(ctx, tx, systemActor(), payout, { at: new Date((result.created as number) * 1000), stripeTransferId: result.id as string });
      },
    },
    'stripe.create_refund': {
      retryable,
      async perform(tx, row) {
        const { refundId, reverseTransferId, reverseAmountMinor } = payload<{ refundId: string; reverseTransferId?: string; reverseAmountMinor?: number }>(row);
        const refund = await one(tx.select().from(refunds).where(eq(refunds.id, refundId)), 'refund');
        const payment = await paymentById(tx, refund.paymentId);
        let reversalId: string | null = null;
        if (reverseTransferId && reverseAmountMinor) {
          const reversal = await stripe().transfers.createReversal(
            reverseTransferId,
            { amount: reverseAmountMinor, metadata: { orderId: refund.orderId, refundId } },
            { idempotencyKey: `${row.idempotencyKey}:transfer-reversal` },
          );
          reversalId = reversal.id;
        }
        const created = await stripe().refunds.create(
          { payment_intent: payment.stripePaymentIntentId!, amount: refund.amountMinor, reason: 'requested_by_customer', metadata: { orderId: refund.orderId, refundId } },
          { idempotencyKey: row.idempotencyKey },
        );
        return { id: created.id, status: created.status, created: created.created, reversalId };
      },
      async record(tx, row, result) {
        const refund = await one(tx.select().from(refunds).where(eq(refunds.id, payload<{ refundId: string }>(row).refundId)).for('update'), 'refund');
        if (result.status === 'succeeded') {
          await confirmRefund(ctx, tx, systemActor(), refund, { at: new Date((result.created as number) * 1000), stripeRefundId: result.id as string });
        } else {
          // Pending at Stripe: `refund.updated` tells when it is done.
          await tx.update(refunds).set({ stripeRefundId: result.id as string, updatedAt: new Date() }).where(eq(refunds.id, refund.id));
        }
      },
    },
  };
}

export { idOf };
