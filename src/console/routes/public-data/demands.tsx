import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { DepartmentName, DepartmentSelect, useDepartments, type Directory } from '../../components/department-select';
import { RadioGroup, Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { MoreRows } from '../../components/table';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { onSubmit, useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';

type Demand = paths['/public-data/demands/{id}']['get']['responses']['200']['content']['application/json'];
type AnswerBody = paths['/public-data/demands/{id}/answer']['post']['requestBody']['content']['application/json'];

/**
 * The bureau addresses a demand nobody answered yet to the department that holds the data
 * (Shanghai Art. 10): one raised without an addressee, or sent again to another department.
 */
function DemandRouting({ demand, directory, onChange }: { demand: Demand; directory: Directory; onChange(): void }) {
  const { t } = useI18n();
  const [departmentPartyId, setDepartment] = useState('');
  const keys = useIdempotencyKeys();
  const send = useAction(async () => {
    const body = { departmentPartyId };
    await ok(api.POST('/public-data/demands/{id}/routing', { params: { path: { id: demand.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    onChange();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(send.run)}>
      <DepartmentSelect label={t('demandRouting.department')} directory={directory} required value={departmentPartyId} onValue={setDepartment} />
      <ProblemAlert error={send.error} />
      <Submit busy={send.busy}>{t(demand.status === 'unrouted' ? 'demandRouting.route' : 'demandRouting.reroute')}</Submit>
    </form>
  );
}

/** The department answers a demand once: already open (which entry), planned (when) or refused (why). */
function DemandAnswer({ demand, onChange }: { demand: Demand; onChange(): void }) {
  const { t } = useI18n();
  const [answer, setAnswer] = useState<AnswerBody['answer'] | ''>('');
  const [entryId, setEntryId] = useState('');
  const [plannedOn, setPlannedOn] = useState('');
  const [reasons, setReasons] = useState('');
  const keys = useIdempotencyKeys();
  const send = useAction(async () => {
    if (!answer) return;
    const body: AnswerBody = answer === 'already_open' ? { answer, entryId } : answer === 'planned' ? { answer, plannedOn } : { answer, reasons };
    await ok(api.POST('/public-data/demands/{id}/answer', { params: { path: { id: demand.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onChange();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(send.run)}>
      <RadioGroup
        legend={t('demands.answer')}
        name={`demand-${demand.id}`}
        required
        value={answer}
        onValue={setAnswer}
        options={(['already_open', 'planned', 'refused'] as const).map((a) => ({ value: a, label: t(`demandStatus.${a}`) }))}
      />
      {answer === 'already_open' && <TextField label={t('demands.entryId')} hint={t('demands.entryIdHint')} required value={entryId} onValue={setEntryId} />}
      {answer === 'planned' && <TextField label={t('demands.plannedOn')} type="date" required value={plannedOn} onValue={setPlannedOn} />}
      {answer === 'refused' && <TextField label={t('demands.reasons')} multiline required value={reasons} onValue={setReasons} />}
      <ProblemAlert error={send.error} />
      <Submit busy={send.busy}>{t('demands.send')}</Submit>
    </form>
  );
}

/**
 * The public's demands for data to open (Shanghai Art. 10): a department those addressed to it and
 * answers the open ones; the bureau reads every department's and routes those still unanswered.
 */
export function DemandsPage() {
  const { t, date, dateTime } = useI18n();
  const session = useSession();
  const department = session.has('department');
  const bureau = session.has('bureau');
  const directory = useDepartments();
  const demands = usePagedLoad((query) => ok(api.GET('/public-data/demands', { params: { query } })), [session.state.partyId]);
  return (
    <Page title={t('demands.title')}>
      <p>{t('demands.intro')}</p>
      <WhenLoaded loaded={demands}>
        {(data) =>
          data.items.length === 0 ? (
            <p>{t('demands.none')}</p>
          ) : (
            data.items.map((d, i) => (
              <article key={d.id} class="card" aria-labelledby={`demand-${i}`}>
                <h2 id={`demand-${i}`}>{d.wantedData}</h2>
                <Facts
                  items={[
                    [t('demands.status'), t(`demandStatus.${d.status}`)],
                    [t('demands.intendedUse'), d.intendedUse],
                    [t('demandRouting.addressee'), d.departmentPartyId ? <DepartmentName directory={directory} id={d.departmentPartyId} /> : t('demandStatus.unrouted')],
                    [t('demands.receivedAt'), dateTime(d.receivedAt)],
                    ...(d.entryId ? ([[t('demands.entryId'), <Link to={`/public-data/entries/${d.entryId}`}>{d.entryId}</Link>]] as [string, preact.ComponentChildren][]) : []),
                    ...(d.plannedOn ? ([[t('demands.plannedOn'), date(d.plannedOn)]] as [string, string][]) : []),
                    ...(d.reasons ? ([[t('demands.reasons'), d.reasons]] as [string, string][]) : []),
                  ]}
                />
                {department && d.status === 'open' && <DemandAnswer demand={d} onChange={demands.reload} />}
                {bureau && (d.status === 'unrouted' || d.status === 'open') && <DemandRouting demand={d} directory={directory} onChange={demands.reload} />}
              </article>
            ))
          )
        }
      </WhenLoaded>
      <MoreRows paged={demands} />
    </Page>
  );
}
