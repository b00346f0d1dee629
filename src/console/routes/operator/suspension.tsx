import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { onSubmit, useAction } from '../../lib/use-action';
import { useIdempotencyKeys } from '../../lib/idempotency';

/**
 * Suspending a party or a listing pending an investigation, and lifting it, always with the reason
 * (Art. 28(4); POST /parties/{id}/suspension and /reinstatement, POST /catalog/listings/{id}/suspend
 * and /reinstate). The API audits each with its reason and tells the party.
 */
export function SuspensionSection({ kind, id, suspended, onChange }: { kind: 'party' | 'listing'; id: string; suspended: boolean; onChange(): void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const keys = useIdempotencyKeys();
  const act = useAction(async () => {
    const body = { reason };
    const params = { path: { id }, header: { 'idempotency-key': keys.keyFor({ suspended, body }) } };
    if (kind === 'party') await ok(suspended ? api.POST('/parties/{id}/reinstatement', { params, body }) : api.POST('/parties/{id}/suspension', { params, body }));
    else await ok(suspended ? api.POST('/catalog/listings/{id}/reinstate', { params, body }) : api.POST('/catalog/listings/{id}/suspend', { params, body }));
    setReason('');
    keys.forget();
    onChange();
  });
  return (
    <section aria-labelledby={`suspension-${kind}`}>
      <h2 id={`suspension-${kind}`}>{t('suspension.title')}</h2>
      <p>{t(suspended ? `suspension.${kind}IsSuspended` : `suspension.${kind}Intro`)}</p>
      <form class="form narrow" onSubmit={onSubmit(act.run)}>
        <TextField label={t(suspended ? 'suspension.liftReason' : 'suspension.reason')} hint={t('suspension.reasonHint')} multiline required value={reason} onValue={setReason} />
        <ProblemAlert error={act.error} />
        <Submit busy={act.busy}>{t(suspended ? 'suspension.lift' : 'suspension.suspend')}</Submit>
      </form>
    </section>
  );
}
