import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField } from '../../components/fields';
import { Page } from '../../components/page';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { usePagedLoad } from '../../lib/use-paged-load';

type Status = NonNullable<NonNullable<paths['/settlement/parties/{id}/payouts']['get']['parameters']['query']>['status']>;

/**
 * The acting party's payouts across its orders (GET /settlement/parties/{id}/payouts): what is due,
 * held and why, and paid with the bank's reference or Stripe's transfer; the fee and what was set
 * off against a debt to the exchange. Each order's page shows its own payout too.
 */
export function MyPayoutsPage() {
  const { t, money, dateTime } = useI18n();
  const { state } = useSession();
  const partyId = state.partyId;
  const [status, setStatus] = useState<Status | ''>('');
  const payouts = usePagedLoad(
    async (page) => (partyId ? ok(api.GET('/settlement/parties/{id}/payouts', { params: { path: { id: partyId }, query: { ...page, ...(status ? { status } : {}) } } })) : { items: [], next: null }),
    [partyId, status],
  );
  return (
    <Page title={t('myPayouts.title')}>
      <p>{t('myPayouts.intro')}</p>
      {!partyId ? (
        <p>{t('myPayouts.noParty')}</p>
      ) : (
        <>
          <SelectField
            label={t('myPayouts.status')}
            value={status}
            onValue={setStatus}
            options={[{ value: '' as const, label: t('refunds.any') }, ...(['due', 'held', 'submitted', 'paid'] as const).map((s) => ({ value: s, label: t(`payoutStatus.${s}`) }))]}
          />
          <LoadedTable
            loaded={payouts}
            empty={t('myPayouts.none')}
            caption={(n) => t('myPayouts.caption', { n })}
            rowKey={(p) => p.id}
            columns={[
              { header: t('settlement.order'), cell: (p) => <Link to={`/orders/${p.orderId}`}>{t('settlement.orderOf', { id: p.orderId.slice(0, 8) })}</Link> },
              { header: t('myPayouts.status'), cell: (p) => (p.heldReason ? t('myPayouts.heldFor', { status: t(`payoutStatus.${p.status}`), reason: t(`heldReason.${p.heldReason}`) }) : t(`payoutStatus.${p.status}`)) },
              { header: t('settlement.amount'), cell: (p) => money(p.amountMinor, p.currency) },
              { header: t('settlement.fee'), cell: (p) => money(p.feeMinor, p.currency) },
              { header: t('settlement.netted'), cell: (p) => money(p.nettedMinor, p.currency) },
              { header: t('settlement.rail'), cell: (p) => t(`rail.${p.rail}`) },
              { header: t('settlement.paidAt'), cell: (p) => (p.paidAt ? `${dateTime(p.paidAt)} · ${p.bankReference ?? p.stripeTransferId ?? ''}` : '—') },
            ]}
          />
        </>
      )}
    </Page>
  );
}
