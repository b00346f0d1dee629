import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { SelectField } from '../../components/fields';
import { Page } from '../../components/page';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';
import { EntryForm, type EntryContent } from './entry-form';
import { useIdempotencyKeys } from '../../lib/idempotency';

type ReviewStatus = 'draft' | 'submitted' | 'approved' | 'rejected';

/**
 * The open list as its keepers see it: a department its own entries in every state, the bureau
 * every department's (its review queue first: those submitted).
 */
export function EntryListPage() {
  const { t, dateTime } = useI18n();
  const session = useSession();
  const bureau = session.has('bureau');
  const [status, setStatus] = useState<ReviewStatus | ''>(bureau ? 'submitted' : '');
  const entries = usePagedLoad((page) => ok(api.GET('/public-data/entries', { params: { query: { ...page, ...(status ? { reviewStatus: status } : {}) } } })), [status, session.state.partyId]);
  return (
    <Page title={t('entries.title')} actions={session.has('department') && <Link to="/public-data/entries/new">{t('entries.new')}</Link>}>
      <SelectField
        label={t('entries.filter')}
        value={status}
        onValue={setStatus}
        options={[{ value: '', label: t('common.any') }, ...(['draft', 'submitted', 'approved', 'rejected'] as const).map((s) => ({ value: s, label: t(`entryStatus.${s}`) }))]}
      />
      <LoadedTable
        loaded={entries}
        empty={t('entries.none')}
        caption={(count) => t('entries.caption', { count })}
        rowKey={(e) => e.id}
        columns={[
          { header: t('entry.titleZh'), cell: (e) => <Link to={`/public-data/entries/${e.id}`}>{e.title}</Link> },
          { header: t('entry.reviewStatus'), cell: (e) => t(`entryStatus.${e.reviewStatus}`) },
          { header: t('entry.openClass'), cell: (e) => t(`openClass.${e.openClass}`) },
          { header: t('entry.sharingClass'), cell: (e) => t(`sharingClass.${e.sharingClass}`) },
          { header: t('entry.updatedAt'), cell: (e) => dateTime(e.updatedAt) },
        ]}
      />
    </Page>
  );
}

/** A department drafts an entry of its open list (POST /public-data/entries); then it adds data and submits it. */
export function NewEntryPage() {
  const { t } = useI18n();
  const keys = useIdempotencyKeys();
  const create = useAction(async (content: EntryContent) => {
    const entry = await ok(api.POST('/public-data/entries', { params: { header: { 'idempotency-key': keys.keyFor(content) } }, body: content }));
    navigate(`/public-data/entries/${entry.id}`);
  });
  return (
    <Page title={t('entries.new')}>
      <p>{t('entries.newIntro')}</p>
      <EntryForm submitLabel={t('entries.create')} busy={create.busy} error={create.error} onContent={(c) => void create.run(c)} />
    </Page>
  );
}
