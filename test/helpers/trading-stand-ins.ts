import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/lib/database.js';
import type {
  AgreementOrder,
  AgreementsPort,
  AgreementSummary,
  PayableOrder,
  PaymentInstructions,
  PaymentRail,
  SettlementPort,
  SettlementSummary,
} from '../../src/modules/trading/ports.js';

/**
 * Stand-ins for settlement and agreements until those modules land: they keep what trading asked
 * of them, in memory, and answer as the ports promise. Tests drive `paid`, `signed` and the rest
 * through trading's own event implementation (createOrderEvents).
 */
export class SettlementStandIn implements SettlementPort {
  readonly calls: { call: 'openPayment' | 'releaseToProvider' | 'refund'; orderId: string; rail?: PaymentRail; refundMinor?: number; reason?: string }[] = [];
  private readonly payments = new Map<string, { id: string; rail: PaymentRail; order: PayableOrder; createdAt: string }>();

  private readonly offered: readonly PaymentRail[];
  /** How long `paymentInstructions` takes, as a call to Stripe would: lets tests overlap requests. */
  instructionsDelayMs: number;

  constructor(offered: readonly PaymentRail[] = ['stripe', 'bank_transfer'], instructionsDelayMs = 0) {
    this.offered = offered;
    this.instructionsDelayMs = instructionsDelayMs;
  }

  rails(): readonly PaymentRail[] {
    return this.offered;
  }

  async openPayment(_tx: Database, order: PayableOrder, rail: PaymentRail): Promise<{ paymentId: string }> {
    this.calls.push({ call: 'openPayment', orderId: order.id, rail });
    const known = this.payments.get(order.id);
    if (known && known.rail === rail) return { paymentId: known.id };
    const payment = { id: randomUUID(), rail, order, createdAt: new Date().toISOString() };
    this.payments.set(order.id, payment);
    return { paymentId: payment.id };
  }

  async paymentInstructions(_db: Database, orderId: string): Promise<PaymentInstructions | null> {
    if (this.instructionsDelayMs) await new Promise((resolve) => setTimeout(resolve, this.instructionsDelayMs));
    const p = this.payments.get(orderId);
    if (!p) return null;
    if (p.rail === 'stripe') return { rail: 'stripe', paymentId: p.id, status: 'ready', clientSecret: `pi_${p.id}_secret`, amountMinor: p.order.amountMinor, currency: p.order.currency };
    return {
      rail: 'bank_transfer',
      paymentId: p.id,
      reference: p.order.number,
      amountMinor: p.order.amountMinor,
      currency: p.order.currency,
      payee: { name: 'Exchange escrow account', bank: 'Bank of Chongqing', account: '6217 0000 0000 0000' },
    };
  }

  async summary(_db: Database, orderId: string): Promise<SettlementSummary> {
    const p = this.payments.get(orderId);
    const of = (call: string) => this.calls.filter((c) => c.orderId === orderId && c.call === call);
    return {
      payments: p ? [{ id: p.id, rail: p.rail, status: 'open', amountMinor: p.order.amountMinor, receivedMinor: 0, currency: p.order.currency, reference: p.order.number, createdAt: p.createdAt }] : [],
      payouts: of('releaseToProvider').map(() => ({ id: randomUUID(), rail: p?.rail ?? 'bank_transfer', status: 'pending', amountMinor: (p?.order.amountMinor ?? 0) - (p?.order.feeMinor ?? 0), feeMinor: p?.order.feeMinor ?? 0, currency: p?.order.currency ?? 'CNY', createdAt: new Date().toISOString() })),
      refunds: of('refund').map((c) => ({ id: randomUUID(), rail: p?.rail ?? 'bank_transfer', status: 'pending', amountMinor: c.refundMinor ?? 0, currency: p?.order.currency ?? 'CNY', reason: c.reason ?? '', createdAt: new Date().toISOString() })),
      balances: {},
    };
  }

  async releaseToProvider(_tx: Database, orderId: string): Promise<void> {
    this.calls.push({ call: 'releaseToProvider', orderId });
  }

  async refund(_tx: Database, orderId: string, refundMinor: number, reason: string): Promise<void> {
    this.calls.push({ call: 'refund', orderId, refundMinor, reason });
  }
}

export class AgreementsStandIn implements AgreementsPort {
  readonly drafts = new Map<string, { order: AgreementOrder; agreementId: string; number: string }>();
  private counter = 0;

  async draftTradeAgreement(_tx: Database, order: AgreementOrder): Promise<{ agreementId: string; number: string }> {
    const known = [...this.drafts.values()].find((d) => d.order.id === order.id);
    if (known) return known;
    const draft = { order, agreementId: randomUUID(), number: `DTA-${new Date().getUTCFullYear()}-${String(++this.counter).padStart(6, '0')}` };
    this.drafts.set(draft.agreementId, draft);
    return draft;
  }

  async draftProcurementOrderAgreement(tx: Database, order: AgreementOrder): Promise<{ agreementId: string; number: string }> {
    return this.draftTradeAgreement(tx, order);
  }

  async summary(_db: Database, agreementId: string): Promise<AgreementSummary | null> {
    const draft = this.drafts.get(agreementId);
    if (!draft) return null;
    return { id: agreementId, number: draft.number, status: 'drafted', modelText: { kind: 'data_trade', version: 1, sha256: '0'.repeat(64) }, contentSha256: '1'.repeat(64), sealedSha256: null, signatures: [] };
  }
}
