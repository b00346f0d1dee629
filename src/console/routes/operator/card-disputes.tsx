import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { CheckboxField } from '../../components/fields';
import { Page } from '../../components/page';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { usePagedLoad } from '../../lib/use-paged-load';

/**
 * Card disputes (chargebacks) on orders' Stripe charges (GET /settlement/disputes): what the buyer's
 * bank disputes, Stripe's state of it, what it has taken from the exchange by now (the amount and
 * Stripe's fee, less what a won dispute gave back) and who bears it. Stripe decides them; the
 * exchange answers them in Stripe's dashboard, so this page only shows them.
 */
export function CardDisputesPage() {
  const { t, tryT, money, dateTime } = useI18n();
  const [openOnly, setOpenOnly] = useState(true);
  const disputes = usePagedLoad((page) => ok(api.GET('/settlement/disputes', { params: { query: { ...page, ...(openOnly ? { open: 'true' as const } : {}) } } })), [openOnly]);
  return (
    <Page title={t('cardDisputes.title')} actions={<Link to="/settlement">{t('nav.settlement')}</Link>}>
      <p>{t('cardDisputes.intro')}</p>
      <CheckboxField label={t('cardDisputes.openOnly')} checked={openOnly} onValue={setOpenOnly} />
      <LoadedTable
        loaded={disputes}
        empty={openOnly ? t('cardDisputes.noneOpen') : t('cardDisputes.none')}
        caption={(n) => t('cardDisputes.caption', { n })}
        rowKey={(d) => d.id}
        columns={[
          { header: t('settlement.order'), cell: (d) => <Link to={`/orders/${d.orderId}`}>{t('settlement.orderOf', { id: d.orderId.slice(0, 8) })}</Link> },
          { header: t('cardDisputes.stripeId'), cell: (d) => <code>{d.stripeDisputeId}</code> },
          { header: t('settlement.amount'), cell: (d) => money(d.amountMinor, d.currency) },
          { header: t('cardDisputes.reason'), cell: (d) => tryT(`stripeDisputeReason.${d.reason}`) ?? d.reason },
          { header: t('cardDisputes.status'), cell: (d) => tryT(`stripeDisputeStatus.${d.status}`) ?? d.status },
          { header: t('cardDisputes.chargedBack'), cell: (d) => money(d.chargedBackMinor, d.currency) },
          { header: t('cardDisputes.borneBy'), cell: (d) => (d.borneBy ? t(`cardDisputes.borneBy.${d.borneBy}`) : '—') },
          { header: t('cardDisputes.updated'), cell: (d) => dateTime(d.updatedAt) },
        ]}
      />
    </Page>
  );
}
