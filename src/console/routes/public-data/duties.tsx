import { api, ok } from '../../api/client';
import { DepartmentName, useDepartments, type Directory } from '../../components/department-select';
import { WhenLoaded } from '../../components/loaded';
import { Page } from '../../components/page';
import { MoreRows, Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useLoad } from '../../lib/use-load';
import { usePagedLoad } from '../../lib/use-paged-load';
import { RequestTable } from './request-parts';

/** Requests unanswered and due within two working days, and those overdue (GET /public-data/request-deadlines). */
function RequestDeadlines({ bureau, directory }: { bureau: boolean; directory: Directory }) {
  const { t } = useI18n();
  const deadlines = useLoad(() => ok(api.GET('/public-data/request-deadlines')), []);
  const provisional = useLoad(async () => (bureau ? ok(api.GET('/public-data/request-deadlines/provisional')) : null), [bureau]);
  return (
    <section aria-labelledby="deadlines-heading">
      <h2 id="deadlines-heading">{t('duties.deadlines')}</h2>
      <WhenLoaded loaded={deadlines}>
        {(data) =>
          data.items.length === 0 ? (
            <p>{t('duties.noDeadlines')}</p>
          ) : (
            data.items.map((d) => (
              <div key={d.departmentPartyId}>
                {bureau && (
                  <h3>
                    <DepartmentName directory={directory} id={d.departmentPartyId} />
                  </h3>
                )}
                <RequestTable caption={t('duties.overdue')} requests={d.overdue} empty={t('duties.noOverdue')} />
                <RequestTable caption={t('duties.dueSoon')} requests={d.dueSoon} empty={t('duties.noDueSoon')} />
              </div>
            ))
          )
        }
      </WhenLoaded>
      {bureau && (
        <WhenLoaded loaded={provisional}>
          {(data) => data && <RequestTable caption={t('duties.provisional')} requests={data.items} empty={t('duties.noProvisional')} />}
        </WhenLoaded>
      )}
    </section>
  );
}

/** What users of opened data owe (Art. 20) and what the department owes for procured data (GET /public-data/usage-duties). */
function UsageDuties({ directory }: { directory: Directory }) {
  const { t, date, dateTime } = useI18n();
  const duties = useLoad(() => ok(api.GET('/public-data/usage-duties')), []);
  return (
    <section aria-labelledby="usage-heading">
      <h2 id="usage-heading">{t('duties.usage')}</h2>
      <WhenLoaded loaded={duties}>
        {(d) => (
          <>
            {d.overdueReports.length === 0 ? (
              <p>{t('duties.noOverdueReports')}</p>
            ) : (
              <Table
                caption={t('duties.overdueReports')}
                rows={d.overdueReports}
                rowKey={(r) => `${r.requestId}-${r.period}`}
                columns={[
                  { header: t('duties.request'), cell: (r) => <Link to={`/public-data/requests/${r.requestId}`}>{t('duties.period', { n: r.period })}</Link> },
                  { header: t('duties.user'), cell: (r) => <code>{r.userPartyId}</code> },
                  { header: t('duties.periodEnd'), cell: (r) => date(r.periodEnd) },
                  { header: t('duties.dueDate'), cell: (r) => date(r.dueDate) },
                ]}
              />
            )}
            {d.uncitedOutcomes.length === 0 ? (
              <p>{t('duties.noUncited')}</p>
            ) : (
              <Table
                caption={t('duties.uncited')}
                rows={d.uncitedOutcomes}
                rowKey={(o) => o.id}
                columns={[
                  { header: t('duties.outcome'), cell: (o) => <Link to={`/public-data/requests/${o.requestId}`}>{o.title}</Link> },
                  { header: t('duties.user'), cell: (o) => <code>{o.userPartyId}</code> },
                  { header: t('duties.registeredAt'), cell: (o) => dateTime(o.registeredAt) },
                ]}
              />
            )}
            {d.procurementReportsOverdue.length === 0 ? (
              <p>{t('duties.noProcurementOverdue')}</p>
            ) : (
              <Table
                caption={t('duties.procurementOverdue')}
                rows={d.procurementReportsOverdue}
                rowKey={(r) => `${r.procurementId}-${r.departmentPartyId}-${r.period}`}
                columns={[
                  { header: t('procurement.number'), cell: (r) => <Link to={`/procurement/procurements/${r.procurementId}`}>{r.procurementNumber}</Link> },
                  { header: t('duties.periodColumn'), cell: (r) => r.period },
                  { header: t('duties.departmentColumn'), cell: (r) => <DepartmentName directory={directory} id={r.departmentPartyId} /> },
                  { header: t('duties.dueDate'), cell: (r) => date(r.dueDate) },
                ]}
              />
            )}
          </>
        )}
      </WhenLoaded>
    </section>
  );
}

/** Orders to correct a breach of Art. 20 and the bureau's decisions on them (Art. 64; GET /public-data/orders), each linked to its page. */
function CorrectionOrders() {
  const { t, date } = useI18n();
  const orders = usePagedLoad((query) => ok(api.GET('/public-data/orders', { params: { query } })), []);
  return (
    <section aria-labelledby="orders-heading">
      <h2 id="orders-heading">{t('duties.orders')}</h2>
      <WhenLoaded loaded={orders}>
        {(data) =>
          data.items.length === 0 ? (
            <p>{t('duties.noOrders')}</p>
          ) : (
            <Table
              caption={t('duties.orders')}
              hideCaption
              rows={data.items}
              rowKey={(o) => o.id}
              columns={[
                { header: t('duties.ground'), cell: (o) => <Link to={`/public-data/requests/${o.requestId}`}>{t(`orderGround.${o.ground}`)}</Link> },
                { header: t('duties.details'), cell: (o) => <Link to={`/public-data/orders/${o.id}`}>{o.details}</Link> },
                { header: t('duties.correctBy'), cell: (o) => `${date(o.correctBy)}${o.lapsed ? ` · ${t('duties.lapsed')}` : ''}` },
                { header: t('duties.orderState'), cell: (o) => t(`correctionState.${o.state}`) },
                { header: t('duties.decision'), cell: (o) => (o.decision ? (o.decision.kind === 'fine' ? t('duties.fine', { yuan: o.decision.amountYuan ?? 0 }) : t('duties.suspension', { until: date(o.decision.suspendedUntil) })) : '—') },
              ]}
            />
          )
        }
      </WhenLoaded>
      <MoreRows paged={orders} />
    </section>
  );
}

/**
 * Deadlines and duties: the department's own (what it must answer, what its data's users owe, the
 * usage reports it owes for procured data); the bureau's across every department, with the
 * requests whose deadline is still provisional and the Art. 64 records.
 */
export function DutiesPage() {
  const { t } = useI18n();
  const session = useSession();
  const bureau = session.has('bureau');
  const directory = useDepartments();
  return (
    <Page title={t('duties.title')}>
      <p>{t(bureau ? 'duties.introBureau' : 'duties.introDepartment')}</p>
      <RequestDeadlines bureau={bureau} directory={directory} />
      <UsageDuties directory={directory} />
      <CorrectionOrders />
    </Page>
  );
}
