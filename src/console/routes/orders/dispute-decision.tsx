import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { RadioGroup, Submit, TextField } from '../../components/fields';
import { Facts } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { minorOf } from '../../lib/money-input';
import { onSubmit, useAction } from '../../lib/use-action';
import { useIdempotencyKeys } from '../../lib/idempotency';

type Order = paths['/orders/{id}/record']['get']['responses']['200']['content']['application/json']['order'];
type Outcome = paths['/orders/{id}/dispute/decision']['post']['requestBody']['content']['application/json']['outcome'];

/**
 * A dispute: the buyer's reason, and for an operator the decision (POST /orders/{id}/dispute/decision):
 * the whole price back to the buyer, a part of it, or the money released to the provider, with the
 * reason. Once decided, the decision.
 */
export function DisputeSection({ order, operator, onChange }: { order: Order; operator: boolean; onChange(): void }) {
  const { t, money, dateTime } = useI18n();
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [refund, setRefund] = useState('');
  const [reason, setReason] = useState('');
  const keys = useIdempotencyKeys();
  const decide = useAction(async () => {
    if (!outcome) return;
    const body = { outcome, reason, ...(outcome === 'partial_refund' ? { refundMinor: minorOf(refund) } : {}) };
    await ok(api.POST('/orders/{id}/dispute/decision', { params: { path: { id: order.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onChange();
  });
  const d = order.decision;
  return (
    <section aria-labelledby="dispute-heading">
      <h2 id="dispute-heading">{t('dispute.title')}</h2>
      <Facts
        items={[
          [t('dispute.buyerReason'), order.disputeReason ?? '—'],
          ...(d
            ? ([
                [t('dispute.outcome'), t(`disputeOutcome.${d.outcome as Outcome}`)],
                [t('dispute.refund'), money(d.refundMinor, order.currency)],
                [t('dispute.reason'), d.reason],
                [t('dispute.decidedAt'), dateTime(d.decidedAt)],
              ] as [string, string][])
            : []),
        ]}
      />
      {operator && order.status === 'disputed' && (
        <form class="form narrow" onSubmit={onSubmit(decide.run)}>
          <RadioGroup
            legend={t('dispute.outcome')}
            name="outcome"
            required
            value={outcome}
            onValue={setOutcome}
            options={(['full_refund', 'partial_refund', 'release'] as const).map((o) => ({ value: o, label: t(`disputeOutcome.${o}`) }))}
          />
          {outcome === 'partial_refund' && <TextField label={t('dispute.refundYuan')} hint={t('dispute.refundHint', { price: money(order.amountMinor, order.currency) })} required value={refund} onValue={setRefund} />}
          <TextField label={t('dispute.reason')} multiline required value={reason} onValue={setReason} />
          <ProblemAlert error={decide.error} />
          <Submit busy={decide.busy}>{t('dispute.decide')}</Submit>
        </form>
      )}
    </section>
  );
}
