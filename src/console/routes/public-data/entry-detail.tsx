import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { RadioGroup, Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { EntryForm, type EntryContent } from './entry-form';

export type Entry = paths['/public-data/entries/{id}']['get']['responses']['200']['content']['application/json'];
type Revision = NonNullable<Entry['live']>;

/** What a revision of an entry says. */
export function RevisionFacts({ revision }: { revision: Revision }) {
  const { t, text } = useI18n();
  const c = revision.content;
  const basis = c.open.legalBasis ?? c.sharing.legalBasis;
  return (
    <Facts
      items={[
        [t('entry.summary'), text(c.summary)],
        [t('entry.fields'), <ul class="plain">{c.fields.map((f) => <li key={f.name}><code>{f.name}</code> ({f.type}) {f.description}</li>)}</ul>],
        [t('entry.dataItems'), c.dataItems.join('、')],
        [t('entry.formats'), c.formats.join(', ')],
        [t('entry.updateFrequency'), t(`frequency.${c.updateFrequency}`)],
        [t('entry.origin'), t(`entryOrigin.${c.origin}`)],
        [t('entry.sensitive'), [c.sensitive.personalInformation && t('entry.personalInformation'), c.sensitive.tradeSecrets && t('entry.tradeSecrets')].filter(Boolean).join('、') || t('common.none')],
        [t('entry.openClass'), `${t(`openClass.${c.open.class}`)}${c.open.conditions ? `：${c.open.conditions}` : ''}`],
        [t('entry.sharingClass'), t(`sharingClass.${c.sharing.class}`)],
        ...(basis ? ([[t('entry.legalBasis'), `${basis.title}${basis.article ?? ''}`]] as [string, string][]) : []),
      ]}
    />
  );
}

/** The department adds a version of the data: the raw file with a note of what changed, stored by its SHA-256. */
function VersionUpload({ entryId, onChange }: { entryId: string; onChange(): void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [note, setNote] = useState('');
  const [objection, setObjection] = useState('');
  const upload = useAction(async () => {
    if (!file) return;
    await ok(
      api.POST('/public-data/entries/{id}/versions', {
        params: { path: { id: entryId }, query: { filename: file.name, note, ...(objection ? { objection } : {}) } },
        // The data are the raw body, in their own media type.
        body: file as unknown as string,
        bodySerializer: (body: unknown) => body,
        headers: { 'content-type': file.type || 'application/octet-stream' },
      }),
    );
    setFile(null);
    setNote('');
    onChange();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(upload.run)}>
      <div class="field">
        <label for="entry-version-file">{t('entry.versionFile')}</label>
        <input id="entry-version-file" type="file" required onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
      </div>
      <TextField label={t('entry.versionNote')} required value={note} onValue={setNote} />
      <TextField label={t('entry.versionObjection')} hint={t('entry.versionObjectionHint')} value={objection} onValue={setObjection} />
      <ProblemAlert error={upload.error} />
      <Submit busy={upload.busy}>{t('entry.upload')}</Submit>
    </form>
  );
}

/** The bureau approves (publishes) or rejects with reasons the revision under review (Shanghai Art. 12 ¶3). */
function EntryReview({ entry, onChange }: { entry: Entry; onChange(): void }) {
  const { t } = useI18n();
  const [decision, setDecision] = useState<'approve' | 'reject' | ''>('');
  const [reasons, setReasons] = useState('');
  const keys = useIdempotencyKeys();
  const review = useAction(async () => {
    if (!decision || !entry.working) return;
    const body = { revisionId: entry.working.id, decision, ...(reasons ? { reasons } : {}) };
    await ok(api.POST('/public-data/entries/{id}/review', { params: { path: { id: entry.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onChange();
  });
  return (
    <section aria-labelledby="entry-review-heading">
      <h2 id="entry-review-heading">{t('entry.review')}</h2>
      <form class="form narrow" onSubmit={onSubmit(review.run)}>
        <RadioGroup legend={t('entry.decision')} name="entry-decision" required value={decision} onValue={setDecision} options={[{ value: 'approve', label: t('entry.approve') }, { value: 'reject', label: t('entry.reject') }]} />
        <TextField label={t('entry.reasons')} multiline required={decision === 'reject'} value={reasons} onValue={setReasons} />
        <ProblemAlert error={review.error} />
        <Submit busy={review.busy}>{t('entry.decide')}</Submit>
      </form>
    </section>
  );
}

/**
 * An entry of the open list: the published revision and the one under way, its data versions, the
 * bureau's decisions; its department edits it (a published entry's edit is a new revision, reviewed
 * again), adds data and submits it; the bureau decides on it.
 */
export function EntryDetailPage({ id }: { id: string }) {
  const { t, text, dateTime } = useI18n();
  const session = useSession();
  const entry = useLoad(() => ok(api.GET('/public-data/entries/{id}', { params: { path: { id } } })), [id]);
  const versions = useLoad(() => ok(api.GET('/public-data/entries/{id}/versions', { params: { path: { id } } })), [id]);
  const reviews = useLoad(() => ok(api.GET('/public-data/entries/{id}/reviews', { params: { path: { id } } })), [id]);
  const [editing, setEditing] = useState(false);
  const reload = () => (entry.reload(), versions.reload(), reviews.reload());
  const keys = useIdempotencyKeys();
  const submit = useAction(async () => {
    await keys.act({ submission: id }, (key) => ok(api.POST('/public-data/entries/{id}/submission', { params: { path: { id }, header: { 'idempotency-key': key } } })));
    reload();
  });
  const edit = useAction(async (content: EntryContent) => {
    await ok(api.PATCH('/public-data/entries/{id}', { params: { path: { id } }, body: content }));
    setEditing(false);
    reload();
  });
  const e = entry.data;
  const current = e?.working ?? e?.live;
  const own = !!e && e.departmentPartyId === session.state.partyId && session.has('department');
  return (
    <Page title={current ? text(current.content.title) : t('entries.title')} actions={<Link to="/public-data/entries">{t('entries.back')}</Link>}>
      <WhenLoaded loaded={entry}>
        {(e) => (
          <>
            <Facts
              items={[
                [t('entry.reviewStatus'), e.working ? t('entry.revisionStatus', { n: e.working.number, status: t(`entryStatus.${e.working.reviewStatus}`) }) : t('entryStatus.approved')],
                [t('entry.publishedAt'), e.publishedAt ? dateTime(e.publishedAt) : t('entry.notPublished')],
                ...(e.downloadCount !== undefined ? ([[t('entry.downloads'), String(e.downloadCount)]] as [string, string][]) : []),
              ]}
            />
            {e.working && e.live && <p>{t('entry.liveStays')}</p>}
            {current && <RevisionFacts revision={current} />}
            {own && !editing && e.working?.reviewStatus !== 'submitted' && (
              <button type="button" onClick={() => setEditing(true)}>
                {t('entry.edit')}
              </button>
            )}
            {own && editing && current && <EntryForm initial={current.content} submitLabel={t('entry.saveEdit')} busy={edit.busy} error={edit.error} onContent={(c) => void edit.run(c)} />}
            <h2>{t('entry.versions')}</h2>
            <WhenLoaded loaded={versions}>
              {(list) =>
                list.length === 0 ? (
                  <p>{t('entry.noVersions')}</p>
                ) : (
                  <ul class="plain">
                    {list.map((v) => (
                      <li key={v.id}>
                        {t('entry.version', { n: v.number })} · {v.filename ?? v.mediaType} · {t('common.bytes', { n: v.sizeBytes })} · {v.changeNote} · {dateTime(v.createdAt)} · SHA-256 <code>{v.sha256.slice(0, 16)}…</code>
                      </li>
                    ))}
                  </ul>
                )
              }
            </WhenLoaded>
            {own && <VersionUpload entryId={e.id} onChange={reload} />}
            {own && (e.working?.reviewStatus === 'draft' || e.working?.reviewStatus === 'rejected') && (
              <>
                <button type="button" class="primary" onClick={() => void submit.run()} disabled={submit.busy}>
                  {t('entry.submit')}
                </button>
                <ProblemAlert error={submit.error} />
              </>
            )}
            {e.working?.reviewStatus === 'submitted' && <p role="status">{t('entry.awaitingReview')}</p>}
            {session.has('bureau') && e.working?.reviewStatus === 'submitted' && <EntryReview entry={e} onChange={reload} />}
            <h2>{t('entry.reviews')}</h2>
            <WhenLoaded loaded={reviews}>
              {(list) =>
                list.length === 0 ? (
                  <p>{t('entry.noReviews')}</p>
                ) : (
                  <ul class="plain">
                    {list.map((r) => (
                      <li key={r.id}>
                        {dateTime(r.createdAt)} · {t(`entryDecision.${r.decision}`)}
                        {r.reasons ? ` · ${r.reasons}` : ''}
                      </li>
                    ))}
                  </ul>
                )
              }
            </WhenLoaded>
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
