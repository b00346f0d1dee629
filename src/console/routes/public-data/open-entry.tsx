import { api, ok } from '../../api/client';
import { DepartmentName, useDepartments } from '../../components/department-select';
import { WhenLoaded } from '../../components/loaded';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { saveBlob } from '../../lib/download';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { RevisionFacts } from './entry-detail';
import { RequestForm } from './request-form';
import { AddToRequest, BasketLink } from './request-basket';

/**
 * An entry's data versions, newest first, each with its SHA-256; when the acting party may have
 * them (an unconditional entry, or one its sealed agreement grants), each is downloaded with the
 * user's token and saved. The API decides: its problem is shown when it refuses.
 */
export function EntryVersions({ entryId, caption, canDownload }: { entryId: string; caption: string; canDownload: boolean }) {
  const { t, dateTime } = useI18n();
  const versions = useLoad(() => ok(api.GET('/public-data/entries/{id}/versions', { params: { path: { id: entryId } } })), [entryId]);
  const download = useAction(async (versionId: string, filename: string) => {
    const blob = await ok(api.GET('/public-data/entries/{id}/versions/{versionId}/download', { params: { path: { id: entryId, versionId } }, parseAs: 'blob' }));
    saveBlob(blob as Blob, filename);
  });
  return (
    <WhenLoaded loaded={versions}>
      {(list) =>
        list.length === 0 ? (
          <p>{t('entry.noVersions')}</p>
        ) : (
          <>
            <Table
              caption={caption}
              rows={list}
              rowKey={(v) => v.id}
              columns={[
                { header: t('openData.version'), cell: (v) => t('entry.version', { n: v.number }) },
                { header: t('openData.file'), cell: (v) => `${v.filename ?? v.mediaType} · ${t('common.bytes', { n: v.sizeBytes })}` },
                { header: t('entry.versionNote'), cell: (v) => v.changeNote },
                { header: t('openData.uploadedAt'), cell: (v) => dateTime(v.createdAt) },
                { header: 'SHA-256', cell: (v) => <code class="hash">{v.sha256}</code> },
                ...(canDownload
                  ? [
                      {
                        header: t('openData.download'),
                        cell: (v: (typeof list)[number]) => (
                          <button type="button" onClick={() => void download.run(v.id, v.filename ?? `${entryId}-v${v.number}`)} disabled={download.busy}>
                            {t('openData.downloadVersion', { n: v.number })}
                          </button>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
            <ProblemAlert error={download.error} />
          </>
        )
      }
    </WhenLoaded>
  );
}

/**
 * A published entry as an applicant reads it: what it holds, its open class and conditions, its
 * versions. An unconditional entry is downloaded here by a verified party (Art. 18 ¶1); a
 * conditional one is applied for (Art. 18 ¶2); a not-open one is neither.
 */
export function OpenEntryPage({ id }: { id: string }) {
  const { t, text, dateTime } = useI18n();
  const entry = useLoad(() => ok(api.GET('/public-data/entries/{id}', { params: { path: { id } } })), [id]);
  const directory = useDepartments();
  const live = entry.data?.live;
  // Several conditional entries are gathered into one request (Art. 18 ¶2): applicants, not departments.
  const applicant = useSession().has('buyer', 'provider');
  return (
    <Page title={live ? text(live.content.title) : t('openData.entryLoading')} actions={<Link to="/public-data/open">{t('openData.back')}</Link>}>
      <WhenLoaded loaded={entry}>
        {(e) =>
          !e.live ? (
            <p>{t('entry.notPublished')}</p>
          ) : (
            <>
              <Facts
                items={[
                  [t('openData.departmentColumn'), <DepartmentName directory={directory} id={e.departmentPartyId} />],
                  [t('entry.publishedAt'), e.publishedAt ? dateTime(e.publishedAt) : t('entry.notPublished')],
                  [t('openData.revision'), t('entry.version', { n: e.live.number })],
                ]}
              />
              <RevisionFacts revision={e.live} />
              <h2>{t('entry.versions')}</h2>
              <p>{t(`openData.access.${e.live.content.open.class}`)}</p>
              <EntryVersions entryId={e.id} caption={t('entry.versions')} canDownload={e.live.content.open.class === 'unconditional'} />
              {e.live.content.open.class === 'conditional' && (
                <p>
                  <Link to={`/public-data/open/${e.id}/apply`} class="button primary">
                    {t('apply.title')}
                  </Link>{' '}
                  {applicant && (
                    <>
                      <AddToRequest entry={{ id: e.id, title: text(e.live.content.title), departmentPartyId: e.departmentPartyId }} /> <BasketLink />
                    </>
                  )}
                </p>
              )}
            </>
          )
        }
      </WhenLoaded>
    </Page>
  );
}

/**
 * A verified party applies for a conditionally open entry (POST /public-data/requests, Art. 18 ¶2),
 * with the entry it asks for named above the form.
 */
export function ApplyPage({ id }: { id: string }) {
  const { t, text } = useI18n();
  const entry = useLoad(() => ok(api.GET('/public-data/entries/{id}', { params: { path: { id } } })), [id]);
  const live = entry.data?.live;
  return (
    <Page title={t('apply.title')} actions={<Link to={`/public-data/open/${id}`}>{t('apply.back')}</Link>}>
      <WhenLoaded loaded={entry}>
        {(e) =>
          e.live && (
            <Facts
              items={[
                [t('apply.entry'), text(e.live.content.title)],
                [t('entry.openClass'), `${t(`openClass.${e.live.content.open.class}`)}${e.live.content.open.conditions ? `：${e.live.content.open.conditions}` : ''}`],
              ]}
            />
          )
        }
      </WhenLoaded>
      <p>{t('apply.intro')}</p>
      <RequestForm entryIds={[id]} ready={Boolean(live)} submitLabel={t('apply.submit')} />
    </Page>
  );
}
