import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { RadioGroup, SelectField, Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { onSubmit, useAction } from '../../lib/use-action';
import type { PublicDataRequest } from './request-parts';

type AnswerBody = paths['/public-data/requests/{id}/answer']['post']['requestBody']['content']['application/json'];
type BasisKind = NonNullable<AnswerBody['legalBasis']>['kind'];
type Interval = NonNullable<AnswerBody['reportEveryMonths']>;

/** Now in Beijing time as a datetime-local value (YYYY-MM-DDTHH:mm). */
const nowInShanghai = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16);

/**
 * The department extends the deadline once, before it passes, on its head's approval (Art. 16 ¶2,
 * Art. 18 ¶2): at most 10 working days for opening, 5 for sharing. The approval's time is typed in
 * Beijing time.
 */
export function ExtensionForm({ request, onChange }: { request: PublicDataRequest; onChange(): void }) {
  const { t } = useI18n();
  const most = request.kind === 'open' ? 10 : 5;
  const [days, setDays] = useState(String(most));
  const [name, setName] = useState('');
  const [title, setTitle] = useState('');
  const [approvedAt, setApprovedAt] = useState(nowInShanghai);
  const [reason, setReason] = useState('');
  const keys = useIdempotencyKeys();
  const extend = useAction(async () => {
    const body = { workingDays: Number(days), approverName: name, approverTitle: title, approvedAt: new Date(`${approvedAt}:00+08:00`).toISOString(), reason };
    await ok(api.POST('/public-data/requests/{id}/extension', { params: { path: { id: request.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onChange();
  });
  return (
    <section aria-labelledby="extension-heading">
      <h2 id="extension-heading">{t('pdExtend.title')}</h2>
      <form class="form narrow" onSubmit={onSubmit(extend.run)}>
        <TextField label={t('pdExtend.workingDays')} hint={t('pdExtend.workingDaysHint', { most })} type="number" min={1} required value={days} onValue={setDays} />
        <TextField label={t('pdExtend.approverName')} required value={name} onValue={setName} />
        <TextField label={t('pdExtend.approverTitle')} required value={title} onValue={setTitle} />
        <TextField label={t('pdExtend.approvedAt')} type="datetime-local" required value={approvedAt} onValue={setApprovedAt} />
        <TextField label={t('pdExtend.reason')} multiline required value={reason} onValue={setReason} />
        <ProblemAlert error={extend.error} />
        <Submit busy={extend.busy}>{t('pdExtend.submit')}</Submit>
      </form>
    </section>
  );
}

/**
 * The department's answer: an approval (for opening, the disposal at the end and how often the
 * user reports; it drafts the utilization agreement), or a refusal with its reasons and legal basis.
 */
export function AnswerForm({ request, onChange }: { request: PublicDataRequest; onChange(): void }) {
  const { t } = useI18n();
  const [decision, setDecision] = useState<AnswerBody['decision'] | ''>('');
  const [disposal, setDisposal] = useState('');
  const [every, setEvery] = useState<`${Interval}`>('3');
  const [reasons, setReasons] = useState('');
  const [basisKind, setBasisKind] = useState<BasisKind>('regulation');
  const [basisTitle, setBasisTitle] = useState('');
  const [article, setArticle] = useState('');
  const keys = useIdempotencyKeys();
  const answer = useAction(async () => {
    if (!decision) return;
    const body: AnswerBody =
      decision === 'approve'
        ? { decision, ...(disposal ? { disposal } : {}), ...(request.kind === 'open' ? { reportEveryMonths: Number(every) as Interval } : {}) }
        : { decision, reasons, legalBasis: { kind: basisKind, title: basisTitle, ...(article ? { article } : {}) } };
    await ok(api.POST('/public-data/requests/{id}/answer', { params: { path: { id: request.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onChange();
  });
  return (
    <section aria-labelledby="answer-heading">
      <h2 id="answer-heading">{t('pdAnswer.title')}</h2>
      <form class="form narrow" onSubmit={onSubmit(answer.run)}>
        <RadioGroup
          legend={t('pdAnswer.decision')}
          name="decision"
          required
          value={decision}
          onValue={setDecision}
          options={[
            { value: 'approve', label: t('pdAnswer.approve') },
            { value: 'refuse', label: t('pdAnswer.refuse') },
          ]}
        />
        {decision === 'approve' && request.kind === 'open' && (
          <>
            <TextField label={t('pdAnswer.disposal')} hint={t('pdAnswer.disposalHint')} multiline value={disposal} onValue={setDisposal} />
            <SelectField label={t('pdAnswer.reportEvery')} value={every} onValue={setEvery} options={(['1', '3', '6', '12'] as const).map((n) => ({ value: n, label: t('pdAnswer.months', { n }) }))} />
          </>
        )}
        {decision === 'refuse' && (
          <>
            <TextField label={t('pdAnswer.reasons')} multiline required value={reasons} onValue={setReasons} />
            <SelectField
              label={t('legalBasis.kind')}
              value={basisKind}
              onValue={setBasisKind}
              options={(['law', 'regulation', 'national_document'] as const).map((k) => ({ value: k, label: t(`legalBasis.${k}`) }))}
            />
            <TextField label={t('legalBasis.title')} required value={basisTitle} onValue={setBasisTitle} />
            <TextField label={t('legalBasis.article')} value={article} onValue={setArticle} />
          </>
        )}
        <ProblemAlert error={answer.error} />
        <Submit busy={answer.busy}>{t('pdAnswer.submit')}</Submit>
      </form>
    </section>
  );
}
