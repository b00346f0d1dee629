import type Stripe from 'stripe';
import type { SettlementConfig } from '../../config.js';
import type { OrderPaymentEvents } from '../trading/ports.js';
import type { AuditActor } from '../audit/events.js';

export interface SettlementLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What settlement works with: its settings, trading's events, the Stripe client when that rail runs. */
export interface SettlementContext {
  config: SettlementConfig;
  events: OrderPaymentEvents;
  stripe: Stripe | null;
  log: SettlementLog;
}

/** What every settlement step records in the audit log (Art. 28(3), 28(4)). */
export interface SettlementAuditPayload {
  orderId: string;
  orderNumber: string;
  rail: string;
  amountMinor: number;
  currency: string;
  feeMinor?: number;
  /** Withheld from a payout against what the provider owed (negative: a credit added). */
  nettedMinor?: number;
  reference?: string | null;
  bankReference?: string | null;
  stripeId?: string | null;
  reason?: string;
  status?: string;
}

declare module '../audit/events.js' {
  interface AuditPayloads {
    'settlement.payment_opened': SettlementAuditPayload;
    'settlement.funds_received': SettlementAuditPayload;
    'settlement.payment_held': SettlementAuditPayload;
    'settlement.released': SettlementAuditPayload;
    'settlement.payout_paid': SettlementAuditPayload;
    'settlement.refund_ordered': SettlementAuditPayload;
    'settlement.refunded': SettlementAuditPayload;
    'settlement.connected_account_linked': { partyId: string; stripeAccountId: string };
    'settlement.repayment_received': { partyId: string; amountMinor: number; currency: string; bankReference: string; stillOwedMinor: number };
    'settlement.chargeback': SettlementAuditPayload & { stripeDisputeId: string; borneBy: 'exchange' | 'provider'; direction: 'withdrawn' | 'reinstated'; disputeFeeMinor: number };
  }
}

export type { AuditActor };
