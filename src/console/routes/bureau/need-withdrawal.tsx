import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField, Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { onSubmit, useAction } from '../../lib/use-action';

type Need = paths['/procurement/needs/{id}']['get']['responses']['200']['content']['application/json'];

/**
 * A department withdraws a need it no longer has, with its reason, while the bureau has not
 * consolidated it yet (the API refuses it after; its budget share is then the bureau's to cancel).
 */
export function NeedWithdrawal({ needs, onWithdrawn }: { needs: Need[]; onWithdrawn(): void }) {
  const { t, money } = useI18n();
  const filed = needs.filter((n) => n.status === 'filed');
  const [needId, setNeedId] = useState('');
  const [reason, setReason] = useState('');
  const keys = useIdempotencyKeys();
  const withdraw = useAction(async () => {
    const id = needId || filed[0]?.id;
    if (!id) return;
    const body = { reason };
    await ok(api.POST('/procurement/needs/{id}/withdrawal', { params: { path: { id }, header: { 'idempotency-key': keys.keyFor({ id, ...body }) } }, body }));
    keys.forget();
    setReason('');
    setNeedId('');
    onWithdrawn();
  });
  if (filed.length === 0) return null;
  return (
    <form class="form narrow" onSubmit={onSubmit(withdraw.run)}>
      <h3>{t('needWithdrawal.title')}</h3>
      <SelectField label={t('needWithdrawal.need')} required value={needId || filed[0]!.id} onValue={setNeedId} options={filed.map((n) => ({ value: n.id, label: `${n.title} · ${money(n.budgetMinor, n.currency)} · ${n.budgetYear}` }))} />
      <TextField label={t('needWithdrawal.reason')} multiline required value={reason} onValue={setReason} />
      <ProblemAlert error={withdraw.error} />
      <Submit busy={withdraw.busy}>{t('needWithdrawal.submit')}</Submit>
    </form>
  );
}
