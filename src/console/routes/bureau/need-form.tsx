import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { onSubmit, useAction } from '../../lib/use-action';
import { useIdempotencyKeys } from '../../lib/idempotency';

/**
 * A department files a purchase need for the bureau to buy centrally (Chongqing draft Art. 27 ¶3):
 * the data wanted, the duty they serve and its legal basis, the budget in yuan and the term. The
 * API flags it over budget, and names published entries it could have by sharing instead (Art. 13(2)).
 */
export function NeedForm({ onFiled }: { onFiled(): void }) {
  const { t } = useI18n();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [duty, setDuty] = useState('');
  const [legalBasis, setLegalBasis] = useState('');
  const [yuan, setYuan] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [year, setYear] = useState(String(new Date(Date.now() + 8 * 3600_000).getUTCFullYear()));
  const keys = useIdempotencyKeys();
  const file = useAction(async () => {
    const body = { title, description, duty, legalBasis, budgetMinor: Math.round(Number(yuan) * 100), term: { start, end }, budgetYear: Number(year) };
    await ok(api.POST('/procurement/needs', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    setTitle('');
    onFiled();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(file.run)}>
      <h3>{t('need.title')}</h3>
      <TextField label={t('need.what')} required value={title} onValue={setTitle} />
      <TextField label={t('need.description')} multiline required value={description} onValue={setDescription} />
      <TextField label={t('need.duty')} multiline required value={duty} onValue={setDuty} />
      <TextField label={t('need.legalBasis')} required value={legalBasis} onValue={setLegalBasis} />
      <TextField label={t('need.budget')} type="number" min={0.01} step="0.01" required value={yuan} onValue={setYuan} />
      <TextField label={t('sharing.termStart')} type="date" required value={start} onValue={setStart} />
      <TextField label={t('sharing.termEnd')} type="date" required value={end} onValue={setEnd} />
      <TextField label={t('procurement.budgetYear')} type="number" min={2000} required value={year} onValue={setYear} />
      <ProblemAlert error={file.error} />
      <Submit busy={file.busy}>{t('need.submit')}</Submit>
    </form>
  );
}
