import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField, Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable, type Column } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';

export type CorrectionOrder = paths['/public-data/orders/{id}']['get']['responses']['200']['content']['application/json'];
type OrderState = CorrectionOrder['state'];

const states: OrderState[] = ['open', 'corrected', 'decided'];

/** How an order was corrected, and when; the user's statement when it made one. */
export function CorrectionOf({ order }: { order: CorrectionOrder }) {
  const { t, dateTime } = useI18n();
  const c = order.correction;
  if (!c) return <>—</>;
  return (
    <>
      {t(`correctionHow.${c.how}`)} · {dateTime(c.correctedAt)}
      {c.late && ` · ${t('correctionOrder.late')}`}
      {c.statement && <>：{c.statement}</>}
    </>
  );
}

/** The columns every list of orders to correct begins with: the ground (to the order's page), details, time limit and state. */
export function useCorrectionOrderColumns<T extends Pick<CorrectionOrder, 'id' | 'ground' | 'details' | 'correctBy' | 'lapsed' | 'state'>>(): Column<T>[] {
  const { t, date } = useI18n();
  return [
    { header: t('duties.ground'), cell: (o) => <Link to={`/public-data/orders/${o.id}`}>{t(`orderGround.${o.ground}`)}</Link> },
    { header: t('duties.details'), cell: (o) => o.details },
    { header: t('duties.correctBy'), cell: (o) => `${date(o.correctBy)}${o.lapsed ? ` · ${t('duties.lapsed')}` : ''}` },
    { header: t('duties.orderState'), cell: (o) => t(`correctionState.${o.state}`) },
  ];
}

/**
 * The orders to correct addressed to the acting party as the user of public data (GET
 * /public-data/orders?role=user, Art. 64), latest first, filtered by state; each leads to its page.
 */
export function CorrectionOrdersPage() {
  const { t } = useI18n();
  const columns = useCorrectionOrderColumns<CorrectionOrder>();
  const session = useSession();
  const [state, setState] = useState<OrderState | ''>('');
  const orders = usePagedLoad((page) => ok(api.GET('/public-data/orders', { params: { query: { ...page, role: 'user', ...(state ? { state } : {}) } } })), [state, session.state.partyId]);
  return (
    <Page title={t('correctionOrder.listTitle')}>
      <p>{t('correctionOrder.intro')}</p>
      <div class="form narrow">
        <SelectField label={t('duties.orderState')} value={state} onValue={setState} options={[{ value: '', label: t('common.any') }, ...states.map((s) => ({ value: s, label: t(`correctionState.${s}`) }))]} />
      </div>
      <LoadedTable
        loaded={orders}
        empty={t('correctionOrder.none')}
        caption={(count) => t('correctionOrder.caption', { count })}
        rowKey={(o) => o.id}
        columns={[
          ...columns,
          { header: t('correctionOrder.request'), cell: (o) => <Link to={`/public-data/requests/${o.requestId}`}>{t('correctionOrder.requestLink')}</Link> },
        ]}
      />
    </Page>
  );
}

/**
 * The user's statement of how it corrected a use beyond the scope or harm to the data (Art. 64
 * (三)(四)). A missing report or citation is corrected by filing it on the request's page: the API
 * refuses a statement for those and says so. One Idempotency-Key per statement sent.
 */
export function StatementForm({ order, onChange }: { order: CorrectionOrder; onChange(): void }) {
  const { t } = useI18n();
  const [statement, setStatement] = useState('');
  const keys = useIdempotencyKeys();
  const correct = useAction(async () => {
    const body = { statement };
    await ok(api.POST('/public-data/orders/{id}/correction', { params: { path: { id: order.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onChange();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(correct.run)}>
      <h2>{t('correctionOrder.correct')}</h2>
      {(order.ground === 'usage_not_reported' || order.ground === 'source_not_cited') && <p>{t(`correctionOrder.hint.${order.ground}`)}</p>}
      <TextField label={t('correctionOrder.statement')} hint={t('correctionOrder.statementHint')} multiline required value={statement} onValue={setStatement} />
      <ProblemAlert error={correct.error} />
      <Submit busy={correct.busy}>{t('correctionOrder.submit')}</Submit>
    </form>
  );
}
