import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../src/modules/settlement/stripe-rail.js';

/**
 * A local stand-in for the part of Stripe's API settlement uses, for the real `stripe` SDK to talk
 * to (STRIPE_API_BASE). It answers with the shapes of Stripe's API reference, reads form-encoded
 * bodies with bracketed keys, replays a request sent again with the same `Idempotency-Key` (the
 * same object, `Idempotent-Replayed: true`; other parameters with a used key are an
 * `idempotency_error`), answers typed error bodies, and records every request so tests can assert
 * what was sent. `failNext` makes the next request fail as one that never executed does (a dropped
 * connection, a rate limit): Stripe saves nothing for those, so a retry with the key executes.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  /** The `Stripe-Version` header: the API version the client asked to speak. */
  stripeVersion: string | undefined;
  body: Record<string, unknown>;
  replayed: boolean;
}

type StripeObject = Record<string, unknown> & { id: string };
type Failure = { kind: 'connection' } | { kind: 'error'; status: number; type: string; message: string; code?: string };

/** `metadata[orderId]=x&capabilities[transfers][requested]=true` as nested objects. */
export function parseForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        if (Array.isArray(node)) (node as unknown[]).push(value);
        else node[segment] = value;
      } else {
        const nextIsArray = path[i + 1] === '' || /^\d+$/.test(path[i + 1]!);
        node[segment] ??= nextIsArray ? [] : {};
        node = node[segment] as Record<string, unknown>;
      }
    });
  }
  return root;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);
const int = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN);

class StripeError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | undefined;
  readonly param: string | undefined;
  constructor(status: number, type: string, message: string, code?: string, param?: string) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }
}

const oneOf = (value: unknown, allowed: readonly string[], param: string) => {
  if (value !== undefined && !allowed.includes(value as string)) throw new StripeError(400, 'invalid_request_error', `Invalid ${param}: must be one of ${allowed.join(', ')}`, 'parameter_invalid_string', param);
};

/**
 * `type` (legacy) or `controller` (what Stripe documents for platforms now) as the Accounts API
 * takes them: the controller's values and the combinations its reference rules out, and the account
 * that results. Stripe presents the two as alternatives (controller properties instead of a type);
 * the stand-in refuses both together, so a client that slips back to `type` is caught.
 */
function accountConfiguration(body: Record<string, unknown>): Record<string, unknown> {
  const controller = body.controller as Record<string, Record<string, unknown> | string | undefined> | undefined;
  if (controller === undefined) {
    oneOf(body.type, ['standard', 'express', 'custom'], 'type');
    if (body.type === undefined) throw new StripeError(400, 'invalid_request_error', 'You must specify either `type` or `controller`.', 'parameter_missing', 'type');
    return { type: body.type };
  }
  if (body.type !== undefined) throw new StripeError(400, 'invalid_request_error', 'Specify the account with `controller` properties or with the legacy `type`, not both.', 'parameter_unknown', 'type');
  const fees = controller.fees as Record<string, unknown> | undefined;
  const losses = controller.losses as Record<string, unknown> | undefined;
  const dashboard = controller.stripe_dashboard as Record<string, unknown> | undefined;
  oneOf(fees?.payer, ['account', 'application'], 'controller[fees][payer]');
  oneOf(losses?.payments, ['application', 'stripe'], 'controller[losses][payments]');
  oneOf(controller.requirement_collection, ['application', 'stripe'], 'controller[requirement_collection]');
  oneOf(dashboard?.type, ['express', 'full', 'none'], 'controller[stripe_dashboard][type]');
  const resolved = {
    type: 'application',
    is_controller: true,
    fees: { payer: fees?.payer ?? 'account' },
    losses: { payments: losses?.payments ?? 'stripe' },
    requirement_collection: controller.requirement_collection ?? 'stripe',
    stripe_dashboard: { type: dashboard?.type ?? 'full' },
  };
  if (resolved.losses.payments === 'application' && resolved.fees.payer !== 'application') {
    throw new StripeError(400, 'invalid_request_error', 'controller[losses][payments]=application requires controller[fees][payer]=application.', 'parameter_invalid_string', 'controller[fees][payer]');
  }
  if (resolved.stripe_dashboard.type === 'none' && body.capabilities === undefined) {
    throw new StripeError(400, 'invalid_request_error', 'capabilities are required when controller[stripe_dashboard][type] is none.', 'parameter_missing', 'capabilities');
  }
  return { type: 'none', controller: resolved };
}

export class StripeStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly objects = new Map<string, StripeObject>();
  /** Called when a request has executed and before it is answered (the crash test kills a process there). */
  beforeAnswer: ((request: RecordedRequest) => Promise<void> | void) | undefined;
  private readonly saved = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  private failures: Failure[] = [];
  private server = createServer((req, res) => void this.handle(req, res));
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get apiBase(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next request fails like a dropped connection, or with a typed error that Stripe does not save. */
  failNext(failure: Failure = { kind: 'connection' }): void {
    this.failures.push(failure);
  }

  /** Requests to one endpoint, e.g. `POST /v1/transfers`. */
  sent(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  /** Objects of one kind created so far (replays create none). */
  created(object: string): StripeObject[] {
    return [...this.objects.values()].filter((o) => o.object === object);
  }

  /** The buyer paid: the PaymentIntent succeeds with a charge, as `payment_intent.succeeded` carries it. */
  succeed(paymentIntentId: string): StripeObject {
    const intent = this.objects.get(paymentIntentId);
    if (!intent) throw new Error(`no PaymentIntent ${paymentIntentId}`);
    const charge: StripeObject = { id: id('ch'), object: 'charge', amount: intent.amount, currency: intent.currency, payment_intent: intent.id, amount_refunded: 0, transfer_group: intent.transfer_group, created: now() };
    this.objects.set(charge.id, charge);
    Object.assign(intent, { status: 'succeeded', amount_received: intent.amount, latest_charge: charge.id });
    return { ...intent };
  }

  /**
   * The buyer's bank disputes a charge: Stripe opens a dispute and takes the disputed amount and its
   * dispute fee from the platform's balance at once (a balance transaction on the dispute, as
   * `charge.dispute.created` and `charge.dispute.funds_withdrawn` carry it).
   */
  openDispute(chargeId: string, options: { amount?: number; fee?: number; reason?: string } = {}): StripeObject {
    const charge = this.objects.get(chargeId);
    if (charge?.object !== 'charge') throw new Error(`no charge ${chargeId}`);
    const amount = options.amount ?? (charge.amount as number);
    const disputeId = id('dp');
    const withdrawal = this.balanceTransaction(disputeId, -amount, options.fee ?? 1500, charge.currency as string, 'dispute');
    Object.assign(charge, { disputed: true });
    return { ...this.store({ id: disputeId, object: 'dispute', amount, currency: charge.currency, charge: charge.id, payment_intent: charge.payment_intent, reason: options.reason ?? 'product_not_received', status: 'needs_response', balance_transactions: [withdrawal], is_charge_refundable: false, livemode: false, metadata: {}, created: now() }) };
  }

  /** The card network decides: lost keeps the money taken; won gives back the amount and the fee (`dispute_reversal`). */
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): StripeObject {
    const dispute = this.objects.get(disputeId);
    if (dispute?.object !== 'dispute') throw new Error(`no dispute ${disputeId}`);
    const taken = (dispute.balance_transactions as { amount: number; fee: number }[])[0]!;
    const moves = outcome === 'won' ? [...(dispute.balance_transactions as unknown[]), this.balanceTransaction(disputeId, -taken.amount, -taken.fee, dispute.currency as string, 'dispute_reversal')] : dispute.balance_transactions;
    Object.assign(dispute, { status: outcome, balance_transactions: moves });
    return { ...dispute };
  }

  private balanceTransaction(source: string, amount: number, fee: number, currency: string, category: 'dispute' | 'dispute_reversal') {
    return this.store({ id: id('txn'), object: 'balance_transaction', amount, fee, net: amount - fee, currency, type: 'adjustment', reporting_category: category, source, status: 'available', created: now(), fee_details: fee === 0 ? [] : [{ amount: fee, currency, type: 'stripe_fee', description: 'Dispute fee' }] });
  }

  /** A webhook as Stripe sends it: the event's JSON and its Stripe-Signature header. */
  webhook(secret: string, type: string, object: Record<string, unknown>, options: { id?: string; created?: number } = {}) {
    const event = { id: options.id ?? id('evt'), object: 'event', api_version: STRIPE_API_VERSION, created: options.created ?? now(), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } };
    const payload = JSON.stringify(event);
    const signature = new Stripe('sk_test_stand_in').webhooks.generateTestHeaderString({ payload, secret });
    return { event, payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let text = '';
    for await (const chunk of req) text += chunk;
    const path = (req.url ?? '/').split('?')[0]!;
    const body = parseForm(req.method === 'GET' ? (req.url ?? '').split('?')[1] ?? '' : text);
    const key = req.headers['idempotency-key'] as string | undefined;
    const record: RecordedRequest = { method: req.method ?? 'GET', path, idempotencyKey: key, stripeVersion: req.headers['stripe-version'] as string | undefined, body, replayed: false };
    this.requests.push(record);
    const failure = this.failures.shift();
    if (failure?.kind === 'connection') return void req.socket.destroy();
    if (failure) return this.answer(res, failure.status, { error: { type: failure.type, message: failure.message, code: failure.code } });
    const fingerprint = `${record.method} ${path} ${JSON.stringify(body)}`;
    const savedKey = key && record.method === 'POST' ? `${key}` : undefined;
    const previous = savedKey ? this.saved.get(savedKey) : undefined;
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        return this.answer(res, 400, { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.` } });
      }
      record.replayed = true;
      return this.answer(res, previous.status, previous.body, true);
    }
    let status = 200;
    let answer: unknown;
    try {
      answer = this.execute(record.method, path, body);
    } catch (err) {
      if (!(err instanceof StripeError)) throw err;
      status = err.status;
      answer = { error: { type: err.type, message: err.message, code: err.code, param: err.param } };
    }
    if (savedKey) this.saved.set(savedKey, { fingerprint, status, body: answer });
    await this.beforeAnswer?.(record);
    this.answer(res, status, answer);
  }

  private answer(res: ServerResponse, status: number, body: unknown, replayed = false) {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
    res.end(JSON.stringify(body));
  }

  private store(object: StripeObject): StripeObject {
    this.objects.set(object.id, object);
    return { ...object };
  }

  private find(objectId: string | undefined, kind: string): StripeObject {
    const found = objectId ? this.objects.get(objectId) : undefined;
    if (!found || found.object !== kind) throw new StripeError(404, 'invalid_request_error', `No such ${kind}: '${objectId}'`, 'resource_missing', 'id');
    return found;
  }

  private execute(method: string, path: string, body: Record<string, unknown>): unknown {
    const amount = int(body.amount);
    const parts = path.split('/').filter(Boolean);
    const requireAmount = () => {
      if (!Number.isSafeInteger(amount) || amount < 1) throw new StripeError(400, 'invalid_request_error', 'Invalid positive integer', 'parameter_invalid_integer', 'amount');
    };
    const route = `${method} /${parts.slice(0, 2).join('/')}${parts[2] ? '/:id' : ''}${parts[3] ? `/${parts[3]}` : ''}`;
    switch (route) {
      case 'POST /v1/payment_intents': {
        requireAmount();
        const intentId = id('pi');
        return this.store({ id: intentId, object: 'payment_intent', amount, amount_received: 0, currency: body.currency, status: 'requires_payment_method', client_secret: `${intentId}_secret_${randomBytes(8).toString('hex')}`, description: body.description ?? null, metadata: body.metadata ?? {}, transfer_group: body.transfer_group ?? null, latest_charge: null, created: now(), livemode: false });
      }
      case 'GET /v1/payment_intents/:id':
        return { ...this.find(parts[2], 'payment_intent') };
      case 'POST /v1/transfers': {
        requireAmount();
        const charge = this.find(body.source_transaction as string, 'charge');
        const drawn = this.created('transfer').filter((t) => t.source_transaction === charge.id).reduce((s, t) => s + (t.amount as number), 0);
        if (amount + drawn > (charge.amount as number)) throw new StripeError(400, 'invalid_request_error', 'Insufficient funds in the source transaction', 'balance_insufficient', 'amount');
        if (typeof body.destination !== 'string' || !body.destination.startsWith('acct_')) throw new StripeError(400, 'invalid_request_error', 'No such destination', 'resource_missing', 'destination');
        return this.store({ id: id('tr'), object: 'transfer', amount, amount_reversed: 0, currency: body.currency, destination: body.destination, source_transaction: charge.id, transfer_group: body.transfer_group ?? null, metadata: body.metadata ?? {}, reversed: false, created: now(), livemode: false });
      }
      case 'POST /v1/transfers/:id/reversals': {
        requireAmount();
        const transfer = this.find(parts[2], 'transfer');
        if (amount > (transfer.amount as number) - (transfer.amount_reversed as number)) throw new StripeError(400, 'invalid_request_error', 'Reversal amount exceeds the transfer', 'amount_too_large', 'amount');
        transfer.amount_reversed = (transfer.amount_reversed as number) + amount;
        transfer.reversed = transfer.amount_reversed === transfer.amount;
        return this.store({ id: id('trr'), object: 'transfer_reversal', amount, currency: transfer.currency, transfer: transfer.id, metadata: body.metadata ?? {}, created: now() });
      }
      case 'POST /v1/refunds': {
        requireAmount();
        const intent = this.find(body.payment_intent as string, 'payment_intent');
        const charge = this.find(intent.latest_charge as string, 'charge');
        if (amount > (charge.amount as number) - (charge.amount_refunded as number)) throw new StripeError(400, 'invalid_request_error', `Refund amount (${amount}) is greater than unrefunded amount on charge`, 'amount_too_large', 'amount');
        charge.amount_refunded = (charge.amount_refunded as number) + amount;
        return this.store({ id: id('re'), object: 'refund', amount, currency: intent.currency, payment_intent: intent.id, charge: charge.id, reason: body.reason ?? null, status: 'succeeded', metadata: body.metadata ?? {}, created: now() });
      }
      case 'GET /v1/disputes': {
        const created = (body.created ?? {}) as Record<string, string>;
        const inRange = (t: number) => (created.gte === undefined || t >= Number(created.gte)) && (created.lt === undefined || t < Number(created.lt));
        const data = this.created('dispute').filter((d) => inRange(d.created as number)).sort((a, b) => (b.created as number) - (a.created as number));
        return { object: 'list', url: '/v1/disputes', has_more: false, data: data.map((d) => ({ ...d })) };
      }
      case 'GET /v1/disputes/:id':
        return { ...this.find(parts[2], 'dispute') };
      case 'POST /v1/accounts':
        return this.store({ id: id('acct'), object: 'account', ...accountConfiguration(body), charges_enabled: false, payouts_enabled: false, details_submitted: false, capabilities: {}, metadata: body.metadata ?? {}, created: now() });
      case 'POST /v1/account_links':
        this.find(body.account as string, 'account');
        return { object: 'account_link', url: `https://connect.stripe.com/setup/e/${body.account as string}/${randomBytes(6).toString('hex')}`, created: now(), expires_at: now() + 300 };
      default:
        throw new StripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
    }
  }
}

/** A started stand-in, stopped when the test ends. */
export async function startStripeStandIn(t: { teardown(fn: () => Promise<void>): void }): Promise<StripeStandIn> {
  const standIn = await new StripeStandIn().start();
  t.teardown(() => standIn.stop());
  return standIn;
}

/** Settlement's Stripe settings pointing at the stand-in. */
export const stripeSettings = (standIn: StripeStandIn, webhookSecret = `whsec_${randomBytes(16).toString('hex')}`) => ({
  secretKey: 'sk_test_settlement',
  webhookSecret,
  apiBase: new URL(standIn.apiBase),
  connectReturnUrl: 'http://127.0.0.1/return',
});
