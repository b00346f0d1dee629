import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField, Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { CorrectionOf, useCorrectionOrderColumns } from './correction-orders';
import { PeriodTable, UsageReportForm } from './period-table';

type Usage = paths['/public-data/requests/{id}/usage']['get']['responses']['200']['content']['application/json'];
type OrderBody = paths['/public-data/requests/{id}/orders']['post']['requestBody']['content']['application/json'];
type Ground = OrderBody['ground'];
type OutcomeBody = paths['/public-data/requests/{id}/outcomes']['post']['requestBody']['content']['application/json'];
type OutcomeKind = OutcomeBody['kind'];

const outcomeKinds: OutcomeKind[] = ['research_report', 'paper', 'intellectual_property', 'data_service', 'product'];

const grounds: Ground[] = ['usage_not_reported', 'source_not_cited', 'beyond_scope', 'tampered_destroyed_or_leaked'];

/**
 * The department (or the bureau) orders the user to correct a breach of Art. 20 within a time limit
 * (Art. 64): an overdue period, an outcome without its citation, use beyond the scope or harm to
 * the data. The API checks that the record shows the breach.
 */
function CorrectionOrderForm({ usage, onChange }: { usage: Usage; onChange(): void }) {
  const { t } = useI18n();
  const overdue = usage.periods.filter((p) => p.status === 'overdue');
  const uncited = usage.outcomes.filter((o) => !o.cited);
  const [ground, setGround] = useState<Ground>('usage_not_reported');
  const [period, setPeriod] = useState(String(overdue[0]?.period ?? ''));
  const [outcomeId, setOutcomeId] = useState(uncited[0]?.id ?? '');
  const [details, setDetails] = useState('');
  const [correctBy, setCorrectBy] = useState('');
  const keys = useIdempotencyKeys();
  const order = useAction(async () => {
    const body: OrderBody = {
      ground,
      details,
      correctBy,
      ...(ground === 'usage_not_reported' && period ? { period: Number(period) } : {}),
      ...(ground === 'source_not_cited' && outcomeId ? { outcomeId } : {}),
    };
    await ok(api.POST('/public-data/requests/{id}/orders', { params: { path: { id: usage.requestId }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    setDetails('');
    onChange();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(order.run)}>
      <h3>{t('pdUsage.orderTitle')}</h3>
      <SelectField label={t('duties.ground')} value={ground} onValue={setGround} options={grounds.map((g) => ({ value: g, label: t(`orderGround.${g}`) }))} />
      {ground === 'usage_not_reported' && (
        <SelectField label={t('duties.periodColumn')} value={period} onValue={setPeriod} options={[{ value: '', label: t('common.none') }, ...overdue.map((p) => ({ value: String(p.period), label: t('duties.period', { n: p.period }) }))]} />
      )}
      {ground === 'source_not_cited' && <SelectField label={t('duties.outcome')} value={outcomeId} onValue={setOutcomeId} options={[{ value: '', label: t('common.none') }, ...uncited.map((o) => ({ value: o.id, label: o.title }))]} />}
      <TextField label={t('duties.details')} multiline required value={details} onValue={setDetails} />
      <TextField label={t('duties.correctBy')} type="date" required value={correctBy} onValue={setCorrectBy} />
      <ProblemAlert error={order.error} />
      <Submit busy={order.busy}>{t('pdUsage.order')}</Submit>
    </form>
  );
}

/**
 * The user registers an outcome made with the data and the citation of the source it carries
 * (Art. 20 ¶1). One Idempotency-Key per outcome sent: a second click registers it once.
 */
function OutcomeForm({ requestId, onChange }: { requestId: string; onChange(): void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<OutcomeKind>('research_report');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [reference, setReference] = useState('');
  const [citation, setCitation] = useState('');
  const keys = useIdempotencyKeys();
  const register = useAction(async () => {
    const body: OutcomeBody = { kind, title, ...(description ? { description } : {}), ...(reference ? { reference } : {}), ...(citation ? { citation } : {}) };
    await ok(api.POST('/public-data/requests/{id}/outcomes', { params: { path: { id: requestId }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    setTitle('');
    setDescription('');
    setReference('');
    setCitation('');
    onChange();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(register.run)}>
      <h3>{t('applicantUsage.outcomeTitle')}</h3>
      <SelectField label={t('pdUsage.kind')} value={kind} onValue={setKind} options={outcomeKinds.map((k) => ({ value: k, label: t(`outcomeKind.${k}`) }))} />
      <TextField label={t('applicantUsage.outcomeName')} required value={title} onValue={setTitle} />
      <TextField label={t('applicantUsage.description')} multiline value={description} onValue={setDescription} />
      <TextField label={t('applicantUsage.reference')} hint={t('applicantUsage.referenceHint')} value={reference} onValue={setReference} />
      <TextField label={t('pdUsage.citation')} hint={t('applicantUsage.citationHint')} value={citation} onValue={setCitation} />
      <ProblemAlert error={register.error} />
      <Submit busy={register.busy}>{t('applicantUsage.register')}</Submit>
    </form>
  );
}

/** The user adds the citation of the source to an outcome registered without one (Art. 20 ¶1); an order about it is corrected by it. */
function CitationForm({ outcome, onChange }: { outcome: Usage['outcomes'][number]; onChange(): void }) {
  const { t } = useI18n();
  const [citation, setCitation] = useState('');
  const cite = useAction(async () => {
    await ok(api.PUT('/public-data/outcomes/{id}/citation', { params: { path: { id: outcome.id } }, body: { citation } }));
    onChange();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(cite.run)}>
      <TextField label={t('applicantUsage.citeLabel', { title: outcome.title })} required value={citation} onValue={setCitation} />
      <ProblemAlert error={cite.error} />
      <Submit busy={cite.busy}>{t('applicantUsage.cite', { title: outcome.title })}</Submit>
    </form>
  );
}

/** The user's duties on the page: the report of the first period begun and not reported, the citations missing, and a new outcome. */
function UserReports({ usage, onChange }: { usage: Usage; onChange(): void }) {
  const { t } = useI18n();
  const reportable = usage.periods.find((p) => !p.report && p.status !== 'upcoming');
  return (
    <>
      <h3>{t('applicantUsage.reportTitle')}</h3>
      {reportable ? (
        <UsageReportForm
          key={reportable.period}
          period={reportable.period}
          file={async (body, key) => {
            await ok(api.POST('/public-data/requests/{id}/usage-reports', { params: { path: { id: usage.requestId }, header: { 'idempotency-key': key } }, body }));
            onChange();
          }}
        />
      ) : (
        <p>{t('applicantUsage.nothingDue')}</p>
      )}
      {usage.outcomes
        .filter((o) => !o.cited)
        .map((o) => (
          <CitationForm key={o.id} outcome={o} onChange={onChange} />
        ))}
      <OutcomeForm requestId={usage.requestId} onChange={onChange} />
    </>
  );
}

/**
 * The use of an opened request's data (Art. 20): the schedule of usage reports with each period's
 * status and report, the outcomes with their citations, the orders to correct; the department and
 * the bureau order corrections; the user (the applicant) files the report of a period that has
 * begun and registers its outcomes.
 */
export function RequestUsage({ requestId, canOrder, user }: { requestId: string; canOrder: boolean; user: boolean }) {
  const { t, dateTime } = useI18n();
  const usage = useLoad(() => ok(api.GET('/public-data/requests/{id}/usage', { params: { path: { id: requestId } } })), [requestId]);
  const orderColumns = useCorrectionOrderColumns<Usage['orders'][number]>();
  return (
    <section aria-labelledby="request-usage-heading">
      <h2 id="request-usage-heading">{t('pdUsage.title')}</h2>
      <WhenLoaded loaded={usage}>
        {(u) => (
          <>
            {u.periods.length === 0 ? (
              <p>{t('pdUsage.noPeriods')}</p>
            ) : (
              <PeriodTable caption={t('pdUsage.periods')} periods={u.periods} report={(p) => (p.report ? `${p.report.summary} · ${dateTime(p.report.filedAt)}` : '—')} />
            )}
            {u.outcomes.length === 0 ? (
              <p>{t('pdUsage.noOutcomes')}</p>
            ) : (
              <Table
                caption={t('pdUsage.outcomes')}
                rows={u.outcomes}
                rowKey={(o) => o.id}
                columns={[
                  { header: t('duties.outcome'), cell: (o) => o.title },
                  { header: t('pdUsage.kind'), cell: (o) => t(`outcomeKind.${o.kind}`) },
                  { header: t('pdUsage.citation'), cell: (o) => o.citation ?? t('pdUsage.uncited') },
                  { header: t('duties.registeredAt'), cell: (o) => dateTime(o.registeredAt) },
                ]}
              />
            )}
            {u.orders.length > 0 && (
              <Table
                caption={t('duties.orders')}
                rows={u.orders}
                rowKey={(o) => o.id}
                columns={[
                  ...orderColumns,
                  { header: t('correctionOrder.correction'), cell: (o) => <CorrectionOf order={o} /> },
                ]}
              />
            )}
            {canOrder && <CorrectionOrderForm usage={u} onChange={usage.reload} />}
            {user && <UserReports usage={u} onChange={usage.reload} />}
          </>
        )}
      </WhenLoaded>
    </section>
  );
}
