import type { paths } from '../api/schema';
import { useI18n } from '../i18n/i18n';

type Review = paths['/catalog/listings/{id}/reviews']['get']['responses']['200']['content']['application/json'][number];

/** A listing's reviews, oldest first, each with its decision, time and notes. */
export function ReviewHistory({ reviews }: { reviews: Review[] | undefined }) {
  const { t, dateTime } = useI18n();
  if (reviews && reviews.length === 0) return <p>{t('listingReview.noHistory')}</p>;
  return (
    <ul class="plain">
      {reviews?.map((r) => (
        <li key={r.id}>
          {t(`listingReviewed.${r.decision}`)} · {dateTime(r.createdAt)} {r.notes && <>· {r.notes}</>}
        </li>
      ))}
    </ul>
  );
}
