import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { DepartmentName, departmentLabel, useDepartments, type Directory } from '../../components/department-select';
import { Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { StateTrack } from '../../components/state-track';
import { changeOf, StepTable } from '../../components/steps';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { PeriodTable, UsageReportForm } from '../public-data/period-table';

type Procurement = paths['/procurement/procurements/{id}']['get']['responses']['200']['content']['application/json'];

/** The bureau orders a draft procurement on the exchange as buyer of record, or cancels it with a reason (its needs are free again). */
function BureauActions({ procurement, onChange }: { procurement: Procurement; onChange(): void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const keys = useIdempotencyKeys();
  const order = useAction(async () => {
    const id = procurement.id;
    await keys.act({ order: id }, (key) => ok(api.POST('/procurement/procurements/{id}/order', { params: { path: { id }, header: { 'idempotency-key': key } } })));
    onChange();
  });
  const cancel = useAction(async () => {
    const body = { reason };
    await ok(api.POST('/procurement/procurements/{id}/cancellation', { params: { path: { id: procurement.id }, header: { 'idempotency-key': keys.keyFor({ cancellation: body }) } }, body }));
    onChange();
  });
  return (
    <section aria-labelledby="procurement-actions-heading">
      <h2 id="procurement-actions-heading">{t('procurement.actions')}</h2>
      <p>{t('procurement.orderIntro')}</p>
      <button type="button" class="primary" onClick={() => void order.run()} disabled={order.busy}>
        {t('procurement.order')}
      </button>
      <ProblemAlert error={order.error} />
      <form class="form narrow" onSubmit={onSubmit(cancel.run)}>
        <TextField label={t('procurement.cancelReason')} multiline required value={reason} onValue={setReason} />
        <ProblemAlert error={cancel.error} />
        <Submit busy={cancel.busy}>{t('procurement.cancel')}</Submit>
      </form>
    </section>
  );
}

/** Each beneficiary's schedule of usage reports, each period with its status and report; a department files its own. */
function UsageSection({ procurementId, department, directory }: { procurementId: string; department: boolean; directory: Directory }) {
  const { t, dateTime } = useI18n();
  const usage = useLoad(() => ok(api.GET('/procurement/procurements/{id}/usage', { params: { path: { id: procurementId } } })), [procurementId]);
  return (
    <section aria-labelledby="usage-heading">
      <h2 id="usage-heading">{t('usage.title')}</h2>
      <WhenLoaded loaded={usage}>
        {(u) =>
          u.departments.map((d) => {
            const reportable = d.periods.find((p) => !p.report && p.status !== 'upcoming');
            return (
              <div key={d.departmentPartyId}>
                <PeriodTable
                  caption={t('usage.caption', { department: departmentLabel(directory, d.departmentPartyId) })}
                  periods={d.periods}
                  report={(p) =>
                    p.report ? (
                      <>
                        {p.report.summary} · {dateTime(p.report.filedAt)} ·{' '}
                        <Link to={`/receipts?event=${p.report.auditEventId}`} aria-label={t('step.checkReceiptOf', { action: t('duties.period', { n: p.period }) })}>
                          {t('step.checkReceipt')}
                        </Link>
                      </>
                    ) : (
                      '—'
                    )
                  }
                />
                {department && reportable && (
                  <UsageReportForm
                    key={reportable.period}
                    period={reportable.period}
                    file={async (body, key) => {
                      await ok(api.POST('/procurement/procurements/{id}/usage-reports', { params: { path: { id: procurementId }, header: { 'idempotency-key': key } }, body }));
                      usage.reload();
                    }}
                  />
                )}
              </div>
            );
          })
        }
      </WhenLoaded>
    </section>
  );
}

/**
 * A central procurement (Chongqing draft Art. 27 ¶3): its place on its path, the listing and terms,
 * each beneficiary's share, the order placed for it, the usage reports, and every step with its receipt.
 */
export function ProcurementDetailPage({ id }: { id: string }) {
  const { t, tryT, money } = useI18n();
  const session = useSession();
  const directory = useDepartments();
  const procurement = useLoad(() => ok(api.GET('/procurement/procurements/{id}', { params: { path: { id } } })), [id]);
  const p = procurement.data;
  const status = (s: string) => tryT(`procurementStatus.${s}`) ?? s;
  return (
    <Page title={p ? t('procurement.detailTitle', { number: p.number }) : t('procurement.title')} actions={<Link to="/procurement">{t('procurement.back')}</Link>}>
      <WhenLoaded loaded={procurement}>
        {(p) => (
          <>
            <p class="status-line">
              {t('procurement.status')}: <strong class={`status status-${p.status}`}>{t(`procurementStatus.${p.status}`)}</strong>
            </p>
            <StateTrack label={t('procurement.stateTrack')} path={['draft', 'ordered', 'completed']} visited={p.steps.map((s) => s.to as Procurement['status'])} current={p.status} name={(s) => t(`procurementStatus.${s}`)} />
            <Facts
              items={[
                [t('procurement.listingId'), <code>{p.listingId}</code>],
                [t('procurement.pricePlan'), `${p.pricePlan}${p.quantity > 1 ? ` × ${p.quantity}` : ''}`],
                [t('procurement.amount'), money(p.amountMinor, p.currency)],
                [t('procurement.purpose'), p.purpose],
                [t('procurement.scenario'), p.scenario],
                [t('procurement.safeguards'), p.safeguards],
                [t('procurement.reportEvery'), t('pdAnswer.months', { n: p.reportEveryMonths })],
                [t('procurement.budgetYear'), String(p.budgetYear)],
                ...(p.orderId ? ([[t('procurement.orderLink'), <Link to={`/orders/${p.orderId}`}>{t('procurement.openOrder')}</Link>]] as [string, preact.ComponentChildren][]) : []),
                ...(p.cancelReason ? ([[t('procurement.cancelReason'), p.cancelReason]] as [string, string][]) : []),
              ]}
            />
            <Table
              caption={t('procurement.shares')}
              rows={p.shares}
              rowKey={(s) => s.departmentPartyId}
              columns={[
                { header: t('duties.departmentColumn'), cell: (s) => <DepartmentName directory={directory} id={s.departmentPartyId} /> },
                { header: t('procurement.share'), cell: (s) => money(s.amountMinor, p.currency) },
                { header: t('procurement.committed'), cell: (s) => (s.committedAt ? t('common.yes') : t('common.no')) },
              ]}
            />
            {session.has('bureau') && p.status === 'draft' && p.bureauPartyId === session.state.partyId && <BureauActions procurement={p} onChange={procurement.reload} />}
            {p.status !== 'draft' && p.status !== 'cancelled' && <UsageSection procurementId={p.id} department={session.has('department')} directory={directory} />}
            <h2>{t('procurement.steps')}</h2>
            <StepTable
              caption={t('procurement.steps')}
              steps={p.steps.map((s) => ({
                auditEventId: s.auditEventId,
                at: s.at,
                action: tryT(`procurementStep.${s.action}`) ?? s.action,
                change: changeOf(status, s.from, s.to),
                // Ordering's end (acceptance, the order ended) is the system's step; the rest the bureau's.
                actor: s.action === 'complete' || s.action === 'order_ended' ? t('step.system') : t('role.bureau'),
              }))}
            />
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
