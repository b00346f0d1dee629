import { api, ok } from '../../api/client';
import { Loading, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useLoad } from '../../lib/use-load';

/** The operator's queue: listing revisions waiting for compliance review, oldest first (GET /catalog/review-queue). */
export function ListingQueuePage() {
  const { t, text, dateTime, money } = useI18n();
  const queue = useLoad(() => ok(api.GET('/catalog/review-queue', { params: { query: { limit: 200 } } })), []);
  return (
    <Page title={t('listingQueue.title')}>
      <ProblemAlert error={queue.error} />
      {queue.loading && !queue.data ? (
        <Loading label={t('common.loading')} />
      ) : queue.data && queue.data.items.length === 0 ? (
        <p>{t('listingQueue.empty')}</p>
      ) : (
        queue.data && (
          <table>
            <caption>{t('listingQueue.caption', { count: queue.data.items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('listing.title')}</th>
                <th scope="col">{t('listing.category')}</th>
                <th scope="col">{t('listing.grade')}</th>
                <th scope="col">{t('listing.governmentDerived')}</th>
                <th scope="col">{t('listing.fromPrice')}</th>
                <th scope="col">{t('listing.updatedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {queue.data.items.map((l) => (
                <tr key={l.revisionId}>
                  <th scope="row">
                    <Link to={`/review/listings/${l.id}`}>{text(l.title)}</Link>
                  </th>
                  <td>{l.category}</td>
                  <td>{t(`grade.${l.grade}`)}</td>
                  <td>{l.governmentDerived ? t('common.yes') : t('common.no')}</td>
                  <td>{money(l.minPrice.amountMinor, l.minPrice.currency)}</td>
                  <td>{dateTime(l.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
    </Page>
  );
}
