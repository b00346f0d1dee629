import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { DepartmentName, DepartmentSelect, departmentLabel, useDepartments, type Directory } from '../../components/department-select';
import { Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { minorOf } from '../../lib/money-input';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';

type BudgetBody = paths['/procurement/budgets']['post']['requestBody']['content']['application/json'];

/** This year in Beijing: budgets are set per budget year. */
const beijingYear = () => String(new Date(Date.now() + 8 * 3600_000).getUTCFullYear());

/** The bureau sets a department's budget for a year in yuan; setting it again replaces it (audited for the department). */
function BudgetForm({ year, directory, onSet }: { year: string; directory: Directory; onSet(): void }) {
  const { t, money } = useI18n();
  const [departmentPartyId, setDepartment] = useState('');
  const [budgetYear, setBudgetYear] = useState(year);
  const [yuan, setYuan] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const keys = useIdempotencyKeys();
  const set = useAction(async () => {
    setDone(null);
    const body: BudgetBody = { departmentPartyId, year: Number(budgetYear), amountMinor: minorOf(yuan) };
    const saved = await ok(api.POST('/procurement/budgets', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    setDone(t('budgets.saved', { department: departmentLabel(directory, saved.departmentPartyId), year: saved.year, amount: money(saved.amountMinor ?? 0, saved.currency) }));
    onSet();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(set.run)}>
      <h2>{t('budgets.formTitle')}</h2>
      <DepartmentSelect label={t('budgets.department')} hint={t('budgets.departmentHint')} directory={directory} required value={departmentPartyId} onValue={setDepartment} />
      <TextField label={t('procurement.budgetYear')} type="number" min={2000} required value={budgetYear} onValue={setBudgetYear} />
      <TextField label={t('budgets.amount')} hint={t('budgets.amountHint')} required value={yuan} onValue={setYuan} />
      <ProblemAlert error={set.error} />
      {done && <p role="status">{done}</p>}
      <Submit busy={set.busy}>{t('budgets.set')}</Submit>
    </form>
  );
}

/**
 * Departments' procurement budgets (Chongqing draft Art. 27 ¶3): for a year, each department's
 * budget with what its shares of ordered procurements committed and what is left; a need filed
 * beyond it is flagged over budget.
 */
export function BudgetsPage() {
  const { t, money } = useI18n();
  const [year, setYear] = useState(beijingYear());
  const [shown, setShown] = useState(year);
  const directory = useDepartments();
  const budgets = useLoad(async () => ({ items: await ok(api.GET('/procurement/budgets', { params: { query: { year: Number(shown) } } })) }), [shown]);
  const amount = (minor: number | null, currency: string) => (minor === null ? t('budgets.notSet') : money(minor, currency));
  return (
    <Page title={t('budgets.title')}>
      <p>{t('budgets.intro')}</p>
      <form class="form narrow" role="search" aria-label={t('budgets.yearSearch')} onSubmit={onSubmit(() => setShown(year))}>
        <TextField label={t('budgets.year')} type="number" min={2000} required value={year} onValue={setYear} />
        <button type="submit">{t('budgets.show')}</button>
      </form>
      <LoadedTable
        loaded={budgets}
        empty={t('budgets.none', { year: shown })}
        caption={(count) => t('budgets.caption', { year: shown, count })}
        rowKey={(b) => b.departmentPartyId}
        columns={[
          { header: t('duties.departmentColumn'), cell: (b) => <DepartmentName directory={directory} id={b.departmentPartyId} /> },
          { header: t('budgets.amountColumn'), cell: (b) => amount(b.amountMinor, b.currency) },
          { header: t('budgets.committed'), cell: (b) => money(b.committedMinor, b.currency) },
          { header: t('budgets.available'), cell: (b) => amount(b.availableMinor, b.currency) },
        ]}
      />
      <BudgetForm year={shown} directory={directory} onSet={budgets.reload} />
    </Page>
  );
}
