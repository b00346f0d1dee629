import type { Database } from '../../lib/database.js';
import type { Viewer } from '../../lib/viewer.js';

/**
 * Where trading meets settlement and agreements. The order is the hub: it asks settlement to
 * collect, release and refund, and asks agreements to draft its trade agreement; settlement and
 * agreements tell the order what happened through the event interfaces, inside the transaction
 * that records it, so the order's state and the money or signature never disagree.
 *
 * Every call is idempotent per order (a retried request, a replayed webhook, two processes racing
 * a timer): a second call with the same order changes nothing and answers as the first did.
 */

export type PaymentRail = 'stripe' | 'bank_transfer';

/** What settlement needs to know of an order to collect, hold and pay out its price. */
export interface PayableOrder {
  id: string;
  /** `ORD-2026-000123`: on payment instructions, bank references, Stripe metadata. */
  number: string;
  buyerPartyId: string;
  providerPartyId: string;
  /** The price the buyer pays, in minor units of `currency`. */
  amountMinor: number;
  currency: string;
  /** The exchange's fee, fixed on the order when it was placed; the provider receives the rest. */
  feeMinor: number;
}

/**
 * How the buyer pays: a Stripe PaymentIntent's client secret (null while the PaymentIntent is still
 * being created by the outbox worker), or a bank transfer with a unique reference.
 */
export type PaymentInstructions =
  | { rail: 'stripe'; paymentId: string; status: 'creating' | 'ready'; clientSecret: string | null; amountMinor: number; currency: string }
  | { rail: 'bank_transfer'; paymentId: string; reference: string; amountMinor: number; currency: string; payee: { name: string; bank: string; account: string } };

/** What the order's transaction record shows of its money: JSON for the API, no secrets. */
export interface SettlementSummary {
  payments: { id: string; rail: PaymentRail; status: string; amountMinor: number; receivedMinor: number; currency: string; reference: string | null; createdAt: string }[];
  payouts: { id: string; rail: PaymentRail; status: string; amountMinor: number; feeMinor: number; currency: string; createdAt: string }[];
  refunds: { id: string; rail: PaymentRail; status: string; amountMinor: number; currency: string; reason: string; createdAt: string }[];
  /** Ledger balances of the order's accounts, derived from postings (escrow held, paid out, refunded, fee). */
  balances: Record<string, number>;
}

export interface SettlementPort {
  /** Which rails this exchange offers (no Stripe key: bank transfer alone). */
  rails(): readonly PaymentRail[];
  /**
   * The order awaits payment (`payment_pending`, its agreement signed) and the buyer chose a rail
   * (`POST /orders/{id}/payment`): open the buyer's payment of the order's amount, to be held in
   * escrow by the exchange. Called in the transaction that records the buyer's choice; external
   * calls (a Stripe PaymentIntent) go to the outbox in that transaction. Called again when the
   * buyer asks again (or picks the other rail).
   */
  openPayment(tx: Database, order: PayableOrder, rail: PaymentRail): Promise<{ paymentId: string }>;
  /**
   * After that transaction committed: carry out the payment's pending external effects now (the
   * outbox worker would a moment later; both are safe together) and answer how the buyer pays.
   */
  paymentInstructions(db: Database, orderId: string): Promise<PaymentInstructions | null>;
  /** The order's money for its transaction record. */
  summary(db: Database, orderId: string): Promise<SettlementSummary>;
  /** The delivery is accepted: pay the provider what is held, less the fee. */
  releaseToProvider(tx: Database, orderId: string): Promise<void>;
  /**
   * A dispute decided for the buyer, wholly or in part: refund `refundMinor` (at most what was
   * paid) and release the rest, less the fee on that rest, to the provider.
   */
  refund(tx: Database, orderId: string, refundMinor: number, reason: string): Promise<void>;
}

/** What settlement tells trading. Implemented by trading; each call moves the order once. */
export interface OrderPaymentEvents {
  /** The whole price is held in escrow. */
  paid(tx: Database, orderId: string, at: Date): Promise<void>;
  /** The provider's share has left the exchange (a Stripe transfer, a recorded bank payout). */
  paidOut(tx: Database, orderId: string, at: Date): Promise<void>;
  /** A refund ordered by `refund` has reached the buyer. */
  refunded(tx: Database, orderId: string, amountMinor: number, at: Date): Promise<void>;
}

/** What the trade agreement states, from the order and the listing revision it was ordered from. */
export interface AgreementOrder {
  id: string;
  number: string;
  providerPartyId: string;
  buyerPartyId: string;
  listingId: string;
  revisionId: string;
  listingTitle: { zh?: string | undefined; en?: string | undefined };
  /** The dataset version the revision declared: exactly these bytes are delivered. */
  dataset: { versionId: string; sha256: string; sizeBytes: number; mediaType: string } | null;
  pricePlan: { name: string; kind: 'one_off' | 'subscription'; period?: string | undefined };
  amountMinor: number;
  currency: string;
  feeMinor: number;
  purpose: string;
  scenario: string;
  safeguards: string;
  term: { start: string; end: string };
  onwardTransfer: 'forbidden' | 'with_provider_consent' | 'allowed';
  territory: string;
}

/** What the order's transaction record shows of its agreement. */
export interface AgreementSummary {
  id: string;
  number: string;
  status: string;
  modelText: { kind: string; version: number; sha256: string };
  /** SHA-256 of the unsealed PDF the parties signed, and of the sealed PDF once sealed. */
  contentSha256: string;
  sealedSha256: string | null;
  /** Who signed for the party (userId) only that party and staff see: null for anyone else. */
  signatures: { partyId: string; role: string; partyName: string; userId: string | null; signedAt: string; auditEventId: string }[];
}

/** The central procurement an order buys for (Art. 27 ¶3): its number and the departments it serves. */
export interface OrderProcurement {
  number: string;
  beneficiaryPartyIds: string[];
}

export interface AgreementsPort {
  /** Drafts the data trade agreement of an order; the parties then sign it through the agreements API. */
  draftTradeAgreement(tx: Database, order: AgreementOrder): Promise<{ agreementId: string; number: string }>;
  /**
   * Art. 27 ¶3: for an order the bureau placed as buyer of record, the central procurement
   * agreement instead, naming every beneficiary department; bureau and provider sign it as they
   * sign a trade agreement, and its seal tells trading (`signed`) the same way. Idempotent per order.
   */
  draftProcurementOrderAgreement(tx: Database, order: AgreementOrder, procurement: OrderProcurement): Promise<{ agreementId: string; number: string }>;
  /** The agreement for the order's transaction record, as `viewer` may see it; null when none was drafted. */
  summary(db: Database, agreementId: string, viewer: Viewer): Promise<AgreementSummary | null>;
}

/** What agreements tell trading. Implemented by trading. */
export interface OrderAgreementEvents {
  /** Both parties have signed and the exchange has sealed the agreement. */
  signed(tx: Database, orderId: string, agreementId: string, at: Date): Promise<void>;
}

/**
 * What trading tells the procurement module about an order placed for a central procurement, in
 * the transaction that moves the order. Implemented by procurement.
 */
export interface ProcurementOrderEvents {
  /** The bureau (or the sweep, when the window closed) accepted the delivery. */
  deliveryAccepted(tx: Database, procurementId: string, orderId: string, at: Date): Promise<void>;
  /** The order ended before it was paid: rejected, declined, cancelled, or expired unanswered or unsigned. */
  orderEnded(tx: Database, procurementId: string, orderId: string, status: string, at: Date): Promise<void>;
}
