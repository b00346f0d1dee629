import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { navigate } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';

/**
 * A request for conditionally open entries (POST /public-data/requests, Art. 18 ¶2): purpose,
 * scenario, safeguards and the term in Beijing calendar days, one Idempotency-Key per content sent,
 * so that a second click makes no second request. It leads to the request's page once made.
 */
export function RequestForm({ entryIds, ready, submitLabel, onMade }: { entryIds: string[]; ready: boolean; submitLabel: string; onMade?: () => void }) {
  const { t } = useI18n();
  const [purpose, setPurpose] = useState('');
  const [scenario, setScenario] = useState('');
  const [safeguards, setSafeguards] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const keys = useIdempotencyKeys();
  const send = useAction(async () => {
    const body = { entryIds, purpose, scenario, safeguards, term: { start, end } };
    const made = await ok(api.POST('/public-data/requests', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onMade?.();
    navigate(`/public-data/requests/${made.id}`);
  });
  return (
    <form class="form" onSubmit={onSubmit(send.run)}>
      <TextField label={t('pdRequest.purpose')} required value={purpose} onValue={setPurpose} />
      <TextField label={t('pdRequest.scenario')} required value={scenario} onValue={setScenario} />
      <TextField label={t('pdRequest.safeguards')} multiline required value={safeguards} onValue={setSafeguards} />
      <TextField label={t('sharing.termStart')} hint={t('apply.termHint')} type="date" required value={start} onValue={setStart} />
      <TextField label={t('sharing.termEnd')} type="date" required value={end} onValue={setEnd} />
      <ProblemAlert error={send.error} />
      <Submit busy={send.busy || !ready}>{submitLabel}</Submit>
    </form>
  );
}
