import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField, Submit } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { PartyCrossBorder } from '../operator/security-assessments';
import { PartyPeople } from './party-people';

type DocumentKind = NonNullable<paths['/parties/{id}/documents']['post']['parameters']['query']>['kind'];
const mediaTypes = ['application/pdf', 'image/png', 'image/jpeg'];
/** A party can be (re)submitted from these standings (POST /parties/{id}/submission). */
const submittable = ['unverified', 'rejected', 'needs_more_info', 'expired'];

/**
 * One of the user's parties: its record and standing, the operator's last decision, its
 * documents, a document uploaded as the raw file (POST /parties/{id}/documents), and the
 * submission for verification.
 */
export function PartyPage({ id }: { id: string }) {
  const { t, dateTime } = useI18n();
  const session = useSession();
  const party = useLoad(() => ok(api.GET('/parties/{id}', { params: { path: { id } } })), [id]);
  const [kind, setKind] = useState<DocumentKind>('business_licence');
  const [file, setFile] = useState<File | null>(null);
  const upload = useAction(async () => {
    if (!file) return;
    await ok(
      api.POST('/parties/{id}/documents', {
        params: { path: { id }, query: { kind } },
        // The document is the raw body, in its own media type (not JSON).
        body: file as unknown as string,
        bodySerializer: (body: unknown) => body,
        headers: { 'content-type': file.type },
      }),
    );
    setFile(null);
    party.reload();
  });
  const keys = useIdempotencyKeys();
  const submit = useAction(async () => {
    await keys.act({ submission: id }, (key) => ok(api.POST('/parties/{id}/submission', { params: { path: { id }, header: { 'idempotency-key': key } } })));
    party.reload();
    await session.reloadParties();
  });
  const p = party.data;
  const admin = session.parties.find((m) => m.id === id)?.memberRole === 'admin';
  return (
    <Page title={p?.legalName ?? t('parties.title')} actions={<Link to="/parties">{t('parties.back')}</Link>}>
      <WhenLoaded loaded={party}>
        {(p) => (
        <>
          <Facts
            items={[
              [t('party.kind'), t(`partyKind.${p.kind}`)],
              [t('party.identityNumber'), <code>{p.identityNumberMasked}</code>],
              [t('party.status'), <strong>{t(`partyStatus.${p.verificationStatus}`)}</strong>],
              [t('parties.verifiedUntil'), dateTime(p.verifiedUntil)],
              ...(p.lastReview?.reasons ? [[t('partyReview.reasons'), p.lastReview.reasons] as [string, string]] : []),
            ]}
          />
          <h2>{t('partyReview.documents')}</h2>
          {p.documents.length === 0 ? (
            <p>{t('partyReview.noDocuments')}</p>
          ) : (
            <ul class="plain">
              {p.documents.map((d) => (
                <li key={d.id}>
                  {t(`documentKind.${d.kind}`)} <span class="meta">· {d.mediaType} · {t('common.bytes', { n: d.sizeBytes })} · {dateTime(d.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
          {admin && submittable.includes(p.verificationStatus) && (
            <>
              <form class="form narrow" onSubmit={onSubmit(upload.run)}>
                <h3>{t('party.uploadTitle')}</h3>
                <SelectField label={t('party.documentKind')} value={kind} onValue={setKind} options={(['business_licence', 'authorisation_letter', 'identity_document', 'other'] as const).map((k) => ({ value: k, label: t(`documentKind.${k}`) }))} />
                <div class="field">
                  <label for="party-document-file">{t('party.documentFile')}</label>
                  <input id="party-document-file" type="file" accept={mediaTypes.join(',')} required onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
                </div>
                <ProblemAlert error={upload.error} />
                <Submit busy={upload.busy}>{t('party.upload')}</Submit>
              </form>
              <p>{t('party.submitIntro')}</p>
              <button type="button" class="primary" onClick={() => void submit.run()} disabled={submit.busy}>
                {t('party.submit')}
              </button>
              <ProblemAlert error={submit.error} />
            </>
          )}
          {p.verificationStatus === 'submitted' && <p role="status">{t('party.waiting')}</p>}
          <PartyCrossBorder party={p} />
          <PartyPeople partyId={id} admin={admin} />
        </>
        )}
      </WhenLoaded>
    </Page>
  );
}
