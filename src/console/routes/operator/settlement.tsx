import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Submit, TextField } from '../../components/fields';
import { LoadedTable } from '../../components/table';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { minorOf, yuanOf } from '../../lib/money-input';
import { Link } from '../../lib/router';
import { shanghaiDayEnd, shanghaiDayStart, shanghaiToday } from '../../lib/shanghai-day';
import { onSubmit, useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';
import { useIdempotencyKeys } from '../../lib/idempotency';

type Payout = paths['/settlement/payouts']['get']['responses']['200']['content']['application/json']['items'][number];
type Receipt = paths['/settlement/bank-receipts']['post']['responses']['201']['content']['application/json'];
type Reconciliation = paths['/settlement/reconciliation']['get']['responses']['200']['content']['application/json'];

/** A credit on the exchange's account, typed from the bank's advice (POST /settlement/bank-receipts). */
function BankReceiptForm({ onRecorded }: { onRecorded(): void }) {
  const { t, money } = useI18n();
  const [reference, setReference] = useState('');
  const [amount, setAmount] = useState('');
  const [bankReference, setBankReference] = useState('');
  const keys = useIdempotencyKeys();
  const [recorded, setRecorded] = useState<Receipt | null>(null);
  const record = useAction(async () => {
    setRecorded(null);
    const body = { reference, amountMinor: minorOf(amount), currency: 'CNY', bankReference };
    const answer = await ok(api.POST('/settlement/bank-receipts', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    setRecorded(answer);
    setReference('');
    setAmount('');
    setBankReference('');
    keys.forget();
    onRecorded();
  });
  return (
    <section aria-labelledby="receipt-heading">
      <h2 id="receipt-heading">{t('settlement.receiptTitle')}</h2>
      <form class="form narrow" onSubmit={onSubmit(record.run)}>
        <TextField label={t('settlement.reference')} hint={t('settlement.referenceHint')} required value={reference} onValue={setReference} />
        <TextField label={t('settlement.amountYuan')} hint={t('settlement.amountHint')} required value={amount} onValue={setAmount} />
        <TextField label={t('settlement.bankReference')} hint={t('settlement.bankReferenceHint')} required value={bankReference} onValue={setBankReference} />
        <ProblemAlert error={record.error} />
        <Submit busy={record.busy}>{t('settlement.recordReceipt')}</Submit>
      </form>
      {recorded && (
        <div class="success" role="status">
          <p>{t('settlement.receiptRecorded', { status: t(`paymentStatus.${recorded.status}`) })}</p>
          <Facts
            items={[
              [t('settlement.received'), money(recorded.receivedMinor, 'CNY')],
              [t('settlement.outstanding'), money(recorded.outstandingMinor, 'CNY')],
              [t('settlement.excess'), money(recorded.excessMinor, 'CNY')],
              [t('settlement.order'), <Link to={`/orders/${recorded.orderId}`}>{t('settlement.openOrder')}</Link>],
            ]}
          />
        </div>
      )}
    </section>
  );
}

/** A bank payout due: the operator pays it at the bank, then records the transfer here. */
function PayoutForm({ payout, onRecorded }: { payout: Payout; onRecorded(): void }) {
  const { t } = useI18n();
  const [amount, setAmount] = useState(yuanOf(payout.amountMinor));
  const [bankReference, setBankReference] = useState('');
  const keys = useIdempotencyKeys();
  const record = useAction(async () => {
    const body = { amountMinor: minorOf(amount), currency: payout.currency, bankReference };
    await ok(api.POST('/settlement/payments/{id}/payout/bank-transfer', { params: { path: { id: payout.paymentId }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onRecorded();
  });
  return (
    <form class="form inline-form" onSubmit={onSubmit(record.run)} aria-label={t('settlement.payoutFormOf', { id: payout.id.slice(0, 8) })}>
      <TextField label={t('settlement.amountYuan')} required value={amount} onValue={setAmount} />
      <TextField label={t('settlement.bankReference')} required value={bankReference} onValue={setBankReference} />
      <ProblemAlert error={record.error} />
      <Submit busy={record.busy}>{t('settlement.recordPayout')}</Submit>
    </form>
  );
}

function PayoutTable({ status, round, onRecorded }: { status: 'due' | 'held' | 'paid'; round: number; onRecorded(): void }) {
  const { t, money, dateTime } = useI18n();
  const payouts = usePagedLoad((page) => ok(api.GET('/settlement/payouts', { params: { query: { ...page, status } } })), [status, round]);
  return (
    <>
      <h3>{t(`settlement.payouts.${status}`)}</h3>
      <LoadedTable
        loaded={payouts}
        empty={t('settlement.noPayouts')}
        caption={(n) => t('settlement.payoutsCaption', { status: t(`settlement.payouts.${status}`), n })}
        rowKey={(p) => p.id}
        columns={[
          { header: t('settlement.order'), cell: (p) => <Link to={`/orders/${p.orderId}`}>{t('settlement.orderOf', { id: p.orderId.slice(0, 8) })}</Link> },
          { header: t('settlement.amount'), cell: (p) => money(p.amountMinor, p.currency) },
          { header: t('settlement.fee'), cell: (p) => money(p.feeMinor, p.currency) },
          { header: t('settlement.netted'), cell: (p) => money(p.nettedMinor, p.currency) },
          { header: t('settlement.rail'), cell: (p) => t(`rail.${p.rail}`) },
          { header: t('settlement.heldReason'), cell: (p) => (p.heldReason ? t(`heldReason.${p.heldReason}`) : '—') },
          ...(status === 'paid'
            ? [{ header: t('refunds.afterPayout'), cell: (p: Payout) => <Link to={`/payments/${p.paymentId}/refund`} aria-label={t('refunds.afterPayoutOf', { id: p.orderId.slice(0, 8) })}>{t('refunds.afterPayoutLink')}</Link> }]
            : []),
          {
            header: status === 'paid' ? t('settlement.paidAt') : t('settlement.action'),
            cell: (p) =>
              status === 'paid' ? `${dateTime(p.paidAt)} · ${p.bankReference ?? p.stripeTransferId ?? ''}` : p.rail === 'bank_transfer' && status === 'due' ? <PayoutForm payout={p} onRecorded={onRecorded} /> : t('settlement.waits'),
          },
        ]}
      />
    </>
  );
}

/** The ledger against the rails' records for a period (GET /settlement/reconciliation). */
function PeriodReconciliation() {
  const { t, money } = useI18n();
  const today = shanghaiToday();
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [result, setResult] = useState<Reconciliation | null>(null);
  const run = useAction(async () => setResult(await ok(api.GET('/settlement/reconciliation', { params: { query: { from: shanghaiDayStart(from), to: shanghaiDayEnd(to) } } }))));
  return (
    <section aria-labelledby="reconcile-heading">
      <h2 id="reconcile-heading">{t('settlement.reconcileTitle')}</h2>
      <form class="form narrow" onSubmit={onSubmit(run.run)}>
        <div class="row">
          <TextField label={t('exports.from')} type="date" required value={from} onValue={setFrom} />
          <TextField label={t('exports.to')} type="date" required value={to} onValue={setTo} />
        </div>
        <ProblemAlert error={run.error} />
        <Submit busy={run.busy}>{t('settlement.reconcile')}</Submit>
      </form>
      {result && (
        <div role="status">
          <p class={result.mismatches.length === 0 ? 'success' : 'problem'}>
            {result.mismatches.length === 0 ? t('settlement.reconciled', result.checked) : t('settlement.mismatches', { n: result.mismatches.length })}
          </p>
          {result.mismatches.length > 0 && (
            <Table
              caption={t('settlement.mismatchCaption')}
              rows={result.mismatches}
              rowKey={(m) => `${m.record}-${m.recordId}-${m.kind}`}
              columns={[
                { header: t('settlement.mismatchKind'), cell: (m) => t(`mismatch.${m.kind}`) },
                { header: t('settlement.record'), cell: (m) => `${t(`mismatchRecord.${m.record}`)} · ${t(`rail.${m.rail}`)}` },
                { header: t('settlement.order'), cell: (m) => (m.orderId ? <Link to={`/orders/${m.orderId}`}>{m.orderId.slice(0, 8)}</Link> : '—') },
                { header: t('settlement.ledger'), cell: (m) => (m.ledgerMinor === null ? '—' : money(m.ledgerMinor, 'CNY')) },
                { header: t('settlement.onRail'), cell: (m) => (m.railMinor === null ? '—' : money(m.railMinor, 'CNY')) },
                { header: t('settlement.detail'), cell: (m) => m.detail },
              ]}
            />
          )}
        </div>
      )}
    </section>
  );
}

/**
 * The operator's money desk: a bank credit recorded by its reference; payments waiting for money;
 * payouts due (a bank payout recorded once paid at the bank), held with the reason, and paid; the
 * ledger reconciled with the rails for a period. Bank statements, refunds, providers' balances
 * and card disputes have their own pages.
 */
export function SettlementPage() {
  const { t, money, dateTime } = useI18n();
  const [round, setRound] = useState(0);
  const changed = () => setRound((n) => n + 1);
  const awaiting = usePagedLoad((page) => ok(api.GET('/settlement/payments', { params: { query: { ...page, status: 'awaiting_funds' } } })), [round]);
  return (
    <Page
      title={t('settlement.title')}
      actions={
        <>
          <Link to="/bank-statements">{t('nav.bankStatements')}</Link> <Link to="/refunds">{t('nav.refunds')}</Link>{' '}
          <Link to="/provider-balances">{t('nav.providerBalances')}</Link> <Link to="/card-disputes">{t('nav.cardDisputes')}</Link>
        </>
      }
    >
      <BankReceiptForm onRecorded={changed} />
      <h2>{t('settlement.awaitingTitle')}</h2>
      <LoadedTable
        loaded={awaiting}
        empty={t('settlement.noneAwaiting')}
        caption={(n) => t('settlement.awaitingCaption', { n })}
        rowKey={(p) => p.id}
        columns={[
          { header: t('settlement.order'), cell: (p) => <Link to={`/orders/${p.orderId}`}>{p.orderNumber}</Link> },
          { header: t('settlement.reference'), cell: (p) => (p.reference ? <code>{p.reference}</code> : '—') },
          { header: t('settlement.amount'), cell: (p) => money(p.amountMinor, p.currency) },
          { header: t('settlement.outstanding'), cell: (p) => money(p.outstandingMinor, p.currency) },
          { header: t('settlement.rail'), cell: (p) => t(`rail.${p.rail}`) },
          { header: t('settlement.since'), cell: (p) => dateTime(p.createdAt) },
        ]}
      />
      <h2>{t('settlement.payoutsTitle')}</h2>
      <PayoutTable status="due" round={round} onRecorded={changed} />
      <PayoutTable status="held" round={round} onRecorded={changed} />
      <PayoutTable status="paid" round={round} onRecorded={changed} />
      <PeriodReconciliation />
    </Page>
  );
}
