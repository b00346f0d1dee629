import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { CheckboxField, SelectField, Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable, MoreRows } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';
import { NeedForm } from './need-form';
import { NeedWithdrawal } from './need-withdrawal';
import { useIdempotencyKeys } from '../../lib/idempotency';

type Body = paths['/procurement/procurements']['post']['requestBody']['content']['application/json'];
type Need = paths['/procurement/needs/{id}']['get']['responses']['200']['content']['application/json'];
type Interval = NonNullable<Body['reportEveryMonths']>;

/**
 * The bureau consolidates filed needs of departments into one procurement of a listing (act for the
 * bureau's public body): the price plan, a purpose the licence allows, the scenario, the
 * safeguards, and how often the departments report their use. Each need shows its flags: over
 * budget, and the published entries it could be had from instead (Art. 13(2)).
 */
function Consolidation({ needs }: { needs: Need[] }) {
  const { t, money } = useI18n();
  const [chosen, setChosen] = useState<string[]>([]);
  const [listingId, setListingId] = useState('');
  const [plan, setPlan] = useState('');
  const [purpose, setPurpose] = useState('');
  const [scenario, setScenario] = useState('');
  const [safeguards, setSafeguards] = useState('');
  const [every, setEvery] = useState<`${Interval}`>('3');
  const keys = useIdempotencyKeys();
  const consolidate = useAction(async () => {
    const body: Body = { needIds: chosen, listingId, pricePlan: plan, quantity: 1, purpose, scenario, safeguards, reportEveryMonths: Number(every) as Interval };
    const made = await ok(api.POST('/procurement/procurements', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    navigate(`/procurement/procurements/${made.id}`);
  });
  if (needs.length === 0) return <p>{t('procurement.noFiledNeeds')}</p>;
  return (
    <form class="form" onSubmit={onSubmit(consolidate.run)}>
      <fieldset>
        <legend>{t('procurement.needsToConsolidate')}</legend>
        {needs.map((n) => (
          <CheckboxField
            key={n.id}
            label={
              <>
                {n.title} · {money(n.budgetMinor, n.currency)} · {n.budgetYear}
                {n.overBudget && <strong class="tag tag-overdue"> {t('procurement.overBudget')}</strong>}
                {n.availableAsPublicData.length > 0 && <strong class="tag tag-provisional"> {t('procurement.availableAsPublicData', { titles: n.availableAsPublicData.map((m) => m.title).join('、') })}</strong>}
              </>
            }
            checked={chosen.includes(n.id)}
            onValue={(on) => setChosen((c) => (on ? [...c, n.id] : c.filter((id) => id !== n.id)))}
          />
        ))}
      </fieldset>
      <TextField label={t('procurement.listingId')} hint={t('procurement.listingIdHint')} required value={listingId} onValue={setListingId} />
      <TextField label={t('procurement.pricePlan')} required value={plan} onValue={setPlan} />
      <TextField label={t('procurement.purpose')} hint={t('procurement.purposeHint')} required value={purpose} onValue={setPurpose} />
      <TextField label={t('procurement.scenario')} multiline required value={scenario} onValue={setScenario} />
      <TextField label={t('procurement.safeguards')} multiline required value={safeguards} onValue={setSafeguards} />
      <SelectField label={t('procurement.reportEvery')} value={every} onValue={setEvery} options={(['1', '3', '6', '12'] as const).map((n) => ({ value: n, label: t('pdAnswer.months', { n }) }))} />
      <ProblemAlert error={consolidate.error} />
      <Submit busy={consolidate.busy}>{t('procurement.consolidate')}</Submit>
    </form>
  );
}

/**
 * Central procurement: the bureau's list of procurements and the needs it may consolidate; a
 * department's needs and the procurements it benefits from.
 */
export function ProcurementListPage() {
  const { t, money, dateTime } = useI18n();
  const session = useSession();
  const bureau = session.has('bureau');
  const procurements = usePagedLoad((query) => ok(api.GET('/procurement/procurements', { params: { query } })), [session.state.partyId]);
  const needs = usePagedLoad((page) => ok(api.GET('/procurement/needs', { params: { query: { ...page, ...(bureau ? { status: 'filed' as const } : {}) } } })), [bureau, session.state.partyId]);
  return (
    <Page title={t('procurement.title')}>
      <p>{t(bureau ? 'procurement.introBureau' : 'procurement.introDepartment')}</p>
      <h2>{t('procurement.procurements')}</h2>
      <LoadedTable
        loaded={procurements}
        empty={t('procurement.none')}
        caption={(count) => t('procurement.caption', { count })}
        rowKey={(p) => p.id}
        columns={[
          { header: t('procurement.number'), cell: (p) => <Link to={`/procurement/procurements/${p.id}`}>{p.number}</Link> },
          { header: t('procurement.status'), cell: (p) => t(`procurementStatus.${p.status}`) },
          { header: t('procurement.amount'), cell: (p) => money(p.amountMinor, p.currency) },
          { header: t('procurement.purpose'), cell: (p) => p.purpose },
          { header: t('procurement.createdAt'), cell: (p) => dateTime(p.createdAt) },
        ]}
      />
      <h2>{t(bureau ? 'procurement.filedNeeds' : 'procurement.ownNeeds')}</h2>
      {bureau ? (
        <>
          <WhenLoaded loaded={needs}>{(data) => <Consolidation needs={data.items} />}</WhenLoaded>
          <MoreRows paged={needs} />
        </>
      ) : (
        <>
          <LoadedTable
            loaded={needs}
            empty={t('procurement.noNeeds')}
            caption={(count) => t('procurement.needsCaption', { count })}
            rowKey={(n) => n.id}
            columns={[
              { header: t('procurement.needTitle'), cell: (n) => n.title },
              { header: t('procurement.status'), cell: (n) => t(`needStatus.${n.status}`) },
              { header: t('procurement.budget'), cell: (n) => `${money(n.budgetMinor, n.currency)}${n.overBudget ? ` · ${t('procurement.overBudget')}` : ''}` },
              { header: t('procurement.budgetYear'), cell: (n) => n.budgetYear },
              { header: t('needWithdrawal.reason'), cell: (n) => n.withdrawnReason ?? '—' },
            ]}
          />
          {needs.data && <NeedWithdrawal needs={needs.data.items} onWithdrawn={needs.reload} />}
          <NeedForm onFiled={needs.reload} />
        </>
      )}
    </Page>
  );
}
