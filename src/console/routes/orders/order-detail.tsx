import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Facts, Loading, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { StateTrack } from '../../components/state-track';
import { changeOf, StepTable } from '../../components/steps';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useLoad } from '../../lib/use-load';
import { OrderCrossBorder } from '../operator/security-assessments';
import { OrderActions } from './order-actions';

type OrderRecord = paths['/orders/{id}/record']['get']['responses']['200']['content']['application/json'];
type Status = OrderRecord['order']['status'];

/** The way an order goes when nothing goes wrong (the state machine of modules/trading). */
const mainPath: Status[] = ['requested', 'accepted', 'agreement_pending', 'payment_pending', 'paid', 'delivering', 'delivered', 'accepted_by_buyer', 'completed'];

/** The order's path: the main path, with the approval or terms proposed where the order took them. */
function StateTrackOf({ record }: { record: OrderRecord }) {
  const { t } = useI18n();
  const visited = record.steps.map((s) => s.to as Status);
  const asked = visited.filter((s) => s === 'awaiting_provider' || s === 'terms_proposed');
  const path = [...mainPath.slice(0, 1), ...new Set(asked), ...mainPath.slice(1)];
  return <StateTrack label={t('order.stateTrack')} path={path} visited={visited} current={record.order.status} name={(s) => t(`orderStatus.${s}`)} />;
}

/**
 * An order with its state and every step the API recorded (GET /orders/{id}/record), each with
 * the receipt that proves it, which the receipt checker verifies in the browser.
 */
export function OrderDetailPage({ id }: { id: string }) {
  const { t, tryT, text, money, dateTime, date } = useI18n();
  const session = useSession();
  const { state } = session;
  const record = useLoad(() => ok(api.GET('/orders/{id}/record', { params: { path: { id } } })), [id]);
  const r = record.data;
  const o = r?.order;
  return (
    <Page title={o ? t('orderDetail.title', { number: o.number }) : t('orderDetail.titleLoading')} actions={<Link to="/orders">{t('orderDetail.back')}</Link>}>
      <ProblemAlert error={record.error} />
      {!r || !o ? (
        record.loading && <Loading label={t('common.loading')} />
      ) : (
        <>
          <p class="status-line">
            {t('order.status')}: <strong class={`status status-${o.status}`}>{t(`orderStatus.${o.status}`)}</strong>
          </p>
          <StateTrackOf record={r} />
          <Facts
            items={[
              [t('order.listing'), <Link to={`/catalog/${o.listingId}`}>{text(r.revision.title)}</Link>],
              [t('order.buyer'), r.parties.buyer.legalName],
              [t('order.provider'), r.parties.provider.legalName],
              [t('order.plan'), `${o.pricePlan.name}${o.quantity > 1 ? ` × ${o.quantity}` : ''}`],
              [t('order.amount'), money(o.amountMinor, o.currency)],
              [t('order.fee'), money(o.feeMinor, o.currency)],
              [t('order.purpose'), o.purpose],
              [t('order.scenario'), o.scenario],
              [t('order.safeguards'), o.safeguards],
              [t('order.term'), `${date(o.term.start)} – ${date(o.term.end)}`],
              [t('order.createdAt'), dateTime(o.createdAt)],
              ...(o.responseDueAt ? [[t('order.responseDueAt'), dateTime(o.responseDueAt)] as [string, string]] : []),
              ...(o.acceptanceDueAt ? [[t('order.acceptanceDueAt'), dateTime(o.acceptanceDueAt)] as [string, string]] : []),
              ...(r.agreement ? [[t('order.agreement'), `${r.agreement.number} · ${tryT(`agreementStatus.${r.agreement.status}`) ?? r.agreement.status}`] as [string, string]] : []),
            ]}
          />
          <OrderActions record={r} partyId={state.partyId} onChange={record.reload} />
          {(session.has('operator') || state.partyId === o.buyerPartyId) && <OrderCrossBorder buyerPartyId={o.buyerPartyId} listingId={o.listingId} />}
          <h2>{t('orderDetail.steps')}</h2>
          <StepTable
            caption={t('orderDetail.steps')}
            steps={r.steps.map((s) => {
              const status = (x: string) => tryT(`orderStatus.${x}`) ?? x;
              return {
                auditEventId: s.auditEventId,
                at: s.at,
                action: tryT(`orderStep.${s.action}`) ?? s.action,
                change: changeOf(status, s.from, s.to),
                actor: s.actor.role ? (tryT(`role.${s.actor.role}`) ?? s.actor.role) : t('step.system'),
              };
            })}
          />
          {r.money.payments.length > 0 && (
            <>
              <h2>{t('orderDetail.payments')}</h2>
              <ul class="plain">
                {r.money.payments.map((p) => (
                  <li key={p.id}>
                    {tryT(`rail.${p.rail}`) ?? p.rail} · {money(p.amountMinor, p.currency)} · {t('payment.received', { amount: money(p.receivedMinor, p.currency) })} · {tryT(`paymentStatus.${p.status}`) ?? p.status}
                    {p.reference && <> · {t('payment.reference')} <code>{p.reference}</code></>}
                  </li>
                ))}
              </ul>
            </>
          )}
          {r.grants.length > 0 && state.partyId !== o.buyerPartyId && (
            <>
              <h2>{t('orderDetail.grants')}</h2>
              <ul class="plain">
                {r.grants.map((g) => (
                  <li key={g.id}>
                    {g.filename ?? g.mediaType} · {t('grant.downloads', { used: g.downloadsUsed, max: g.maxDownloads })} · {t('grant.expires', { at: dateTime(g.expiresAt) })} · SHA-256 <code>{g.sha256.slice(0, 16)}…</code>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </Page>
  );
}
