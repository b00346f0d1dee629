import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { shanghaiToday } from '../../lib/shanghai-day';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { usePagedLoad } from '../../lib/use-paged-load';

type Query = NonNullable<paths['/trading/security-assessments']['get']['parameters']['query']>;
type Party = paths['/parties/{id}']['get']['responses']['200']['content']['application/json'];

/**
 * Recorded security assessments, newest first (GET /trading/security-assessments): an operator's
 * of any buyer, a buyer's of the party it acts for. One is in force until the day it expires.
 */
export function AssessmentTable({ query, caption, round = 0 }: { query: Omit<Query, 'limit' | 'cursor'>; caption: (count: number) => string; round?: number }) {
  const { t, date, dateTime } = useI18n();
  const assessments = usePagedLoad((page) => ok(api.GET('/trading/security-assessments', { params: { query: { ...page, ...query } } })), [JSON.stringify(query), round]);
  const today = shanghaiToday();
  return (
    <LoadedTable
      loaded={assessments}
      empty={t('assessment.none')}
      caption={caption}
      rowKey={(a) => a.id}
      columns={[
        { header: t('assessment.reference'), cell: (a) => a.reference },
        { header: t('assessment.listing'), cell: (a) => <Link to={`/catalog/${a.listingId}`}>{a.listingId}</Link> },
        { header: t('assessment.buyer'), cell: (a) => <code>{a.buyerPartyId}</code> },
        { header: t('assessment.period'), cell: (a) => `${date(a.assessedOn)} – ${date(a.expiresOn)} · ${t(a.expiresOn > today ? 'assessment.inForce' : 'assessment.expired')}` },
        { header: t('assessment.scope'), cell: (a) => a.scope },
        { header: t('assessment.recordedAt'), cell: (a) => dateTime(a.createdAt) },
      ]}
    />
  );
}

/**
 * An operator records the security assessment the authority made for one overseas buyer and one
 * listing (POST /trading/security-assessments, Art. 39): its reference, day, scope and expiry. The
 * API refuses a party that is not overseas and an expiry not after the day it was made.
 */
export function AssessmentForm({ buyerPartyId, listingId: fixedListing, onDone }: { buyerPartyId?: string; listingId?: string; onDone(): void }) {
  const { t } = useI18n();
  const [buyer, setBuyer] = useState(buyerPartyId ?? '');
  const [listingId, setListingId] = useState(fixedListing ?? '');
  const [reference, setReference] = useState('');
  const [assessedOn, setAssessedOn] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [scope, setScope] = useState('');
  const [done, setDone] = useState(false);
  const keys = useIdempotencyKeys();
  const record = useAction(async () => {
    setDone(false);
    const body = { buyerPartyId: buyer, listingId, reference, assessedOn, expiresOn, scope };
    await ok(api.POST('/trading/security-assessments', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    setReference('');
    setScope('');
    setDone(true);
    onDone();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(record.run)}>
      <h2>{t('assessment.recordTitle')}</h2>
      {buyerPartyId === undefined && <TextField label={t('assessment.buyerId')} required value={buyer} onValue={setBuyer} />}
      {fixedListing === undefined && <TextField label={t('assessment.listingId')} hint={t('assessment.listingHint')} required value={listingId} onValue={setListingId} />}
      <TextField label={t('assessment.reference')} hint={t('assessment.referenceHint')} required value={reference} onValue={setReference} />
      <TextField label={t('assessment.assessedOn')} type="date" required value={assessedOn} onValue={setAssessedOn} />
      <TextField label={t('assessment.expiresOn')} type="date" required value={expiresOn} onValue={setExpiresOn} />
      <TextField label={t('assessment.scope')} multiline required value={scope} onValue={setScope} />
      <ProblemAlert error={record.error} />
      {done && (
        <p class="success" role="status">
          {t('assessment.recorded')}
        </p>
      )}
      <Submit busy={record.busy}>{t('assessment.record')}</Submit>
    </form>
  );
}

/** Every recorded security assessment, and one recorded for an overseas buyer and a listing named by their ids. */
export function SecurityAssessmentsPage() {
  const { t } = useI18n();
  const [round, setRound] = useState(0);
  return (
    <Page title={t('assessment.title')}>
      <p>{t('assessment.intro')}</p>
      <AssessmentTable query={{}} caption={(count) => t('assessment.caption', { count })} round={round} />
      <AssessmentForm onDone={() => setRound((n) => n + 1)} />
    </Page>
  );
}

/**
 * A party's standing abroad: whether identity registered it as overseas (and where); for an
 * overseas party, the assessments recorded for it, which the operator records here and the party
 * reads when it acts for itself. Art. 39: its orders of personal information or important data need one.
 */
export function PartyCrossBorder({ party }: { party: Party }) {
  const { t } = useI18n();
  const session = useSession();
  const [round, setRound] = useState(0);
  const operator = session.has('operator');
  const mayRead = operator || (session.has('buyer') && session.state.partyId === party.id);
  return (
    <section aria-labelledby="cross-border-heading">
      <h2 id="cross-border-heading">{t('assessment.crossBorder')}</h2>
      <p>{party.overseas ? t('assessment.overseas', { country: party.country }) : t('assessment.mainland')}</p>
      {party.overseas && mayRead && (
        <>
          <AssessmentTable query={operator ? { buyerPartyId: party.id } : {}} caption={(count) => t('assessment.partyCaption', { count })} round={round} />
          {operator && <AssessmentForm buyerPartyId={party.id} onDone={() => setRound((n) => n + 1)} />}
        </>
      )}
    </section>
  );
}

/**
 * On an order of an overseas buyer: the assessments recorded for that buyer and the order's
 * listing. The API took the order only with one in force where the listing holds personal
 * information or important or core data (Art. 39); other data leaves without one.
 */
export function OrderCrossBorder({ buyerPartyId, listingId }: { buyerPartyId: string; listingId: string }) {
  const { t } = useI18n();
  const party = useLoad(() => ok(api.GET('/parties/{id}', { params: { path: { id: buyerPartyId } } })), [buyerPartyId]);
  if (!party.data?.overseas) return null;
  return (
    <section aria-labelledby="order-cross-border-heading">
      <h2 id="order-cross-border-heading">{t('assessment.crossBorder')}</h2>
      <p>{t('assessment.orderIntro', { country: party.data.country })}</p>
      <AssessmentTable query={{ buyerPartyId, listingId }} caption={(count) => t('assessment.orderCaption', { count })} />
    </section>
  );
}
