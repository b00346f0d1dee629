import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField, Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable, type Column } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { minorOf, yuanOf } from '../../lib/money-input';
import { Link } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';

type RefundQuery = NonNullable<paths['/settlement/refunds']['get']['parameters']['query']>;
export type Refund = paths['/settlement/refunds']['get']['responses']['200']['content']['application/json']['items'][number];
type Status = NonNullable<RefundQuery['status']>;
type Kind = NonNullable<RefundQuery['kind']>;

/**
 * A refund due by bank: the exchange has no rail that pays it by itself, so an operator pays it at
 * the bank and records the transfer here (POST /settlement/payments/{id}/refunds/{refundId}/bank-transfer).
 */
export function RefundTransferForm({ refund, onRecorded }: { refund: Refund; onRecorded(): void }) {
  const { t } = useI18n();
  const [amount, setAmount] = useState(yuanOf(refund.amountMinor));
  const [bankReference, setBankReference] = useState('');
  const keys = useIdempotencyKeys();
  const record = useAction(async () => {
    const body = { amountMinor: minorOf(amount), currency: refund.currency, bankReference };
    const path = { id: refund.paymentId, refundId: refund.id };
    await ok(api.POST('/settlement/payments/{id}/refunds/{refundId}/bank-transfer', { params: { path, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onRecorded();
  });
  return (
    <form class="form inline-form" onSubmit={onSubmit(record.run)} aria-label={t('refunds.transferFormOf', { id: refund.id.slice(0, 8) })}>
      <TextField label={t('settlement.amountYuan')} required value={amount} onValue={setAmount} />
      <TextField label={t('settlement.bankReference')} required value={bankReference} onValue={setBankReference} />
      <ProblemAlert error={record.error} />
      <Submit busy={record.busy}>{t('refunds.recordTransfer')}</Submit>
    </form>
  );
}

/** The columns of a refund: its order, kind, rail, amount, state and reason; a due bank refund's form, or when it was paid. */
export function useRefundColumns(onRecorded: () => void): Column<Refund>[] {
  const { t, money, dateTime } = useI18n();
  return [
    { header: t('settlement.order'), cell: (r) => <Link to={`/orders/${r.orderId}`}>{t('settlement.orderOf', { id: r.orderId.slice(0, 8) })}</Link> },
    { header: t('refunds.kind'), cell: (r) => t(`refundKind.${r.kind}`) },
    { header: t('settlement.rail'), cell: (r) => t(`rail.${r.rail}`) },
    { header: t('settlement.amount'), cell: (r) => money(r.amountMinor, r.currency) },
    { header: t('refunds.status'), cell: (r) => t(`refundStatus.${r.status}`) },
    { header: t('refunds.reason'), cell: (r) => r.reason },
    { header: t('settlement.since'), cell: (r) => dateTime(r.createdAt) },
    {
      header: t('refunds.paidOrAction'),
      cell: (r) =>
        r.status === 'refunded' ? (
          `${dateTime(r.refundedAt)} · ${r.bankReference ?? r.stripeRefundId ?? ''}`
        ) : r.rail === 'bank_transfer' && r.status === 'due' ? (
          <RefundTransferForm refund={r} onRecorded={onRecorded} />
        ) : (
          t('refunds.withStripe')
        ),
    },
  ];
}

/**
 * Refunds to buyers (GET /settlement/refunds) by state and kind: a dispute decided for the buyer,
 * before or after the payout, and money paid beyond the price. A refund due by bank transfer is
 * recorded here once paid; a refund after the payout is ordered from the payment (its page,
 * reached from the paid payouts on the settlement page).
 */
export function RefundsPage() {
  const { t } = useI18n();
  const [status, setStatus] = useState<Status | ''>('');
  const [kind, setKind] = useState<Kind | ''>('');
  const refunds = usePagedLoad((page) => ok(api.GET('/settlement/refunds', { params: { query: { ...page, ...(status ? { status } : {}), ...(kind ? { kind } : {}) } } })), [status, kind]);
  const columns = useRefundColumns(refunds.reload);
  return (
    <Page title={t('refunds.title')} actions={<Link to="/settlement">{t('nav.settlement')}</Link>}>
      <p>{t('refunds.intro')}</p>
      <div class="row">
        <SelectField
          label={t('refunds.status')}
          value={status}
          onValue={setStatus}
          options={[{ value: '' as const, label: t('refunds.any') }, ...(['due', 'submitted', 'refunded'] as const).map((s) => ({ value: s, label: t(`refundStatus.${s}`) }))]}
        />
        <SelectField
          label={t('refunds.kind')}
          value={kind}
          onValue={setKind}
          options={[{ value: '' as const, label: t('refunds.any') }, ...(['dispute', 'overpayment'] as const).map((k) => ({ value: k, label: t(`refundKind.${k}`) }))]}
        />
      </div>
      <LoadedTable loaded={refunds} empty={t('refunds.none')} caption={(n) => t('refunds.caption', { n })} rowKey={(r) => r.id} columns={columns} />
    </Page>
  );
}
