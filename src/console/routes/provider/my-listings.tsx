import { api, ok } from '../../api/client';
import { Page } from '../../components/page';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';
import { ListingContentForm, type ListingContent } from './listing-form';
import { useIdempotencyKeys } from '../../lib/idempotency';

/** The acting party's data products in every state (GET /catalog/listings), each opened to work on. */
export function MyListingsPage() {
  const { t, text, money, dateTime } = useI18n();
  const { state } = useSession();
  const listings = usePagedLoad((query) => ok(api.GET('/catalog/listings', { params: { query } })), [state.partyId]);
  return (
    <Page title={t('myListings.title')} actions={<Link to="/listings/new">{t('myListings.new')}</Link>}>
      <LoadedTable
        loaded={listings}
        empty={t('myListings.none')}
        caption={(n) => t('myListings.caption', { n })}
        rowKey={(l) => l.id}
        columns={[
          { header: t('listing.title'), cell: (l) => <Link to={`/listings/${l.id}`}>{text(l.title)}</Link> },
          { header: t('listing.status'), cell: (l) => t(`listingStatus.${l.status}`) },
          { header: t('myListings.review'), cell: (l) => t(`reviewStatus.${l.reviewStatus}`) },
          { header: t('listing.fromPrice'), cell: (l) => money(l.minPrice.amountMinor, l.minPrice.currency) },
          { header: t('listing.updatedAt'), cell: (l) => dateTime(l.updatedAt) },
        ]}
      />
    </Page>
  );
}

/** A new draft for the acting party (POST /catalog/listings); then its page, to add what review needs. */
export function NewListingPage() {
  const { t } = useI18n();
  const keys = useIdempotencyKeys();
  const create = useAction(async (content: ListingContent) => {
    const created = await ok(api.POST('/catalog/listings', { params: { header: { 'idempotency-key': keys.keyFor(content) } }, body: content }));
    navigate(`/listings/${created.id}`);
  });
  return (
    <Page title={t('myListings.new')} actions={<Link to="/listings">{t('myListings.back')}</Link>}>
      <p class="lead">{t('myListings.newIntro')}</p>
      <ListingContentForm busy={create.busy} error={create.error} submitLabel={t('myListings.create')} onSave={(content) => void create.run(content)} />
    </Page>
  );
}
