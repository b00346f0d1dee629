import { useI18n, type I18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';

/** One item of an overview list as the API gives it: the fields differ from list to list. */
export type OverviewItem = Record<string, unknown>;

interface Described {
  /** The console's page for the item, where there is one. */
  to?: string;
  label: string;
  /** Since when, or until when, it waits. */
  when?: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const short = (id: unknown) => str(id).slice(0, 8);

/** What an item of a list is, where the console works on it, and since or until when. */
function describe(list: string, item: OverviewItem, i18n: I18n): Described {
  const { t, money, dateTime, date } = i18n;
  switch (list) {
    case 'trading.responsesOverdue':
    case 'trading.acceptancesOverdue':
      return { to: `/orders/${str(item.id)}`, label: str(item.number), when: t('overviewItem.due', { at: dateTime(str(item.dueAt) || null) }) };
    case 'trading.disputesOpen':
      return { to: `/orders/${str(item.id)}`, label: str(item.number), when: t('overviewItem.since', { at: dateTime(str(item.since)) }) };
    case 'settlement.payoutsOverdue':
      return { to: '/settlement', label: money(Number(item.amountMinor), str(item.currency)), when: t('overviewItem.since', { at: dateTime(str(item.since)) }) };
    case 'review.listingsAwaitingReview':
      return { to: `/review/listings/${str(item.listingId)}`, label: t('overviewItem.listing', { id: short(item.listingId) }), when: t('overviewItem.since', { at: dateTime(str(item.submittedAt) || null) }) };
    case 'review.publicDataEntriesAwaitingReview':
      return { label: t('overviewItem.entry', { id: short(item.entryId) }), when: t('overviewItem.since', { at: dateTime(str(item.submittedAt) || null) }) };
    case 'parties.awaitingVerification':
    case 'parties.verificationExpiring':
    case 'parties.suspended':
      return {
        to: `/review/parties/${str(item.id)}`,
        label: str(item.legalName),
        when: item.suspendedAt ? t('overviewItem.since', { at: dateTime(str(item.suspendedAt)) }) : item.since ? t('overviewItem.since', { at: dateTime(str(item.since)) }) : t('overviewItem.until', { at: dateTime(str(item.verifiedUntil) || null) }),
      };
    case 'listings.suspended':
      return { to: `/review/listings/${str(item.id)}`, label: t('overviewItem.listing', { id: short(item.id) }), when: t('overviewItem.since', { at: dateTime(str(item.since)) }) };
    case 'publicData.requestsOverdue':
      return { label: t('overviewItem.request', { id: short(item.id) }), when: t('overviewItem.due', { at: dateTime(str(item.dueAt)) }) };
    case 'publicData.usageReportsOverdue':
      return { label: t('overviewItem.usageReport', { id: short(item.requestId), period: str(item.period) }), when: t('overviewItem.due', { at: date(str(item.dueDate)) }) };
    case 'publicData.outcomesUncited':
      return { label: str(item.title) || t('overviewItem.request', { id: short(item.requestId) }) };
    case 'publicData.ordersToCorrectOpen':
      return { label: t('overviewItem.request', { id: short(item.requestId) }), when: t('overviewItem.due', { at: date(str(item.correctBy)) }) };
    case 'outbox.failing':
      return { label: `${str(item.operation)} · ${t('overviewItem.attempts', { n: Number(item.attempts) })}`, when: str(item.lastError) };
    default:
      return { label: str(item.id) };
  }
}

/** The oldest items of a list (at most five here), each linked to where the console works on it. */
export function OverviewItems({ list, items }: { list: string; items: OverviewItem[] }) {
  const i18n = useI18n();
  if (items.length === 0) return null;
  return (
    <ul class="plain">
      {items.slice(0, 5).map((item, n) => {
        const d = describe(list, item, i18n);
        return (
          <li key={str(item.id) || String(n)}>
            {d.to ? <Link to={d.to}>{d.label}</Link> : d.label}
            {d.when && <span class="meta"> · {d.when}</span>}
          </li>
        );
      })}
    </ul>
  );
}
