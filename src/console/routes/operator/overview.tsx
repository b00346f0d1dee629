import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { WhenLoaded } from '../../components/loaded';
import { Page } from '../../components/page';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useLoad } from '../../lib/use-load';
import { OverviewItems, type OverviewItem } from './overview-items';

type Overview = paths['/supervision/overview']['get']['responses']['200']['content']['application/json'];
type Status = keyof Overview['orders']['byStatus'];

/** Every list of the overview, as `group.list`; the catalogue has a name for each (the typecheck says so). */
const lists = [
  'trading.responsesOverdue',
  'trading.acceptancesOverdue',
  'trading.disputesOpen',
  'settlement.payoutsOverdue',
  'review.listingsAwaitingReview',
  'review.publicDataEntriesAwaitingReview',
  'parties.awaitingVerification',
  'parties.verificationExpiring',
  'parties.suspended',
  'listings.suspended',
  'publicData.requestsOverdue',
  'publicData.usageReportsOverdue',
  'publicData.outcomesUncited',
  'publicData.ordersToCorrectOpen',
  'outbox.failing',
] as const;
type ListKey = (typeof lists)[number];
/** Where the console works on a list's items. */
const workedOn: Partial<Record<ListKey, string>> = { 'review.listingsAwaitingReview': '/review/listings', 'parties.awaitingVerification': '/review/parties', 'settlement.payoutsOverdue': '/settlement' };

/**
 * The operators' overview (GET /supervision/overview, Art. 28(4)): what waits on someone and what
 * went wrong, each list with its count and its oldest orders; the orders by status as a chart of
 * meters, which screen readers read as numbers.
 */
export function OverviewPage() {
  const { t, dateTime } = useI18n();
  const overview = useLoad(() => ok(api.GET('/supervision/overview')), []);
  return (
    <Page title={t('overview.title')}>
      <WhenLoaded loaded={overview}>
        {(o) => {
          const byStatus = Object.entries(o.orders.byStatus) as [Status, number][];
          const most = Math.max(1, ...byStatus.map(([, n]) => n));
          const rows = lists.map((key) => {
            const [group, name] = key.split('.') as [keyof Overview, string];
            return { key, list: (o[group] as Record<string, { count: number; items: OverviewItem[] }>)[name]! };
          });
          return (
            <>
              <p class="meta">{t('overview.at', { at: dateTime(o.at) })}</p>
              <Table
                caption={t('overview.lists')}
                rows={rows}
                rowKey={(r) => r.key}
                columns={[
                  { header: t('overview.list'), cell: (r) => (workedOn[r.key] ? <Link to={workedOn[r.key]!}>{t(`overview.${r.key}`)}</Link> : t(`overview.${r.key}`)) },
                  { header: t('overview.count'), cell: (r) => <strong>{r.list.count}</strong> },
                  {
                    header: t('overview.oldest'),
                    cell: (r) => <OverviewItems list={r.key} items={r.list.items} />,
                  },
                ]}
              />
              <h2 id="orders-by-status">{t('overview.ordersByStatus')}</h2>
              <dl class="chart" aria-labelledby="orders-by-status">
                {byStatus.map(([status, n]) => (
                  <div key={status}>
                    <dt>{t(`orderStatus.${status}`)}</dt>
                    <dd>
                      <meter min={0} max={most} value={n} aria-label={t(`orderStatus.${status}`)} /> {n}
                    </dd>
                  </div>
                ))}
              </dl>
            </>
          );
        }}
      </WhenLoaded>
    </Page>
  );
}
