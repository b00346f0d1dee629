import type { paths } from '../../api/schema';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';

export type PublicDataRequest = paths['/public-data/requests/{id}']['get']['responses']['200']['content']['application/json'];
export type RequestState = PublicDataRequest['state'];

/** A request's path when it is granted (modules/public-data/request-states.ts): an extension and a refusal are detours. */
export const requestPath: RequestState[] = ['received', 'approved', 'signed', 'active', 'ended'];

/**
 * A request's deadline as stored at receipt: the last working day, and whether the count rested
 * on a year the bureau has not loaded yet (provisional: it may move when the year is loaded).
 */
export function Deadline({ request }: { request: Pick<PublicDataRequest, 'deadline' | 'overdue' | 'answeredAt'> }) {
  const { t, dateTime } = useI18n();
  const d = request.deadline;
  return (
    <span class="deadline">
      {dateTime(d.dueAt)}
      {d.provisional && (
        <>
          {' '}
          <strong class="tag tag-provisional" title={t('pdRequest.provisionalHint')}>
            {t('pdRequest.provisional')}
          </strong>
        </>
      )}
      {request.overdue && !request.answeredAt && (
        <>
          {' '}
          <strong class="tag tag-overdue">{t('pdRequest.overdue')}</strong>
        </>
      )}
    </span>
  );
}

/** Requests as a table: each linked to its page, with its state and its deadline. */
export function RequestTable({ caption, requests, empty }: { caption: string; requests: PublicDataRequest[]; empty: string }) {
  const { t, dateTime } = useI18n();
  if (requests.length === 0) return <p>{empty}</p>;
  return (
    <Table
      caption={caption}
      rows={requests}
      rowKey={(r) => r.id}
      columns={[
        { header: t('pdRequest.purpose'), cell: (r) => <Link to={`/public-data/requests/${r.id}`}>{r.purpose}</Link> },
        { header: t('pdRequest.kind'), cell: (r) => t(`pdKind.${r.kind}`) },
        { header: t('pdRequest.state'), cell: (r) => <span class={`status status-${r.state}`}>{t(`pdState.${r.state}`)}</span> },
        { header: t('pdRequest.receivedAt'), cell: (r) => dateTime(r.receivedAt) },
        { header: t('pdRequest.dueAt'), cell: (r) => (r.answeredAt ? t('pdRequest.answeredAt', { at: dateTime(r.answeredAt) }) : <Deadline request={r} />) },
      ]}
    />
  );
}
