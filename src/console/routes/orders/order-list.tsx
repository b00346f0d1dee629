import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Loading, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useLoad } from '../../lib/use-load';

type Order = paths['/orders/{id}']['get']['responses']['200']['content']['application/json'];

function OrderTable({ caption, orders }: { caption: string; orders: Order[] }) {
  const { t, money, dateTime } = useI18n();
  if (orders.length === 0) return <p>{t('orders.none', { what: caption })}</p>;
  return (
    <Table
      caption={caption}
      rows={orders}
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

/** The orders the user sees: operators every order (GET /orders); a party its purchases and its sales. */
export function OrderListPage() {
  const { t } = useI18n();
  const session = useSession();
  const operator = session.has('operator');
  const partyId = session.state.partyId;
  const orders = useLoad(async () => {
    if (operator) return { all: (await ok(api.GET('/orders', { params: { query: { limit: 100 } } }))).items };
    const [purchases, sales] = await Promise.all([
      session.has('buyer') ? ok(api.GET('/orders/purchases', { params: { query: { limit: 100 } } })) : null,
      session.has('provider') ? ok(api.GET('/orders/sales', { params: { query: { limit: 100 } } })) : null,
    ]);
    return { purchases: purchases?.items, sales: sales?.items };
  }, [operator, partyId]);
  const data = orders.data as { all?: Order[]; purchases?: Order[]; sales?: Order[] } | undefined;
  return (
    <Page title={t('orders.title')}>
      <ProblemAlert error={orders.error} />
      {orders.loading && !data && <Loading label={t('common.loading')} />}
      {data?.all && <OrderTable caption={t('orders.all')} orders={data.all} />}
      {data?.purchases && <OrderTable caption={t('orders.purchases')} orders={data.purchases} />}
      {data?.sales && <OrderTable caption={t('orders.sales')} orders={data.sales} />}
    </Page>
  );
}
