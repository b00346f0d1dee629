import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { CheckboxField, RadioGroup, Submit, TextField } from '../../components/fields';
import { RevisionContent, RevisionProvenance } from '../../components/listing';
import { Facts, Loading, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { ReviewHistory } from '../../components/review-history';
import { SuspensionSection } from './suspension';
import { useIdempotencyKeys } from '../../lib/idempotency';

type ReviewBody = paths['/catalog/listings/{id}/review']['post']['requestBody']['content']['application/json'];
type Requirement = ReviewBody['checklist'][number]['requirement'];
type Decision = ReviewBody['decision'];

const requirements: Requirement[] = ['source_stated', 'ground_and_evidence', 'identity_verified', 'government_derived_flag', 'personal_information', 'grade'];

/**
 * The revision under review with its provenance, lineage, ground and dataset, the record of
 * earlier reviews, and the decision with a checklist entry per requirement (POST …/review).
 */
export function ListingReviewPage({ id }: { id: string }) {
  const { t, text, dateTime } = useI18n();
  const listing = useLoad(() => ok(api.GET('/catalog/listings/{id}', { params: { path: { id } } })), [id]);
  const reviews = useLoad(() => ok(api.GET('/catalog/listings/{id}/reviews', { params: { path: { id } } })), [id]);
  const [checks, setChecks] = useState(() => Object.fromEntries(requirements.map((r) => [r, { satisfied: false, note: '' }])) as Record<Requirement, { satisfied: boolean; note: string }>);
  const [decision, setDecision] = useState<Decision | ''>('');
  const [notes, setNotes] = useState('');
  const keys = useIdempotencyKeys();
  const [decided, setDecided] = useState<Decision | null>(null);
  const working = listing.data?.working;
  const review = useAction(async () => {
    if (!decision || !working) return;
    const checklist = requirements.map((requirement) => ({ requirement, satisfied: checks[requirement].satisfied, ...(checks[requirement].note ? { note: checks[requirement].note } : {}) }));
    const body = { revisionId: working.id, decision, checklist, notes };
    await ok(api.POST('/catalog/listings/{id}/review', { params: { path: { id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    setDecided(decision);
    listing.reload();
    reviews.reload();
  });

  return (
    <Page title={working ? t('listingReview.title', { title: text(working.content.title) }) : t('listingReview.titleLoading')} actions={<Link to="/review/listings">{t('listingReview.back')}</Link>}>
      <ProblemAlert error={listing.error} />
      {!listing.data || !working ? (
        listing.loading && <Loading label={t('common.loading')} />
      ) : (
        <>
          <Facts
            items={[
              [t('listing.status'), t(`listingStatus.${listing.data.status}`)],
              [t('listingReview.revision'), t('listingReview.revisionOf', { n: working.number, status: t(`reviewStatus.${working.reviewStatus}`) })],
              [t('listingReview.submittedAt'), dateTime(working.submittedAt)],
            ]}
          />
          {(listing.data.status === 'listed' || listing.data.status === 'suspended') && (
            <SuspensionSection kind="listing" id={listing.data.id} suspended={listing.data.status === 'suspended'} onChange={listing.reload} />
          )}
          <RevisionProvenance revision={working} />
          <h2>{t('listingReview.content')}</h2>
          <RevisionContent revision={working} />
          <h2>{t('listingReview.history')}</h2>
          <ReviewHistory reviews={reviews.data} />
          {decided ? (
            <p class="success" role="status">
              {t('listingReview.done', { decision: t(`listingDecision.${decided}`) })}
            </p>
          ) : (
            working.reviewStatus === 'submitted' && (
              <form class="form" onSubmit={onSubmit(review.run)}>
                <h2>{t('listingReview.decide')}</h2>
                <fieldset>
                  <legend>{t('listingReview.checklist')}</legend>
                  {requirements.map((r) => (
                    <div class="check-row" key={r}>
                      <CheckboxField label={t(`listingChecklist.${r}`)} checked={checks[r].satisfied} onValue={(satisfied) => setChecks({ ...checks, [r]: { ...checks[r], satisfied } })} />
                      <TextField label={t('listingReview.noteFor', { requirement: t(`listingChecklist.${r}`) })} value={checks[r].note} onValue={(note) => setChecks({ ...checks, [r]: { ...checks[r], note } })} />
                    </div>
                  ))}
                </fieldset>
                <RadioGroup
                  legend={t('listingReview.decision')}
                  name="decision"
                  required
                  value={decision}
                  onValue={setDecision}
                  options={(['approve', 'request_changes', 'reject'] as const).map((d) => ({ value: d, label: t(`listingDecision.${d}`) }))}
                />
                <TextField label={t('listingReview.notes')} multiline value={notes} onValue={setNotes} />
                <ProblemAlert error={review.error} />
                <Submit busy={review.busy}>{t('listingReview.submit')}</Submit>
              </form>
            )
          )}
        </>
      )}
    </Page>
  );
}
