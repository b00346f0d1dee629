import { api, ok } from '../../api/client';
import { Page } from '../../components/page';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { usePagedLoad } from '../../lib/use-paged-load';

/** The operator's queue: parties submitted for verification, oldest first (GET /parties?status=submitted). */
export function PartyQueuePage() {
  const { t, dateTime } = useI18n();
  const queue = usePagedLoad((page) => ok(api.GET('/parties', { params: { query: { ...page, status: 'submitted' } } })), []);
  return (
    <Page title={t('partyQueue.title')}>
      <LoadedTable
        loaded={queue}
        empty={t('partyQueue.empty')}
        caption={(count) => t('partyQueue.caption', { count })}
        rowKey={(p) => p.id}
        columns={[
          { header: t('party.legalName'), cell: (p) => <Link to={`/review/parties/${p.id}`}>{p.legalName}</Link> },
          { header: t('party.kind'), cell: (p) => t(`partyKind.${p.kind}`) },
          { header: t('party.identityNumber'), cell: (p) => <code>{p.identityNumberMasked}</code> },
          { header: t('party.registeredAt'), cell: (p) => dateTime(p.createdAt) },
        ]}
      />
    </Page>
  );
}
