import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import type { AuditEventRow } from '../audit/service.js';
import { orders } from '../trading/tables.js';

/**
 * Which audit events tell someone that something waits for them, whom, and in what words. A rule
 * names the event's action, the parties to tell and the title (Chinese first, English second); the
 * notification links to what waits and, where there is one, the instant it is due by. Adding a
 * notification is adding a rule: nothing else changes, and the code that records the event does
 * not know it is read.
 */

type Event = Pick<AuditEventRow, 'action' | 'subjectType' | 'subjectId' | 'payload' | 'partyIds' | 'actorPartyId'>;

/** One notification a rule makes from one event. */
export interface Addressed {
  partyId: string;
  title: { zh: string; en: string };
  link: string;
  dueAt: Date | null;
}

type Order = typeof orders.$inferSelect;
type OrderSide = 'buyer' | 'provider';

/** A rule about an order step: the order is read once for all of them. */
interface OrderRule {
  kind: string;
  to: OrderSide[];
  title: (o: Order) => { zh: string; en: string };
  dueAt?: (o: Order) => Date | null;
}

const orderRules: Record<string, OrderRule> = {
  'order.await_provider': {
    kind: 'order.awaiting_provider',
    to: ['provider'],
    title: (o) => ({ zh: `订单${o.number}等待您确认`, en: `Order ${o.number} awaits your answer` }),
    dueAt: (o) => o.responseDueAt,
  },
  'order.propose_terms': {
    kind: 'order.terms_proposed',
    to: ['buyer'],
    title: (o) => ({ zh: `订单${o.number}的提供方提出了新的条件`, en: `The provider proposed new terms for order ${o.number}` }),
    dueAt: (o) => o.responseDueAt,
  },
  'order.draft_agreement': {
    kind: 'agreement.to_sign',
    to: ['buyer', 'provider'],
    title: (o) => ({ zh: `订单${o.number}的数据交易协议待签署`, en: `The agreement of order ${o.number} awaits your signature` }),
    dueAt: (o) => o.responseDueAt,
  },
  'order.pay': {
    kind: 'order.payment_received',
    to: ['buyer', 'provider'],
    title: (o) => ({ zh: `订单${o.number}的价款已到账并托管`, en: `The payment for order ${o.number} was received and is held in escrow` }),
  },
  'order.confirm_delivery': {
    kind: 'order.delivery_to_accept',
    to: ['buyer'],
    title: (o) => ({ zh: `订单${o.number}已交付，请在验收期内验收或提出异议`, en: `Order ${o.number} was delivered: accept it or dispute it before the window closes` }),
    dueAt: (o) => o.acceptanceDueAt,
  },
  'order.resolve': {
    kind: 'order.dispute_decided',
    to: ['buyer', 'provider'],
    title: (o) => ({ zh: `订单${o.number}的争议已作出决定`, en: `The dispute over order ${o.number} was decided` }),
  },
  'order.expire': {
    kind: 'order.expired',
    to: ['buyer', 'provider'],
    title: (o) => ({ zh: `订单${o.number}已过期`, en: `Order ${o.number} expired` }),
  },
};

type Payload = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** Rules about events that carry their recipients in the payload. */
const payloadRules: Record<string, { kind: string; to: (p: Payload, e: Event) => unknown; title: (p: Payload) => { zh: string; en: string }; link: (e: Event, p: Payload) => string; dueAt?: (p: Payload) => unknown }> = {
  'public_data.request_received': {
    kind: 'public_data.request_to_answer',
    to: (p) => p.departmentPartyId,
    title: (p) => (p.kind === 'sharing' ? { zh: '收到政务数据共享申请，请在5个工作日内答复', en: 'A sharing request awaits your answer within 5 working days' } : { zh: '收到有条件开放申请，请在10个工作日内答复', en: 'A conditional-open request awaits your answer within 10 working days' }),
    link: (e) => `/public-data/requests/${e.subjectId}`,
    // The deadline runs to the end of its last working day in Asia/Shanghai.
    dueAt: (p) => {
      const dueDate = (p.details as Payload | undefined)?.dueDate;
      return typeof dueDate === 'string' ? `${dueDate}T23:59:59.999+08:00` : null;
    },
  },
  'public_data.request_flagged_overdue': {
    kind: 'public_data.request_overdue',
    to: (p) => p.departmentPartyId,
    title: () => ({ zh: '政务数据申请已超过答复期限', en: 'A public-data request passed its deadline unanswered' }),
    link: (e) => `/public-data/requests/${e.subjectId}`,
  },
  'public_data.request_approve': {
    kind: 'public_data.request_approved',
    to: (p) => p.applicantPartyId,
    title: (p) => (p.kind === 'open' ? { zh: '您的有条件开放申请已获同意，请签署政务数据利用协议', en: 'Your conditional-open request was approved: sign the utilization agreement' } : { zh: '您的共享申请已获同意', en: 'Your sharing request was approved' }),
    link: (e) => `/public-data/requests/${e.subjectId}`,
  },
  'public_data.request_refuse': {
    kind: 'public_data.request_refused',
    to: (p) => p.applicantPartyId,
    title: () => ({ zh: '您的政务数据申请未获同意', en: 'Your public-data request was refused' }),
    link: (e) => `/public-data/requests/${e.subjectId}`,
  },
  'public_data.order_issued': {
    kind: 'public_data.order_to_correct',
    to: (p) => p.userPartyId,
    title: () => ({ zh: '您收到责令限期改正通知（第六十四条）', en: 'You are ordered to correct a breach within a time limit (Art. 64)' }),
    link: (e) => `/public-data/orders/${e.subjectId}`,
  },
  'public_data.order_decided': {
    kind: 'public_data.order_decided',
    to: (p) => p.userPartyId,
    title: () => ({ zh: '大数据发展主管部门已作出处理决定', en: 'The bureau recorded its decision on an order to correct' }),
    link: (e) => `/public-data/orders/${e.subjectId}`,
  },
  'public_data.request_due_soon': {
    kind: 'public_data.request_due_soon',
    to: (p) => p.departmentPartyId,
    title: (p) => ({ zh: `政务数据申请将于${text(p.dueDate)}到期，请在截止前答复`, en: `A public-data request is due on ${text(p.dueDate)}: answer before the deadline` }),
    link: (e) => `/public-data/requests/${e.subjectId}`,
    dueAt: (p) => p.dueAt,
  },
  'public_data.usage_report_overdue': {
    kind: 'public_data.usage_report_overdue',
    to: (p) => p.userPartyId,
    title: (p) => ({ zh: `第${String(p.period)}期数据使用情况报告已逾期（第二十条）`, en: `The usage report for period ${String(p.period)} is overdue (Art. 20)` }),
    link: (e) => `/public-data/requests/${e.subjectId}/usage`,
  },
  'procurement.usage_report_overdue': {
    kind: 'procurement.usage_report_overdue',
    to: (p) => p.departmentPartyId,
    title: (p) => ({ zh: `集中采购${text(p.number)}第${String(p.period)}期数据使用情况报告已逾期`, en: `The usage report for period ${String(p.period)} of procurement ${text(p.number)} is overdue` }),
    link: (e) => `/procurement/procurements/${e.subjectId}/usage`,
  },
  'party.verification_expiring': {
    kind: 'party.verification_expiring',
    to: (_p, e) => e.subjectId,
    title: (p) => ({ zh: `主体身份核验将于${text(p.verifiedUntil).slice(0, 10)}到期，请及时重新核验`, en: `Your party’s verification ends on ${text(p.verifiedUntil).slice(0, 10)}: renew it in time` }),
    link: (e) => `/parties/${e.subjectId}`,
    dueAt: (p) => p.verifiedUntil,
  },
  'party.verification_decided': {
    kind: 'party.verification_decided',
    to: (_p, e) => e.subjectId,
    title: (p) =>
      p.to === 'verified'
        ? { zh: '您的主体身份已通过核验', en: 'Your party’s identity was verified' }
        : { zh: '您的主体身份核验需要处理', en: `Your party’s verification needs attention (${text(p.to)})` },
    link: (e) => `/parties/${e.subjectId}`,
  },
  // Art. 28(4): a suspension and its end, with the operator's reason, to the party it concerns.
  'party.suspended': {
    kind: 'party.suspended',
    to: (_p, e) => e.subjectId,
    title: (p) => ({ zh: `交易所已暂停您的主体交易：${text(p.reason)}`, en: `The exchange suspended your party: ${text(p.reason)}` }),
    link: (e) => `/parties/${e.subjectId}`,
  },
  'party.reinstated': {
    kind: 'party.reinstated',
    to: (_p, e) => e.subjectId,
    title: (p) => ({ zh: `交易所已恢复您的主体交易：${text(p.reason)}`, en: `The exchange reinstated your party: ${text(p.reason)}` }),
    link: (e) => `/parties/${e.subjectId}`,
  },
  'listing.suspended': {
    kind: 'listing.suspended',
    to: (_p, e) => listingOwner(e),
    title: (p) => ({ zh: `交易所已暂停您的数据产品：${text(p.reason)}`, en: `The exchange suspended your listing: ${text(p.reason)}` }),
    link: (e) => `/catalog/listings/${e.subjectId}`,
  },
  'listing.reinstated': {
    kind: 'listing.reinstated',
    to: (_p, e) => listingOwner(e),
    title: (p) => ({ zh: `交易所已恢复您的数据产品上架：${text(p.reason)}`, en: `The exchange put your listing back on sale: ${text(p.reason)}` }),
    link: (e) => `/catalog/listings/${e.subjectId}`,
  },
};

/** The party whose listing an operator's decision concerns: the event's party that did not act (catalog/review.ts names it). */
function listingOwner(e: Event): string | undefined {
  return e.partyIds?.find((p) => p !== e.actorPartyId);
}

/** The kinds every rule can make, for the API's filter and documentation. */
export const notificationKinds = [...new Set([...Object.values(orderRules), ...Object.values(payloadRules)].map((r) => r.kind))];

const isUuid = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v);
const instant = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);

/** The notifications `event` makes, with the kind of each; none when no rule names its action. */
export async function notificationsFor(db: Database, event: Event): Promise<(Addressed & { kind: string })[]> {
  const orderRule = orderRules[event.action];
  if (orderRule && event.subjectType === 'order') {
    const [order] = await db.select().from(orders).where(eq(orders.id, event.subjectId));
    if (!order) return [];
    const partyOf = { buyer: order.buyerPartyId, provider: order.providerPartyId };
    return orderRule.to.map((side) => ({ kind: orderRule.kind, partyId: partyOf[side], title: orderRule.title(order), link: `/orders/${order.id}`, dueAt: orderRule.dueAt?.(order) ?? null }));
  }
  const rule = payloadRules[event.action];
  if (!rule) return [];
  const payload = (event.payload ?? {}) as Payload;
  const partyId = rule.to(payload, event);
  if (!isUuid(partyId)) return [];
  return [{ kind: rule.kind, partyId, title: rule.title(payload), link: rule.link(event, payload), dueAt: instant(rule.dueAt?.(payload)) }];
}
