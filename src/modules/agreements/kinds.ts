import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { systemActor, type AuditActor } from '../audit/events.js';
import { partyNames } from '../identity/service.js';
import type { AgreementOrder, OrderProcurement } from '../trading/ports.js';
import { invalidInput, type AgreementsContext } from './context.js';
import type { AgreementRow } from './document.js';
import { draftAgreement } from './drafting.js';
import { agreements, type DataListItem } from './tables.js';

/** An amount in minor units as the agreement prints it: `12,345.00 CNY`. */
export function moneyText(amountMinor: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const major = (amountMinor / 10 ** digits).toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${major} ${currency}`;
}

const onwardTransferText = {
  forbidden: '不得向任何第三方提供（forbidden）',
  with_provider_consent: '经甲方书面同意后方可提供（only with Party A’s written consent）',
  allowed: '允许（allowed）',
} as const;

/**
 * A term day from the order: a bare date (`2026-12-01`) is a whole day in Asia/Shanghai, so the
 * term starts at its first moment and ends after its last; a full timestamp is taken as it is.
 */
const parseTermDate = (value: string, edge: 'start' | 'end', path: string) => {
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(bare ? `${value}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}+08:00` : value);
  if (Number.isNaN(date.getTime())) throw invalidInput(path, { en: 'not a date', zh: '不是日期' });
  return date;
};

/**
 * The data trade agreement of an order (AgreementsPort.draftTradeAgreement), in trading's
 * transaction. Idempotent per order: a second call answers the agreement already drafted.
 */
export async function draftTradeAgreement(tx: Database, ctx: AgreementsContext, order: AgreementOrder): Promise<AgreementRow> {
  const [existing] = await tx.select().from(agreements).where(eq(agreements.orderId, order.id));
  if (existing) return existing;
  const title = titleOf(order);
  const dataList = dataListOf(order);
  return draftAgreement(tx, ctx, systemActor(), {
    kind: 'trade',
    orderId: order.id,
    sourceReference: order.number,
    parties: [
      { partyId: order.providerPartyId, role: 'provider', label: { zh: '甲方（数据提供方）', en: 'Party A (provider)' } },
      { partyId: order.buyerPartyId, role: 'buyer', label: { zh: '乙方（数据需求方）', en: 'Party B (buyer)' } },
    ],
    recipientPartyId: order.buyerPartyId,
    values: {
      'order.number': order.number,
      'product.title': [order.listingTitle.zh, order.listingTitle.en].filter(Boolean).join(' / ') || title,
      pricePlan: `${order.pricePlan.name}（${order.pricePlan.kind === 'one_off' ? '一次性 one-off' : `订阅 subscription${order.pricePlan.period ? `, ${order.pricePlan.period}` : ''}`}）`,
      price: moneyText(order.amountMinor, order.currency),
      fee: moneyText(order.feeMinor, order.currency),
      purpose: order.purpose,
      scenario: order.scenario,
      safeguards: order.safeguards,
      onwardTransfer: onwardTransferText[order.onwardTransfer],
      territory: order.territory,
    },
    dataList,
    term: { start: parseTermDate(order.term.start, 'start', '/term/start'), end: parseTermDate(order.term.end, 'end', '/term/end') },
  });
}

const titleOf = (order: AgreementOrder) => order.listingTitle.zh ?? order.listingTitle.en ?? order.listingId;

/** The data an order delivers, as the agreement lists them: the declared dataset version and its hash. */
const dataListOf = (order: AgreementOrder): DataListItem[] =>
  order.dataset
    ? [{ name: titleOf(order), description: `数据集版本 Dataset version ${order.dataset.versionId}, ${order.dataset.sizeBytes} bytes`, format: order.dataset.mediaType, sha256: order.dataset.sha256 }]
    : [];

/**
 * Art. 27 ¶3: the central procurement agreement of an order the bureau placed as buyer of record
 * (AgreementsPort.draftProcurementOrderAgreement), naming every beneficiary department by its
 * registered name. Tied to the order like a trade agreement, so its seal moves the order. Idempotent per order.
 */
export async function draftProcurementOrderAgreement(tx: Database, ctx: AgreementsContext, order: AgreementOrder, procurement: OrderProcurement): Promise<AgreementRow> {
  const [existing] = await tx.select().from(agreements).where(eq(agreements.orderId, order.id));
  if (existing) return existing;
  const names = await partyNames(tx, procurement.beneficiaryPartyIds);
  return draftProcurementAgreement(tx, ctx, systemActor(), {
    orderId: order.id,
    bureauPartyId: order.buyerPartyId,
    providerPartyId: order.providerPartyId,
    procurementReference: procurement.number,
    beneficiaries: procurement.beneficiaryPartyIds.map((id) => names.get(id) ?? id),
    productTitle: [order.listingTitle.zh, order.listingTitle.en].filter(Boolean).join(' / ') || titleOf(order),
    amountMinor: order.amountMinor,
    currency: order.currency,
    dataList: dataListOf(order),
    purpose: order.purpose,
    scenario: order.scenario,
    safeguards: order.safeguards,
    term: { start: parseTermDate(order.term.start, 'start', '/term/start'), end: parseTermDate(order.term.end, 'end', '/term/end') },
  });
}

/** What the public-data module gives when a conditional-open request is approved (Art. 18-19). */
export interface UtilizationAgreementInput {
  departmentPartyId: string;
  userPartyId: string;
  /** The approved conditional-open request. */
  requestReference: string;
  /** The big-data bureau at the department's level, to whom the agreement is copied (Art. 19 ¶1). */
  bureauName: string;
  dataList: DataListItem[];
  purpose: string;
  scenario: string;
  safeguards: string;
  /** How the data are disposed of when the agreement ends. */
  disposal: string;
  /** Art. 20 ¶1: a usage report every so many months, due so many days after each period. */
  reportSchedule: { everyMonths: number; daysAfterPeriod: number };
  term: { start: Date; end: Date };
  specialTerms?: string | undefined;
}

/** Art. 19: the government data utilization agreement between department and user, copied to the bureau once signed. */
export function draftUtilizationAgreement(tx: Database, ctx: AgreementsContext, actor: AuditActor, input: UtilizationAgreementInput): Promise<AgreementRow> {
  if (input.dataList.length === 0) throw invalidInput('/dataList', { en: 'the agreement lists the data to be used (Art. 19 ¶2)', zh: '协议须列明拟使用的数据（第十九条第二款）' });
  return draftAgreement(tx, ctx, actor, {
    kind: 'utilization',
    sourceReference: input.requestReference,
    parties: [
      { partyId: input.departmentPartyId, role: 'department', label: { zh: '甲方（政务部门）', en: 'Party A (department)' } },
      { partyId: input.userPartyId, role: 'user', label: { zh: '乙方（数据利用主体）', en: 'Party B (user)' } },
    ],
    recipientPartyId: input.userPartyId,
    values: {
      'request.reference': input.requestReference,
      'bureau.name': input.bureauName,
      purpose: input.purpose,
      scenario: input.scenario,
      safeguards: input.safeguards,
      disposal: input.disposal,
      'report.everyMonths': String(input.reportSchedule.everyMonths),
      'report.daysAfterPeriod': String(input.reportSchedule.daysAfterPeriod),
    },
    dataList: input.dataList,
    term: input.term,
    specialTerms: input.specialTerms,
  });
}

/** What the procurement module gives for a central purchase (Art. 27 ¶3). */
export interface ProcurementAgreementInput {
  /** The order the bureau placed for it, when it was bought on the exchange: its seal then moves the order. */
  orderId?: string | undefined;
  bureauPartyId: string;
  providerPartyId: string;
  procurementReference: string;
  /** Every department the purchase serves; the agreement names each. */
  beneficiaries: string[];
  productTitle: string;
  amountMinor: number;
  currency: string;
  dataList: DataListItem[];
  purpose: string;
  scenario: string;
  safeguards: string;
  term: { start: Date; end: Date };
  specialTerms?: string | undefined;
}

/** Art. 27 ¶3: the bureau buys centrally for departments; the agreement names every beneficiary. */
export function draftProcurementAgreement(tx: Database, ctx: AgreementsContext, actor: AuditActor, input: ProcurementAgreementInput): Promise<AgreementRow> {
  const beneficiaries = [...new Set(input.beneficiaries.map((b) => b.trim()).filter(Boolean))];
  if (beneficiaries.length === 0) throw invalidInput('/beneficiaries', { en: 'name every department the purchase serves (Art. 27 ¶3)', zh: '请列明该采购服务的每个部门（第二十七条第三款）' });
  return draftAgreement(tx, ctx, actor, {
    kind: 'procurement',
    orderId: input.orderId,
    sourceReference: input.procurementReference,
    parties: [
      { partyId: input.bureauPartyId, role: 'bureau', label: { zh: '甲方（采购方）', en: 'Party A (purchaser)' } },
      { partyId: input.providerPartyId, role: 'provider', label: { zh: '乙方（数据提供方）', en: 'Party B (provider)' } },
    ],
    recipientPartyId: input.bureauPartyId,
    values: {
      beneficiaries: beneficiaries.join('、'),
      'product.title': input.productTitle,
      price: moneyText(input.amountMinor, input.currency),
      purpose: input.purpose,
      scenario: input.scenario,
      safeguards: input.safeguards,
    },
    dataList: input.dataList,
    term: input.term,
    specialTerms: input.specialTerms,
  });
}
