import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { RadioGroup, Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { MoreRows } from '../../components/table';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { saveBlob } from '../../lib/download';
import { ObjectionSetting } from '../bureau/objection-setting';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { onSubmit, useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';

type Objection = paths['/public-data/objections/{id}']['get']['responses']['200']['content']['application/json'];
type Answer = paths['/public-data/objections/{id}/answer']['post']['requestBody']['content']['application/json']['answer'];

/** The department's answer to an open objection: confirmed (then a new version corrects it) or rejected with reasons (Art. 22). */
function ObjectionAnswer({ objection, onChange }: { objection: Objection; onChange(): void }) {
  const { t } = useI18n();
  const [answer, setAnswer] = useState<Answer | ''>('');
  const [reasons, setReasons] = useState('');
  const keys = useIdempotencyKeys();
  const send = useAction(async () => {
    if (!answer) return;
    const body = answer === 'rejected' ? { answer, reasons } : { answer };
    await ok(api.POST('/public-data/objections/{id}/answer', { params: { path: { id: objection.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onChange();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(send.run)}>
      <RadioGroup
        legend={t('objections.answer')}
        name={`objection-${objection.id}`}
        required
        value={answer}
        onValue={setAnswer}
        options={[
          { value: 'confirmed', label: t('objectionStatus.confirmed') },
          { value: 'rejected', label: t('objectionStatus.rejected') },
        ]}
      />
      {answer === 'rejected' && <TextField label={t('objections.reasons')} multiline required value={reasons} onValue={setReasons} />}
      {answer === 'confirmed' && <p class="hint">{t('objections.confirmHint')}</p>}
      <ProblemAlert error={send.error} />
      <Submit busy={send.busy}>{t('objections.send')}</Submit>
    </form>
  );
}

/**
 * Doubts and errors raised about published entries (Art. 22): a department those on its entries,
 * with their deadlines (provisional ones marked) and evidence, and answers the open ones; the
 * bureau reads every department's and sets the working days to answer.
 */
export function ObjectionsPage() {
  const { t, dateTime } = useI18n();
  const session = useSession();
  const department = session.has('department');
  const objections = usePagedLoad((query) => ok(api.GET('/public-data/objections', { params: { query } })), [session.state.partyId]);
  const evidence = useAction(async (o: Objection) => {
    const blob = await ok(api.GET('/public-data/objections/{id}/evidence', { params: { path: { id: o.id } }, parseAs: 'blob' }));
    saveBlob(blob, o.evidenceFile?.filename ?? 'evidence');
  });
  return (
    <Page title={t('objections.title')}>
      <p>{t('objections.intro')}</p>
      {session.has('bureau') && <ObjectionSetting />}
      <ProblemAlert error={evidence.error} />
      <WhenLoaded loaded={objections}>
        {(data) =>
          data.items.length === 0 ? (
            <p>{t('objections.none')}</p>
          ) : (
            data.items.map((o, i) => (
              <article key={o.id} class="card" aria-labelledby={`objection-${i}`}>
                <h2 id={`objection-${i}`}>
                  {t(`objectionKind.${o.kind}`)}：{o.description}
                </h2>
                <Facts
                  items={[
                    [t('objections.status'), t(`objectionStatus.${o.status}`)],
                    [t('objections.entry'), <Link to={`/public-data/entries/${o.entryId}`}>{o.entryId}</Link>],
                    [t('objections.receivedAt'), dateTime(o.receivedAt)],
                    [
                      t('objections.dueAt'),
                      `${dateTime(o.deadline.dueAt)}${o.deadline.provisional ? ` · ${t('pdRequest.provisional')}` : ''}${o.overdue && !o.answeredAt ? ` · ${t('pdRequest.overdue')}` : ''}`,
                    ],
                    [t('objections.evidence'), o.evidenceText],
                    ...(o.reasons ? ([[t('objections.reasons'), o.reasons]] as [string, string][]) : []),
                  ]}
                />
                {o.evidenceFile && (
                  <button type="button" onClick={() => void evidence.run(o)} disabled={evidence.busy}>
                    {t('objections.downloadEvidence', { file: o.evidenceFile.filename ?? o.evidenceFile.mediaType })}
                  </button>
                )}
                {department && o.status === 'open' && <ObjectionAnswer objection={o} onChange={objections.reload} />}
              </article>
            ))
          )
        }
      </WhenLoaded>
      <MoreRows paged={objections} />
    </Page>
  );
}
