import { api, ok } from '../../api/client';
import { Loading, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useLoad } from '../../lib/use-load';

/** The operator's queue: parties submitted for verification, oldest first (GET /parties?status=submitted). */
export function PartyQueuePage() {
  const { t, dateTime } = useI18n();
  const queue = useLoad(() => ok(api.GET('/parties', { params: { query: { status: 'submitted', limit: 200 } } })), []);
  return (
    <Page title={t('partyQueue.title')}>
      <ProblemAlert error={queue.error} />
      {queue.loading && !queue.data ? (
        <Loading label={t('common.loading')} />
      ) : queue.data && queue.data.items.length === 0 ? (
        <p>{t('partyQueue.empty')}</p>
      ) : (
        queue.data && (
          <table>
            <caption>{t('partyQueue.caption', { count: queue.data.items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('party.legalName')}</th>
                <th scope="col">{t('party.kind')}</th>
                <th scope="col">{t('party.identityNumber')}</th>
                <th scope="col">{t('party.registeredAt')}</th>
              </tr>
            </thead>
            <tbody>
              {queue.data.items.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <Link to={`/review/parties/${p.id}`}>{p.legalName}</Link>
                  </th>
                  <td>{t(`partyKind.${p.kind}`)}</td>
                  <td>
                    <code>{p.identityNumberMasked}</code>
                  </td>
                  <td>{dateTime(p.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
    </Page>
  );
}
