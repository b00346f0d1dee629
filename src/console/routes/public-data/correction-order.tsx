import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { DepartmentName, useDepartments } from '../../components/department-select';
import { CheckboxField, RadioGroup, Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';
import { StatementForm } from './correction-orders';
import { useLoad } from '../../lib/use-load';

type Order = paths['/public-data/orders/{id}']['get']['responses']['200']['content']['application/json'];
type DecisionBody = paths['/public-data/orders/{id}/decision']['post']['requestBody']['content']['application/json'];

/**
 * The bureau's decision on an order the user did not heed (Art. 64): a fine of 10,000 to 100,000
 * yuan, or the suspension of the user's access to the agreement's data (to a day, or until lifted).
 * Before the time limit ends only on serious consequences; the API says which, and decides once.
 */
function DecisionForm({ order, onDecided }: { order: Order; onDecided(): void }) {
  const { t, date } = useI18n();
  const [kind, setKind] = useState<DecisionBody['kind'] | ''>('');
  const [amountYuan, setAmount] = useState('');
  const [suspendedUntil, setUntil] = useState('');
  const [ground, setGround] = useState('');
  const [serious, setSerious] = useState(false);
  const keys = useIdempotencyKeys();
  const decide = useAction(async () => {
    if (!kind) return;
    const body: DecisionBody = {
      kind,
      ground,
      ...(kind === 'fine' ? { amountYuan: Number(amountYuan) } : {}),
      ...(kind === 'suspension' && suspendedUntil ? { suspendedUntil } : {}),
      ...(serious ? { seriousConsequences: true } : {}),
    };
    await ok(api.POST('/public-data/orders/{id}/decision', { params: { path: { id: order.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onDecided();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(decide.run)} aria-labelledby="decision-heading">
      <h2 id="decision-heading">{t('orderDecision.title')}</h2>
      <p>{t(order.lapsed ? 'orderDecision.lapsedIntro' : 'orderDecision.notLapsedIntro', { date: date(order.correctBy) })}</p>
      <RadioGroup
        legend={t('orderDecision.kind')}
        name="decision-kind"
        required
        value={kind}
        onValue={setKind}
        options={[
          { value: 'fine', label: t('orderDecision.fine') },
          { value: 'suspension', label: t('orderDecision.suspension') },
        ]}
      />
      {kind === 'fine' && <TextField label={t('orderDecision.amount')} hint={t('orderDecision.amountHint')} type="number" step="1" required value={amountYuan} onValue={setAmount} />}
      {kind === 'suspension' && <TextField label={t('orderDecision.until')} hint={t('orderDecision.untilHint')} type="date" value={suspendedUntil} onValue={setUntil} />}
      <TextField label={t('orderDecision.ground')} multiline required value={ground} onValue={setGround} />
      <CheckboxField label={t('orderDecision.serious')} checked={serious} onValue={setSerious} />
      <ProblemAlert error={decide.error} />
      <Submit busy={decide.busy}>{t('orderDecision.submit')}</Submit>
    </form>
  );
}

/**
 * An order to correct a breach of Art. 20 (Art. 64): what it is about and by when, how it was
 * corrected, and the bureau's decision, for the user, the department and the bureau; the user
 * states its correction of an open one here, and the bureau decides on it.
 */
export function CorrectionOrderPage({ id }: { id: string }) {
  const { t, date, dateTime } = useI18n();
  const session = useSession();
  const order = useLoad(() => ok(api.GET('/public-data/orders/{id}', { params: { path: { id } } })), [id]);
  const directory = useDepartments();
  return (
    <Page
      title={t('orderPage.title')}
      actions={session.has('department', 'bureau') ? <Link to="/public-data/duties">{t('orderPage.back')}</Link> : <Link to="/public-data/orders">{t('correctionOrder.back')}</Link>}
    >
      <WhenLoaded loaded={order}>
        {(o) => {
          const facts: [string, ComponentChildren][] = [
            [t('duties.ground'), t(`orderGround.${o.ground}`)],
            [t('duties.details'), o.details],
            [t('orderPage.request'), <Link to={`/public-data/requests/${o.requestId}`}>{t('correctionOrder.requestLink')}</Link>],
            [t('duties.user'), <code>{o.userPartyId}</code>],
            [t('duties.departmentColumn'), <DepartmentName directory={directory} id={o.departmentPartyId} />],
            ...(o.period !== null ? ([[t('duties.periodColumn'), t('duties.period', { n: o.period })]] as [string, string][]) : []),
            [t('orderPage.issued'), `${dateTime(o.issuedAt)} · ${t(`role.${o.issuedAs}`)}`],
            [t('duties.correctBy'), `${date(o.correctBy)}${o.lapsed ? ` · ${t('duties.lapsed')}` : ''}`],
            [t('duties.orderState'), <strong class={`status status-${o.state}`}>{t(`correctionState.${o.state}`)}</strong>],
          ];
          if (o.correction) facts.push([t('orderPage.correction'), `${t(`correctionHow.${o.correction.how}`)} · ${dateTime(o.correction.correctedAt)}${o.correction.late ? ` · ${t('orderPage.late')}` : ''}${o.correction.statement ? ` · ${o.correction.statement}` : ''}`]);
          if (o.decision) {
            const d = o.decision;
            facts.push(
              [t('duties.decision'), d.kind === 'fine' ? t('duties.fine', { yuan: d.amountYuan ?? 0 }) : d.suspendedUntil ? t('duties.suspension', { until: date(d.suspendedUntil) }) : t('orderPage.suspendedUntilLifted')],
              [t('orderDecision.ground'), d.ground],
              [t('orderPage.decidedAt'), `${dateTime(d.decidedAt)}${d.seriousConsequences ? ` · ${t('orderPage.serious')}` : ''}`],
            );
          }
          return (
            <>
              <Facts items={facts} />
              {o.state === 'open' && o.userPartyId === session.state.partyId && <StatementForm order={o} onChange={order.reload} />}
              {session.has('bureau') && o.state !== 'decided' && <DecisionForm order={o} onDecided={order.reload} />}
            </>
          );
        }}
      </WhenLoaded>
    </Page>
  );
}
