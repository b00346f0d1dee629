import { api, ok } from '../../api/client';
import { RevisionContent, RevisionProvenance } from '../../components/listing';
import { Loading, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useLoad } from '../../lib/use-load';

/** A listing on sale (its live revision): what it is, its provenance and lineage, its ground, and the way to order it. */
export function ListingPage({ id }: { id: string }) {
  const { t, text } = useI18n();
  const session = useSession();
  const listing = useLoad(() => ok(api.GET('/catalog/listings/{id}', { params: { path: { id } } })), [id]);
  const live = listing.data?.live;
  return (
    <Page
      title={live ? text(live.content.title) : t('listing.titleLoading')}
      actions={
        live &&
        listing.data?.status === 'listed' &&
        session.has('buyer') && (
          <Link to={`/catalog/${id}/order`} class="button primary">
            {t('listing.order')}
          </Link>
        )
      }
    >
      <ProblemAlert error={listing.error} />
      {!listing.data ? (
        listing.loading && <Loading label={t('common.loading')} />
      ) : !live ? (
        <p>{t('listing.notOnSale')}</p>
      ) : (
        <>
          <RevisionContent revision={live} />
          <RevisionProvenance revision={live} />
        </>
      )}
    </Page>
  );
}
