import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Page } from '../../components/page';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { usePagedLoad, type ApiPage, type Paged } from '../../lib/use-paged-load';

type Order = paths['/orders/{id}']['get']['responses']['200']['content']['application/json'];

function OrderTable({ caption, orders }: { caption: string; orders: Paged<ApiPage<Order>> }) {
  const { t, money, dateTime } = useI18n();
  return (
    <LoadedTable
      loaded={orders}
      empty={t('orders.none', { what: caption })}
      caption={() => caption}
      rowKey={(o) => o.id}
      columns={[
        { header: t('order.number'), cell: (o) => <Link to={`/orders/${o.id}`}>{o.number}</Link> },
        { header: t('order.status'), cell: (o) => <span class={`status status-${o.status}`}>{t(`orderStatus.${o.status}`)}</span> },
        { header: t('order.amount'), cell: (o) => money(o.amountMinor, o.currency) },
        { header: t('order.purpose'), cell: (o) => o.purpose },
        { header: t('order.createdAt'), cell: (o) => dateTime(o.createdAt) },
      ]}
    />
  );
}

const nothing = { items: [], next: null };

/**
 * The orders the user sees: operators every order (GET /orders); a party its purchases and its
 * sales, two lists the API pages apart, so each has its own "more".
 */
export function OrderListPage() {
  const { t } = useI18n();
  const session = useSession();
  const operator = session.has('operator');
  const buyer = !operator && session.has('buyer');
  const provider = !operator && session.has('provider');
  const partyId = session.state.partyId;
  const all = usePagedLoad(async (query) => (operator ? ok(api.GET('/orders', { params: { query } })) : nothing), [operator]);
  const purchases = usePagedLoad(async (query) => (buyer ? ok(api.GET('/orders/purchases', { params: { query } })) : nothing), [buyer, partyId]);
  const sales = usePagedLoad(async (query) => (provider ? ok(api.GET('/orders/sales', { params: { query } })) : nothing), [provider, partyId]);
  return (
    <Page title={t('orders.title')}>
      {operator && <OrderTable caption={t('orders.all')} orders={all} />}
      {buyer && <OrderTable caption={t('orders.purchases')} orders={purchases} />}
      {provider && <OrderTable caption={t('orders.sales')} orders={sales} />}
    </Page>
  );
}
