import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type Stripe from 'stripe';
import { AppError } from '../../lib/errors.js';
import { problemResponses } from '../../lib/http.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../../lib/validation.js';
import { processStripeEvent } from './stripe-events.js';
import { WebhookAck } from './schema.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route is outside the Idempotency-Key replay (its caller has its own, like Stripe's event ids). */
    idempotency?: boolean;
  }
}

/**
 * Stripe's webhooks. The signature covers the exact bytes Stripe sent, so this scope (and only this
 * scope) takes the body as a Buffer; everywhere else bodies are JSON. The SDK's own
 * `constructEvent` verifies it. Every event is answered 200 once verified, including types
 * settlement does not handle and events for payments it does not know, so Stripe stops resending.
 */
const stripeWebhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.settlement.context;
  app.removeAllContentTypeParsers();
  // Stripe sends JSON; the bytes are kept as they came (the signature covers them). Other media
  // types are answered 415, an empty or absurdly nested body 400, before anything else is looked at.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    const text = (body as Buffer).toString('utf8');
    if (text.trim().length === 0) return done(new AppError('bad-request', { en: 'the body is empty; a Stripe event is expected', zh: '请求正文为空，应为 Stripe 事件' }), undefined);
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return done(new AppError('bad-request', { en: `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`, zh: `JSON 正文嵌套超过 ${MAX_JSON_DEPTH} 层` }), undefined);
    done(null, body);
  });

  app.post('/settlement/stripe/webhooks', {
    config: {
      auth: 'public',
      access: 'none',
      idempotency: false,
      upload: { mediaTypes: ['application/json'], description: 'A Stripe event, byte for byte as Stripe sent it, signed in the Stripe-Signature header' },
    },
    schema: {
      tags: ['settlement'],
      summary: "Stripe's events (payments, connected accounts, refunds), verified by their signature",
      headers: Type.Object({ 'stripe-signature': Type.Optional(Type.String({ maxLength: 4000, pattern: '^[A-Za-z0-9=,_ ]*$' })) }),
      response: { 200: WebhookAck, ...problemResponses(400, 409) },
    },
  }, async (request) => {
    const body = request.body;
    if (!Buffer.isBuffer(body)) throw new AppError('bad-request', { en: 'a Stripe event is expected', zh: '应为 Stripe 事件' });
    const stripe = ctx.stripe;
    const secret = ctx.config.stripe?.webhookSecret;
    if (!stripe || !secret) throw new AppError('rail-unavailable', { en: 'this exchange does not use Stripe', zh: '本交易所不使用 Stripe' });
    const signature = request.headers['stripe-signature'];
    if (typeof signature !== 'string') throw new AppError('webhook-signature-invalid', { en: 'the Stripe-Signature header is missing', zh: '缺少 Stripe-Signature 请求头' });
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(body, signature, secret);
    } catch {
      throw new AppError('webhook-signature-invalid');
    }
    const { outcome, subjects } = await processStripeEvent(ctx, app.db, event);
    request.log.info({ eventId: event.id, type: event.type, outcome }, 'Stripe event');
    // Effects the event unblocked (held payouts sent) are carried out now; the worker would anyway.
    for (const orderId of subjects) await app.settlement.runEffects(app.db, orderId);
    return { received: true as const, outcome };
  });
};

export default stripeWebhookRoutes;
