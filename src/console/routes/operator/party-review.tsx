import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { CheckboxField, RadioGroup, Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { saveBlob } from '../../lib/download';
import { Link } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { PartyCrossBorder } from './security-assessments';
import { SuspensionSection } from './suspension';
import { useIdempotencyKeys } from '../../lib/idempotency';

type ReviewBody = paths['/parties/{id}/reviews']['post']['requestBody']['content']['application/json'];
type Checklist = ReviewBody['checklist'];
type Decision = ReviewBody['decision'];
type PartyDocument = paths['/parties/{id}']['get']['responses']['200']['content']['application/json']['documents'][number];

const checklistItems: (keyof Checklist)[] = ['identityNumberMatchesDocuments', 'legalNameMatchesDocuments', 'representativeConfirmed', 'documentsLegibleAndCurrent'];

/**
 * A submitted party with its documents (each downloaded through the API with the operator's
 * token), and the decision with its recorded checklist (POST /parties/{id}/reviews).
 */
export function PartyReviewPage({ id }: { id: string }) {
  const { t, dateTime } = useI18n();
  const party = useLoad(() => ok(api.GET('/parties/{id}', { params: { path: { id } } })), [id]);
  const [checklist, setChecklist] = useState<Checklist>({ identityNumberMatchesDocuments: false, legalNameMatchesDocuments: false, representativeConfirmed: false, documentsLegibleAndCurrent: false });
  const [decision, setDecision] = useState<Decision | ''>('');
  const [reasons, setReasons] = useState('');
  const keys = useIdempotencyKeys();
  const [decided, setDecided] = useState<Decision | null>(null);
  const review = useAction(async () => {
    if (!decision) return;
    const body = { decision, checklist, reasons };
    await ok(api.POST('/parties/{id}/reviews', { params: { path: { id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    setDecided(decision);
    party.reload();
  });
  const download = useAction(async (doc: PartyDocument) => {
    const blob = await ok(api.GET('/parties/{id}/documents/{documentId}', { params: { path: { id, documentId: doc.id } }, parseAs: 'blob' }));
    saveBlob(blob, `${t(`documentKind.${doc.kind}`)}-${doc.sha256.slice(0, 8)}${extensionOf(doc.mediaType)}`);
  });

  const p = party.data;
  return (
    <Page
      title={p ? t('partyReview.title', { name: p.legalName }) : t('partyReview.titleLoading')}
      actions={
        <>
          <Link to={`/audit?party=${id}&relation=concerned`}>{t('audit.ofParty')}</Link> <Link to="/review/parties">{t('partyReview.back')}</Link>
        </>
      }
    >
      <WhenLoaded loaded={party}>
        {(p) => (
        <>
          <Facts
            items={[
              [t('party.kind'), t(`partyKind.${p.kind}`)],
              [t('party.legalName'), p.legalName],
              [t('party.representative'), p.representative],
              [t('party.identityNumber'), <code>{p.identityNumberMasked}</code>],
              [t('party.identityScheme'), t(`identityScheme.${p.identityScheme}`)],
              [t('party.country'), p.country],
              [t('party.status'), t(`partyStatus.${p.verificationStatus}`)],
              [t('party.registeredAt'), dateTime(p.createdAt)],
              [t('party.contacts'), p.contacts.map((c) => [c.name, c.phone, c.email].filter(Boolean).join(' · ')).join('；')],
              ...(p.suspensionReason ? [[t('suspension.currentReason'), p.suspensionReason] as [string, string]] : []),
            ]}
          />
          <h2>{t('partyReview.documents')}</h2>
          {p.documents.length === 0 ? (
            <p>{t('partyReview.noDocuments')}</p>
          ) : (
            <ul class="plain">
              {p.documents.map((doc) => (
                <li key={doc.id}>
                  <button type="button" class="link" onClick={() => void download.run(doc)}>
                    {t('partyReview.downloadOf', { kind: t(`documentKind.${doc.kind}`) })}
                  </button>{' '}
                  <span class="meta">
                    {doc.mediaType} · {t('common.bytes', { n: doc.sizeBytes })} · {dateTime(doc.createdAt)} · SHA-256 <code>{doc.sha256.slice(0, 16)}…</code>
                  </span>
                </li>
              ))}
            </ul>
          )}
          <ProblemAlert error={download.error} />
          {p.lastReview && (
            <>
              <h2>{t('partyReview.lastReview')}</h2>
              <Facts
                items={[
                  [t('partyReview.decision'), t(`partyDecision.${p.lastReview.decision}`)],
                  [t('partyReview.reasons'), p.lastReview.reasons || '—'],
                  [t('partyReview.decidedAt'), dateTime(p.lastReview.decidedAt)],
                ]}
              />
            </>
          )}
          <PartyCrossBorder party={p} />
          {(p.verificationStatus === 'verified' || p.verificationStatus === 'suspended') && (
            <SuspensionSection kind="party" id={p.id} suspended={p.verificationStatus === 'suspended'} onChange={party.reload} />
          )}
          {decided ? (
            <p class="success" role="status">
              {t('partyReview.done', { decision: t(`partyDecision.${decided}`) })}
            </p>
          ) : (
            p.verificationStatus === 'submitted' && (
              <form class="form" onSubmit={onSubmit(review.run)}>
                <h2>{t('partyReview.decide')}</h2>
                <fieldset>
                  <legend>{t('partyReview.checklist')}</legend>
                  {checklistItems.map((item) => (
                    <CheckboxField key={item} label={t(`partyChecklist.${item}`)} checked={checklist[item]} onValue={(v) => setChecklist({ ...checklist, [item]: v })} />
                  ))}
                </fieldset>
                <RadioGroup
                  legend={t('partyReview.decision')}
                  name="decision"
                  required
                  value={decision}
                  onValue={setDecision}
                  options={(['verified', 'needs_more_info', 'rejected'] as const).map((d) => ({ value: d, label: t(`partyDecision.${d}`) }))}
                />
                <TextField label={t('partyReview.reasons')} hint={t('partyReview.reasonsHint')} multiline value={reasons} onValue={setReasons} />
                <ProblemAlert error={review.error} />
                <Submit busy={review.busy}>{t('partyReview.submit')}</Submit>
              </form>
            )
          )}
        </>
        )}
      </WhenLoaded>
    </Page>
  );
}

const extensionOf = (mediaType: string) => ({ 'application/pdf': '.pdf', 'image/png': '.png', 'image/jpeg': '.jpg' })[mediaType] ?? '';
