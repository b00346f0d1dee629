import { api, ok } from '../../api/client';
import { WhenLoaded } from '../../components/loaded';
import { Page } from '../../components/page';
import { MoreRows } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { usePagedLoad } from '../../lib/use-paged-load';
import { RequestTable } from './request-parts';

/**
 * Public-data requests: those addressed to the department the user acts for, with their deadlines;
 * the bureau every department's; anyone else those its party made.
 */
export function RequestListPage() {
  const { t } = useI18n();
  const session = useSession();
  const role = session.has('bureau') ? undefined : session.has('department') ? 'department' : 'applicant';
  const requests = usePagedLoad((page) => ok(api.GET('/public-data/requests', { params: { query: { ...page, ...(role ? { role } : {}) } } })), [role, session.state.partyId]);
  // A department also asks other departments to share: those requests it made.
  const made = usePagedLoad(async (page) => (role === 'department' ? ok(api.GET('/public-data/requests', { params: { query: { ...page, role: 'applicant' } } })) : { items: [], next: null }), [role, session.state.partyId]);
  return (
    <Page title={t('pdRequests.title')} actions={role === 'department' && <Link to="/public-data/sharing/new">{t('sharing.title')}</Link>}>
      <p>{t(role === 'department' ? 'pdRequests.introDepartment' : role ? 'pdRequests.introApplicant' : 'pdRequests.introBureau')}</p>
      <WhenLoaded loaded={requests}>{(data) => <RequestTable caption={t('pdRequests.caption', { count: data.items.length })} requests={data.items} empty={t('pdRequests.none')} />}</WhenLoaded>
      <MoreRows paged={requests} />
      {role === 'department' && (
        <>
          <h2>{t('pdRequests.made')}</h2>
          <WhenLoaded loaded={made}>{(data) => <RequestTable caption={t('pdRequests.madeCaption', { count: data.items.length })} requests={data.items} empty={t('pdRequests.noneMade')} />}</WhenLoaded>
          <MoreRows paged={made} />
        </>
      )}
    </Page>
  );
}
