import { api, ok } from '../../api/client';
import { Page } from '../../components/page';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { usePagedLoad } from '../../lib/use-paged-load';

/** The operator's queue: listing revisions waiting for compliance review, oldest first (GET /catalog/review-queue). */
export function ListingQueuePage() {
  const { t, text, dateTime, money } = useI18n();
  const queue = usePagedLoad((query) => ok(api.GET('/catalog/review-queue', { params: { query } })), []);
  return (
    <Page title={t('listingQueue.title')}>
      <LoadedTable
        loaded={queue}
        empty={t('listingQueue.empty')}
        caption={(count) => t('listingQueue.caption', { count })}
        rowKey={(l) => l.revisionId}
        columns={[
          { header: t('listing.title'), cell: (l) => <Link to={`/review/listings/${l.id}`}>{text(l.title)}</Link> },
          { header: t('listing.category'), cell: (l) => l.category },
          { header: t('listing.grade'), cell: (l) => t(`grade.${l.grade}`) },
          { header: t('listing.governmentDerived'), cell: (l) => (l.governmentDerived ? t('common.yes') : t('common.no')) },
          { header: t('listing.fromPrice'), cell: (l) => money(l.minPrice.amountMinor, l.minPrice.currency) },
          { header: t('listing.updatedAt'), cell: (l) => dateTime(l.updatedAt) },
        ]}
      />
    </Page>
  );
}
