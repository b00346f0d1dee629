import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { DepartmentName, DepartmentSelect, useDepartments } from '../../components/department-select';
import { SelectField, Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { AddToRequest, BasketLink } from './request-basket';

type Query = NonNullable<paths['/public-data/search']['get']['parameters']['query']>;
type OpenClass = NonNullable<Query['openClass']>;
type SharingClass = NonNullable<Query['sharingClass']>;
type Row = paths['/public-data/search']['get']['responses']['200']['content']['application/json']['items'][number];

const openClasses: OpenClass[] = ['unconditional', 'conditional', 'not_open'];
const sharingClasses: SharingClass[] = ['unconditional', 'conditional', 'not_shared'];

/**
 * The published open list as anyone signed in reads it (GET /public-data/search): full text in
 * Chinese or English, filtered by open and sharing class and by department (chosen by its name),
 * newest first, more by cursor. Each entry leads to its public page.
 */
export function OpenListPage() {
  const { t, dateTime } = useI18n();
  // Conditionally open entries are gathered into one request (Art. 18 ¶2): applicants, not departments.
  const applicant = useSession().has('buyer', 'provider');
  const [q, setQ] = useState('');
  const [openClass, setOpenClass] = useState<OpenClass | ''>('');
  const [sharingClass, setSharingClass] = useState<SharingClass | ''>('');
  const [departmentPartyId, setDepartment] = useState('');
  const directory = useDepartments();
  const [query, setQuery] = useState<Query>({});
  const [cursor, setCursor] = useState<string | null>(null);
  const results = useLoad(async () => {
    const page = await ok(api.GET('/public-data/search', { params: { query: { limit: 50, ...query, ...(cursor ? { cursor } : {}) } } }));
    return page;
  }, [JSON.stringify(query), cursor]);
  const search = () => {
    setCursor(null);
    setQuery({ ...(q ? { q } : {}), ...(openClass ? { openClass } : {}), ...(sharingClass ? { sharingClass } : {}), ...(departmentPartyId ? { departmentPartyId } : {}) });
  };
  return (
    <Page title={t('openData.title')} actions={applicant && <BasketLink />}>
      <p>{t('openData.intro')}</p>
      <form class="form narrow" role="search" onSubmit={onSubmit(search)}>
        <TextField label={t('openData.query')} type="search" value={q} onValue={setQ} />
        <SelectField label={t('entry.openClass')} value={openClass} onValue={setOpenClass} options={[{ value: '', label: t('common.any') }, ...openClasses.map((c) => ({ value: c, label: t(`openClass.${c}`) }))]} />
        <SelectField label={t('entry.sharingClass')} value={sharingClass} onValue={setSharingClass} options={[{ value: '', label: t('common.any') }, ...sharingClasses.map((c) => ({ value: c, label: t(`sharingClass.${c}`) }))]} />
        <DepartmentSelect label={t('openData.department')} empty={t('departments.any')} directory={directory} value={departmentPartyId} onValue={setDepartment} />
        <Submit busy={results.loading}>{t('openData.search')}</Submit>
      </form>
      <LoadedTable
        loaded={results}
        empty={t('openData.none')}
        caption={(count) => t('openData.caption', { count })}
        rowKey={(e) => e.id}
        columns={[
          { header: t('entry.titleZh'), cell: (e) => <Link to={`/public-data/open/${e.id}`}>{e.title}</Link> },
          { header: t('entry.openClass'), cell: (e) => t(`openClass.${e.openClass}`) },
          { header: t('entry.sharingClass'), cell: (e) => t(`sharingClass.${e.sharingClass}`) },
          { header: t('openData.departmentColumn'), cell: (e) => <DepartmentName directory={directory} id={e.departmentPartyId} /> },
          { header: t('entry.publishedAt'), cell: (e) => (e.publishedAt ? dateTime(e.publishedAt) : '—') },
          ...(applicant
            ? [{ header: t('basket.column'), cell: (e: Row) => (e.openClass === 'conditional' ? <AddToRequest entry={{ id: e.id, title: e.title, departmentPartyId: e.departmentPartyId }} /> : '—') }]
            : []),
        ]}
      />
      {(cursor || results.data?.next) && (
        <p>
          {cursor && (
            <button type="button" onClick={() => setCursor(null)}>
              {t('openData.first')}
            </button>
          )}{' '}
          {results.data?.next && (
            <button type="button" onClick={() => setCursor(results.data!.next)}>
              {t('openData.next')}
            </button>
          )}
        </p>
      )}
    </Page>
  );
}
