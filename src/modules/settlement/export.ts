import { and, asc, eq, gt, gte, lt, or } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { keysetPages, type ExportColumn, type ExportDataset, type ExportPeriod } from '../../lib/tabular-export.js';
import { partyNames } from '../identity/service.js';
import { payments, payouts, refunds } from './tables.js';

type Table = typeof payments | typeof payouts | typeof refunds;
type Named<T> = T & { names: Map<string, string> };

/** A table's rows created in the period, oldest first, with the legal names of the parties they name. */
function createdInPeriod<T extends Table>(table: T, partiesOf: (row: T['$inferSelect']) => string[]) {
  return async function* pages(db: Database, { from, to }: ExportPeriod): AsyncGenerator<Named<T['$inferSelect']>[]> {
    const read = (after: { createdAt: Date; id: string } | undefined, limit: number) =>
      db
        .select()
        .from(table as Table)
        .where(
          and(
            gte(table.createdAt, from),
            lt(table.createdAt, to),
            after ? or(gt(table.createdAt, after.createdAt), and(eq(table.createdAt, after.createdAt), gt(table.id, after.id))) : undefined,
          ),
        )
        .orderBy(asc(table.createdAt), asc(table.id))
        .limit(limit) as Promise<T['$inferSelect'][]>;
    for await (const page of keysetPages(read, (r) => ({ createdAt: r.createdAt, id: r.id }))) {
      const names = await partyNames(db, page.flatMap(partiesOf));
      yield page.map((r) => ({ ...r, names }));
    }
  };
}

const nameOf = (names: Map<string, string>, id: string) => names.get(id) ?? null;

type PaymentRow = Named<typeof payments.$inferSelect>;
type PayoutRow = Named<typeof payouts.$inferSelect>;
type RefundRow = Named<typeof refunds.$inferSelect>;

const createdAt = <R extends { createdAt: Date }>(header: string): ExportColumn<R> => ({ header, kind: 'instant', value: (r) => r.createdAt });

/** Buyers' payments into escrow (Art. 28(4)), by the instant the payment was opened. */
export const paymentExport: ExportDataset<PaymentRow> = {
  name: 'payments',
  sheet: '付款 Payments',
  pages: createdInPeriod(payments, (p) => [p.buyerPartyId, p.providerPartyId]),
  columns: [
    { header: '付款编号 Payment ID', kind: 'code', value: (p) => p.id },
    createdAt('创建时间 Created at'),
    { header: '订单号 Order number', kind: 'code', value: (p) => p.orderNumber },
    { header: '状态 Status', kind: 'code', value: (p) => p.status },
    { header: '买方 Buyer', kind: 'text', value: (p) => nameOf(p.names, p.buyerPartyId) },
    { header: '买方编号 Buyer party ID', kind: 'code', value: (p) => p.buyerPartyId },
    { header: '卖方 Provider', kind: 'text', value: (p) => nameOf(p.names, p.providerPartyId) },
    { header: '卖方编号 Provider party ID', kind: 'code', value: (p) => p.providerPartyId },
    { header: '支付方式 Rail', kind: 'code', value: (p) => p.rail },
    { header: '金额（元） Amount (yuan)', kind: 'amount', value: (p) => p.amountMinor },
    { header: '服务费（元） Fee (yuan)', kind: 'amount', value: (p) => p.feeMinor },
    { header: '已收（元） Received (yuan)', kind: 'amount', value: (p) => p.receivedMinor },
    { header: '币种 Currency', kind: 'code', value: (p) => p.currency },
    { header: '汇款附言 Bank reference', kind: 'code', value: (p) => p.reference },
    { header: '更新时间 Updated at', kind: 'instant', value: (p) => p.updatedAt },
  ],
};

/** Providers' shares paid out of escrow, by the instant the payout was made due. */
export const payoutExport: ExportDataset<PayoutRow> = {
  name: 'payouts',
  sheet: '结算给卖方 Payouts',
  pages: createdInPeriod(payouts, (p) => [p.providerPartyId]),
  columns: [
    { header: '结算编号 Payout ID', kind: 'code', value: (p) => p.id },
    createdAt('创建时间 Created at'),
    { header: '订单编号 Order ID', kind: 'code', value: (p) => p.orderId },
    { header: '付款编号 Payment ID', kind: 'code', value: (p) => p.paymentId },
    { header: '状态 Status', kind: 'code', value: (p) => p.status },
    { header: '卖方 Provider', kind: 'text', value: (p) => nameOf(p.names, p.providerPartyId) },
    { header: '卖方编号 Provider party ID', kind: 'code', value: (p) => p.providerPartyId },
    { header: '支付方式 Rail', kind: 'code', value: (p) => p.rail },
    { header: '金额（元） Amount (yuan)', kind: 'amount', value: (p) => p.amountMinor },
    { header: '服务费（元） Fee (yuan)', kind: 'amount', value: (p) => p.feeMinor },
    { header: '抵扣（元） Netted (yuan)', kind: 'amount', value: (p) => p.nettedMinor },
    { header: '币种 Currency', kind: 'code', value: (p) => p.currency },
    { header: '银行流水号 Bank reference', kind: 'code', value: (p) => p.bankReference },
    { header: 'Stripe 转账 Stripe transfer', kind: 'code', value: (p) => p.stripeTransferId },
    { header: '支付时间 Paid at', kind: 'instant', value: (p) => p.paidAt },
  ],
};

/** Money going back to buyers, by the instant the refund was decided. */
export const refundExport: ExportDataset<RefundRow> = {
  name: 'refunds',
  sheet: '退款 Refunds',
  pages: createdInPeriod(refunds, () => []),
  columns: [
    { header: '退款编号 Refund ID', kind: 'code', value: (r) => r.id },
    createdAt('创建时间 Created at'),
    { header: '订单编号 Order ID', kind: 'code', value: (r) => r.orderId },
    { header: '付款编号 Payment ID', kind: 'code', value: (r) => r.paymentId },
    { header: '类型 Kind', kind: 'code', value: (r) => r.kind },
    { header: '状态 Status', kind: 'code', value: (r) => r.status },
    { header: '支付方式 Rail', kind: 'code', value: (r) => r.rail },
    { header: '金额（元） Amount (yuan)', kind: 'amount', value: (r) => r.amountMinor },
    { header: '币种 Currency', kind: 'code', value: (r) => r.currency },
    { header: '原因 Reason', kind: 'text', value: (r) => r.reason },
    { header: '银行流水号 Bank reference', kind: 'code', value: (r) => r.bankReference },
    { header: 'Stripe 退款 Stripe refund', kind: 'code', value: (r) => r.stripeRefundId },
    { header: '退款时间 Refunded at', kind: 'instant', value: (r) => r.refundedAt },
  ],
};
