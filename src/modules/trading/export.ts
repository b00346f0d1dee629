import { and, asc, eq, gt, gte, lt, or } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { keysetPages, type ExportDataset, type ExportPeriod } from '../../lib/tabular-export.js';
import { partyNames } from '../identity/service.js';
import type { Order } from './state-machine.js';
import { orders } from './tables.js';

type OrderRow = Order & { buyerName: string | null; providerName: string | null };

/** The orders placed in a period, oldest first, with their parties' legal names (as /parties shows operators). */
async function* orderPages(db: Database, { from, to }: ExportPeriod): AsyncGenerator<OrderRow[]> {
  const read = (after: { createdAt: Date; id: string } | undefined, limit: number) =>
    db
      .select()
      .from(orders)
      .where(
        and(
          gte(orders.createdAt, from),
          lt(orders.createdAt, to),
          after ? or(gt(orders.createdAt, after.createdAt), and(eq(orders.createdAt, after.createdAt), gt(orders.id, after.id))) : undefined,
        ),
      )
      .orderBy(asc(orders.createdAt), asc(orders.id))
      .limit(limit);
  for await (const page of keysetPages(read, (o) => ({ createdAt: o.createdAt, id: o.id }))) {
    const names = await partyNames(db, page.flatMap((o) => [o.buyerPartyId, o.providerPartyId]));
    yield page.map((o) => ({ ...o, buyerName: names.get(o.buyerPartyId) ?? null, providerName: names.get(o.providerPartyId) ?? null }));
  }
}

/** Orders for the operators' exports (supervision), by the instant they were placed. */
export const orderExport: ExportDataset<OrderRow> = {
  name: 'orders',
  sheet: '订单 Orders',
  pages: orderPages,
  columns: [
    { header: '订单号 Order number', kind: 'code', value: (o) => o.number },
    { header: '下单时间 Placed at', kind: 'instant', value: (o) => o.createdAt },
    { header: '状态 Status', kind: 'code', value: (o) => o.status },
    { header: '买方 Buyer', kind: 'text', value: (o) => o.buyerName },
    { header: '买方编号 Buyer party ID', kind: 'code', value: (o) => o.buyerPartyId },
    { header: '卖方 Provider', kind: 'text', value: (o) => o.providerName },
    { header: '卖方编号 Provider party ID', kind: 'code', value: (o) => o.providerPartyId },
    { header: '数据产品编号 Listing ID', kind: 'code', value: (o) => o.listingId },
    { header: '价格方案 Price plan', kind: 'text', value: (o) => o.pricePlan.name },
    { header: '数量 Quantity', kind: 'integer', value: (o) => o.quantity },
    { header: '期限开始 Term start', kind: 'date', value: (o) => o.termStart },
    { header: '期限结束 Term end', kind: 'date', value: (o) => o.termEnd },
    { header: '金额（元） Amount (yuan)', kind: 'amount', value: (o) => o.amountMinor },
    { header: '服务费（元） Fee (yuan)', kind: 'amount', value: (o) => o.feeMinor },
    { header: '已退款（元） Refunded (yuan)', kind: 'amount', value: (o) => o.refundedMinor },
    { header: '币种 Currency', kind: 'code', value: (o) => o.currency },
    { header: '用途 Purpose', kind: 'text', value: (o) => o.purpose },
    { header: '应用场景 Scenario', kind: 'text', value: (o) => o.scenario },
    { header: '支付方式 Payment rail', kind: 'code', value: (o) => o.paymentRail },
    { header: '协议编号 Agreement number', kind: 'code', value: (o) => o.agreementNumber },
    { header: '更新时间 Updated at', kind: 'instant', value: (o) => o.updatedAt },
  ],
};
