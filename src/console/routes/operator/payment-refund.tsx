import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { WhenLoaded } from '../../components/loaded';
import { Submit, TextField } from '../../components/fields';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { minorOf } from '../../lib/money-input';
import { Link } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { useRefundColumns } from './refunds';

type Payment = paths['/settlement/payments/{id}']['get']['responses']['200']['content']['application/json'];

/**
 * A refund ordered after the provider was paid (POST /settlement/payments/{id}/refunds): a decision
 * reached after the payout (arbitration, a complaint upheld after acceptance) must still reach the
 * buyer. The API takes the provider's share back (what it cannot reverse the provider owes) and
 * allows one such refund per order; while the money is held the order's dispute decides instead.
 */
function RefundAfterPayoutForm({ payment, onOrdered }: { payment: Payment; onOrdered(): void }) {
  const { t, money } = useI18n();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const keys = useIdempotencyKeys();
  const order = useAction(async () => {
    const body = { amountMinor: minorOf(amount), currency: payment.currency, reason };
    await ok(api.POST('/settlement/payments/{id}/refunds', { params: { path: { id: payment.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    onOrdered();
  });
  return (
    <section aria-labelledby="refund-order-heading">
      <h2 id="refund-order-heading">{t('paymentRefund.orderTitle')}</h2>
      <p>{t('paymentRefund.orderIntro')}</p>
      <form class="form narrow" onSubmit={onSubmit(order.run)}>
        <TextField label={t('paymentRefund.amountYuan')} hint={t('paymentRefund.amountHint', { paid: money(payment.amountMinor, payment.currency) })} required value={amount} onValue={setAmount} />
        <TextField label={t('paymentRefund.reason')} hint={t('paymentRefund.reasonHint')} multiline required value={reason} onValue={setReason} />
        <ProblemAlert error={order.error} />
        <Submit busy={order.busy}>{t('paymentRefund.submit')}</Submit>
      </form>
    </section>
  );
}

/** A payment with its payout and refunds (GET /settlement/payments/{id}), and the refund after the payout. */
export function PaymentRefundPage({ id }: { id: string }) {
  const { t, money, dateTime } = useI18n();
  const [round, setRound] = useState(0);
  const [ordered, setOrdered] = useState(false);
  const payment = useLoad(() => ok(api.GET('/settlement/payments/{id}', { params: { path: { id } } })), [id, round]);
  const changed = () => setRound((n) => n + 1);
  const columns = useRefundColumns(changed);
  return (
    <Page title={t('paymentRefund.title', { number: payment.data?.orderNumber ?? '…' })} actions={<Link to="/refunds">{t('nav.refunds')}</Link>}>
      <WhenLoaded loaded={payment}>
        {(p) => (
          <>
            <Facts
              items={[
                [t('settlement.order'), <Link to={`/orders/${p.orderId}`}>{p.orderNumber}</Link>],
                [t('paymentRefund.paymentStatus'), t(`paymentStatus.${p.status}`)],
                [t('settlement.rail'), t(`rail.${p.rail}`)],
                [t('settlement.amount'), money(p.amountMinor, p.currency)],
                [t('settlement.received'), money(p.receivedMinor, p.currency)],
                [t('paymentRefund.payout'), p.payout ? `${t(`payoutStatus.${p.payout.status}`)} · ${money(p.payout.amountMinor, p.payout.currency)} · ${dateTime(p.payout.paidAt)}` : '—'],
              ]}
            />
            {ordered && (
              <p class="success" role="status">
                {t('paymentRefund.ordered')}
              </p>
            )}
            <h2>{t('paymentRefund.refundsTitle')}</h2>
            {p.refunds.length === 0 ? (
              <p>{t('refunds.none')}</p>
            ) : (
              <Table caption={t('paymentRefund.refundsCaption', { n: p.refunds.length })} rows={p.refunds} rowKey={(r) => r.id} columns={columns} />
            )}
            {p.status === 'released' && !p.refunds.some((r) => r.kind === 'dispute') ? (
              <RefundAfterPayoutForm
                payment={p}
                onOrdered={() => {
                  setOrdered(true);
                  changed();
                }}
              />
            ) : (
              !ordered && <p>{t('paymentRefund.notNow', { status: t(`paymentStatus.${p.status}`) })}</p>
            )}
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
