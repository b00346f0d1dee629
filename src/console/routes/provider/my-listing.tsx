import { useId, useState } from 'preact/hooks';
import { api, idempotencyKey, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { CheckboxField, RadioGroup, SelectField, Submit, TextField } from '../../components/fields';
import { RevisionProvenance, type Revision } from '../../components/listing';
import { Facts, Loading, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { ReviewHistory } from '../../components/review-history';
import { ListingContentForm, type ListingContent } from './listing-form';

type Provenance = paths['/catalog/listings/{id}/provenance']['put']['requestBody']['content']['application/json'];
type SourceType = Provenance['sourceType'];
type Ground = paths['/catalog/listings/{id}/ground']['put']['requestBody']['content']['application/json'];
type EvidenceDocument = paths['/catalog/documents']['get']['responses']['200']['content']['application/json']['items'][number];

const sourceTypes: SourceType[] = ['self_collected', 'own_operations', 'third_party_licence', 'bought_on_exchange', 'public_data'];
const editable = ['draft', 'changes_requested', 'rejected'];

/** A raw file as a request body in its own media type (not JSON), for the upload routes. */
const rawFile = (file: File) => ({ body: file as unknown as string, bodySerializer: (body: unknown) => body, headers: { 'content-type': file.type || 'application/octet-stream' } });

/** One file chosen and uploaded with a button: the control labelled, the API's refusal shown. */
function Upload({ label, hint, action, onDone }: { label: string; hint: string; action(file: File): Promise<unknown>; onDone(): void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [key, setKey] = useState(0);
  const upload = useAction(async () => {
    if (!file) return;
    await action(file);
    setFile(null);
    setKey((n) => n + 1);
    onDone();
  });
  const id = useId();
  return (
    <form class="form narrow" onSubmit={onSubmit(upload.run)}>
      <div class="field">
        <label for={id}>{label}</label>
        <input key={key} id={id} type="file" required aria-describedby={`${id}-hint`} onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      </div>
      <ProblemAlert error={upload.error} />
      <Submit busy={upload.busy}>{t('myListing.upload')}</Submit>
    </form>
  );
}

/** Evidence chosen among the party's documents, cited with one description. */
function EvidenceChoice({ documents, chosen, onChosen }: { documents: EvidenceDocument[]; chosen: string[]; onChosen(sha256s: string[]): void }) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{t('provenance.evidence')}</legend>
      {documents.length === 0 && <p>{t('myListing.noDocuments')}</p>}
      {documents.map((d) => (
        <CheckboxField
          key={d.id}
          label={`${d.filename ?? d.mediaType} · ${d.sha256.slice(0, 12)}…`}
          checked={chosen.includes(d.sha256)}
          onValue={(on) => onChosen(on ? [...chosen, d.sha256] : chosen.filter((s) => s !== d.sha256))}
        />
      ))}
    </fieldset>
  );
}

/** Where the data comes from (PUT /catalog/listings/{id}/provenance): each declaration a new version. */
function ProvenanceForm({ id, revision, documents, onDone }: { id: string; revision: Revision; documents: EvidenceDocument[]; onDone(): void }) {
  const { t } = useI18n();
  const d = revision.provenance?.declaration;
  const [sourceType, setSourceType] = useState<SourceType>(d?.sourceType ?? 'own_operations');
  const [method, setMethod] = useState(d?.collectionMethod ?? '');
  const [basis, setBasis] = useState(d?.legalBasis ?? '');
  const [start, setStart] = useState(d?.collectionPeriod.start ?? '');
  const [end, setEnd] = useState(d?.collectionPeriod.end ?? '');
  const [area, setArea] = useState(d?.collectionArea ?? '');
  const [processing, setProcessing] = useState(d?.processing ?? '');
  const [evidence, setEvidence] = useState<string[]>(d?.evidence.map((e) => e.sha256) ?? []);
  const [about, setAbout] = useState('');
  const declare = useAction(async () => {
    await ok(
      api.PUT('/catalog/listings/{id}/provenance', {
        params: { path: { id } },
        body: { sourceType, collectionMethod: method, legalBasis: basis, collectionPeriod: { start, ...(end ? { end } : {}) }, collectionArea: area, processing, evidence: evidence.map((sha256) => ({ sha256, description: about })) },
      }),
    );
    onDone();
  });
  return (
    <form class="form" onSubmit={onSubmit(declare.run)}>
      <h3>{t('myListing.declareProvenance')}</h3>
      <SelectField label={t('provenance.sourceType')} value={sourceType} onValue={setSourceType} options={sourceTypes.map((s) => ({ value: s, label: t(`source.${s}`) }))} />
      <TextField label={t('provenance.collectionMethod')} multiline required value={method} onValue={setMethod} />
      <TextField label={t('provenance.legalBasis')} multiline required value={basis} onValue={setBasis} />
      <div class="row">
        <TextField label={t('listingForm.coverageStart')} type="date" required value={start} onValue={setStart} />
        <TextField label={t('listingForm.coverageEnd')} type="date" value={end} onValue={setEnd} />
        <TextField label={t('provenance.area')} required value={area} onValue={setArea} />
      </div>
      <TextField label={t('provenance.processing')} multiline required value={processing} onValue={setProcessing} />
      <EvidenceChoice documents={documents} chosen={evidence} onChosen={setEvidence} />
      <TextField label={t('myListing.evidenceAbout')} hint={t('myListing.evidenceAboutHint')} value={about} onValue={setAbout} />
      <ProblemAlert error={declare.error} />
      <Submit busy={declare.busy}>{t('myListing.saveProvenance')}</Submit>
    </form>
  );
}

/** The Art. 26 ground (PUT /catalog/listings/{id}/ground): anonymised, or authorised, with evidence. */
function GroundForm({ id, revision, documents, onDone }: { id: string; revision: Revision; documents: EvidenceDocument[]; onDone(): void }) {
  const { t } = useI18n();
  const g = revision.ground?.ground;
  const [kind, setKind] = useState<Ground['ground']>(g?.ground ?? 'anonymised');
  const [method, setMethod] = useState(g?.ground === 'anonymised' ? g.method : '');
  const [risk, setRisk] = useState(g?.ground === 'anonymised' ? g.reidentificationRisk : '');
  const [selfProduced, setSelfProduced] = useState(g?.ground === 'authorised' ? g.selfProduced : false);
  const [authorisedBy, setAuthorisedBy] = useState(g?.ground === 'authorised' ? (g.authorisedBy ?? '') : '');
  const [authorisation, setAuthorisation] = useState(g?.ground === 'authorised' ? g.authorisation : '');
  const [evidence, setEvidence] = useState<string[]>(g?.evidence.map((e) => e.sha256) ?? []);
  const [about, setAbout] = useState('');
  const declare = useAction(async () => {
    const cited = evidence.map((sha256) => ({ sha256, description: about }));
    const body: Ground =
      kind === 'anonymised'
        ? { ground: 'anonymised', method, reidentificationRisk: risk, evidence: cited }
        : { ground: 'authorised', selfProduced, ...(authorisedBy ? { authorisedBy } : {}), authorisation, evidence: cited };
    await ok(api.PUT('/catalog/listings/{id}/ground', { params: { path: { id } }, body }));
    onDone();
  });
  return (
    <form class="form" onSubmit={onSubmit(declare.run)}>
      <h3>{t('myListing.declareGround')}</h3>
      <RadioGroup
        legend={t('ground.kind')}
        name="ground"
        value={kind}
        onValue={setKind}
        options={[
          { value: 'anonymised', label: t('ground.anonymised') },
          { value: 'authorised', label: t('ground.authorised') },
        ]}
      />
      {kind === 'anonymised' ? (
        <>
          <TextField label={t('ground.method')} multiline required value={method} onValue={setMethod} />
          <TextField label={t('ground.risk')} multiline required value={risk} onValue={setRisk} />
        </>
      ) : (
        <>
          <CheckboxField label={t('ground.selfProduced')} checked={selfProduced} onValue={setSelfProduced} />
          <TextField label={t('ground.authorisedBy')} value={authorisedBy} onValue={setAuthorisedBy} />
          <TextField label={t('ground.authorisation')} multiline required value={authorisation} onValue={setAuthorisation} />
        </>
      )}
      <EvidenceChoice documents={documents} chosen={evidence} onChosen={setEvidence} />
      <TextField label={t('myListing.evidenceAbout')} hint={t('myListing.evidenceAboutHint')} value={about} onValue={setAbout} />
      <ProblemAlert error={declare.error} />
      <Submit busy={declare.busy}>{t('myListing.saveGround')}</Submit>
    </form>
  );
}

/**
 * One of the acting party's data products, worked on by its provider: its state and reviews; the
 * dataset versions uploaded (POST …/versions) and the one on sale chosen (PATCH datasetVersionId);
 * evidence documents (POST /catalog/documents); provenance and ground declared; the content edited
 * (an edit to a reviewed listing makes a new draft revision); the revision submitted for review.
 */
export function MyListingPage({ id }: { id: string }) {
  const { t, text, dateTime } = useI18n();
  const listing = useLoad(() => ok(api.GET('/catalog/listings/{id}', { params: { path: { id } } })), [id]);
  const versions = useLoad(() => ok(api.GET('/catalog/listings/{id}/versions', { params: { path: { id } } })), [id]);
  const documents = useLoad(() => ok(api.GET('/catalog/documents', { params: { query: { limit: 100 } } })), []);
  const reviews = useLoad(() => ok(api.GET('/catalog/listings/{id}/reviews', { params: { path: { id } } })), [id]);
  const [editing, setEditing] = useState(false);
  const [submitKey] = useState(idempotencyKey);
  const reload = () => {
    listing.reload();
    versions.reload();
    documents.reload();
    reviews.reload();
  };
  const choose = useAction(async (datasetVersionId: string) => {
    await ok(api.PATCH('/catalog/listings/{id}', { params: { path: { id } }, body: { datasetVersionId } }));
    reload();
  });
  const edit = useAction(async (content: ListingContent) => {
    await ok(api.PATCH('/catalog/listings/{id}', { params: { path: { id } }, body: { content } }));
    setEditing(false);
    reload();
  });
  const submit = useAction(async () => {
    await ok(api.POST('/catalog/listings/{id}/submit', { params: { path: { id }, header: { 'idempotency-key': submitKey } } }));
    reload();
  });
  const l = listing.data;
  const w = l?.working;
  return (
    <Page title={w ? text(w.content.title) : t('myListings.title')} actions={<Link to="/listings">{t('myListings.back')}</Link>}>
      <ProblemAlert error={listing.error} />
      {!l || !w ? (
        listing.loading && <Loading label={t('common.loading')} />
      ) : (
        <>
          <Facts
            items={[
              [t('listing.status'), t(`listingStatus.${l.status}`)],
              [t('listingReview.revision'), t('listingReview.revisionOf', { n: w.number, status: t(`reviewStatus.${w.reviewStatus}`) })],
              ...(l.live && l.live.id !== w.id ? [[t('myListing.onSale'), t('myListing.onSaleRevision', { n: l.live.number })] as [string, string]] : []),
              [t('listingReview.submittedAt'), dateTime(w.submittedAt)],
            ]}
          />
          {editable.includes(w.reviewStatus) && (
            <section aria-labelledby="submit-heading">
              <h2 id="submit-heading">{t('myListing.submitTitle')}</h2>
              <p>{t('myListing.submitIntro')}</p>
              <button type="button" class="primary" onClick={() => void submit.run()} disabled={submit.busy}>
                {t('myListing.submit')}
              </button>
              <ProblemAlert error={submit.error} />
            </section>
          )}
          {w.reviewStatus === 'submitted' && (
            <p class="notice" role="status">
              {t('myListing.waitingForReview')}
            </p>
          )}
          <h2>{t('myListing.versions')}</h2>
          {versions.data && versions.data.length > 0 && (
            <Table
              caption={t('myListing.versions')}
              hideCaption
              rows={versions.data}
              rowKey={(v) => v.id}
              columns={[
                { header: t('dataset.version'), cell: (v) => String(v.number) },
                { header: t('dataset.file'), cell: (v) => v.filename ?? '—' },
                { header: t('dataset.size'), cell: (v) => t('common.bytes', { n: v.sizeBytes }) },
                { header: 'SHA-256', cell: (v) => <code>{v.sha256.slice(0, 16)}…</code> },
                { header: t('myListing.uploadedAt'), cell: (v) => dateTime(v.createdAt) },
                {
                  header: t('myListing.inRevision'),
                  cell: (v) =>
                    w.datasetVersion?.id === v.id ? (
                      <strong>{t('myListing.chosen')}</strong>
                    ) : (
                      <button type="button" onClick={() => void choose.run(v.id)} disabled={choose.busy} aria-label={t('myListing.chooseVersionN', { n: v.number })}>
                        {t('myListing.chooseVersion')}
                      </button>
                    ),
                },
              ]}
            />
          )}
          <ProblemAlert error={choose.error ?? versions.error} />
          <Upload
            label={t('myListing.versionFile')}
            hint={t('myListing.versionHint')}
            action={(file) => ok(api.POST('/catalog/listings/{id}/versions', { params: { path: { id }, query: { filename: file.name } }, ...rawFile(file) }))}
            onDone={reload}
          />
          <RevisionProvenance revision={w} />
          <h2>{t('myListing.documents')}</h2>
          <Upload
            label={t('myListing.documentFile')}
            hint={t('myListing.documentHint')}
            action={(file) => ok(api.POST('/catalog/documents', { params: { query: { filename: file.name } }, ...rawFile(file) }))}
            onDone={documents.reload}
          />
          {documents.data && (
            <>
              <ProvenanceForm key={`p-${w.provenance?.id ?? 'none'}-${documents.data.items.length}`} id={id} revision={w} documents={documents.data.items} onDone={reload} />
              <GroundForm key={`g-${w.ground?.id ?? 'none'}-${documents.data.items.length}`} id={id} revision={w} documents={documents.data.items} onDone={reload} />
            </>
          )}
          <h2>{t('myListing.content')}</h2>
          {editing ? (
            <ListingContentForm initial={w.content as ListingContent} busy={edit.busy} error={edit.error} submitLabel={t('myListing.saveContent')} onSave={(content) => void edit.run(content)} />
          ) : (
            <>
              <p>{w.reviewStatus === 'draft' ? t('myListing.editDraft') : t('myListing.editReviewed')}</p>
              <button type="button" onClick={() => setEditing(true)}>
                {t('myListing.edit')}
              </button>
            </>
          )}
          <h2>{t('listingReview.history')}</h2>
          <ReviewHistory reviews={reviews.data} />
        </>
      )}
    </Page>
  );
}
