import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { SelectField, Submit, TextField } from '../../components/fields';
import { Facts, Loading, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { useIdempotencyKeys } from '../../lib/idempotency';

/**
 * Ordering (POST /orders): no trade without a stated purpose (one the licence allows), the
 * application scenario and the safeguards. One Idempotency-Key per content (lib/idempotency.ts): a
 * retried submission is the same order, a corrected one after a refusal a new request.
 */
export function OrderFormPage({ id }: { id: string }) {
  const { t, text, money } = useI18n();
  const session = useSession();
  const listing = useLoad(() => ok(api.GET('/catalog/listings/{id}', { params: { path: { id } } })), [id]);
  const live = listing.data?.live;
  const [plan, setPlan] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [purpose, setPurpose] = useState('');
  const [scenario, setScenario] = useState('');
  const [safeguards, setSafeguards] = useState('');
  const [termStart, setTermStart] = useState('');
  const keys = useIdempotencyKeys();
  const plans = live?.content.pricePlans ?? [];
  const purposes = live?.content.licence.allowedPurposes ?? [];
  const chosenPlan = plans.find((p) => p.name === plan) ?? plans[0];
  const place = useAction(async () => {
    if (!chosenPlan) return;
    const body = {
      listingId: id,
      pricePlan: chosenPlan.name,
      purpose: purpose || purposes[0] || '',
      scenario,
      safeguards,
      ...(chosenPlan.kind === 'subscription' ? { quantity: Number(quantity) } : {}),
      ...(termStart ? { termStart } : {}),
    };
    const order = await ok(api.POST('/orders', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    navigate(`/orders/${order.id}`);
  });

  return (
    <Page title={live ? t('orderForm.title', { title: text(live.content.title) }) : t('listing.titleLoading')} actions={<Link to={`/catalog/${id}`}>{t('orderForm.back')}</Link>}>
      <ProblemAlert error={listing.error} />
      {!live ? (
        listing.loading && <Loading label={t('common.loading')} />
      ) : (
        <form class="form" onSubmit={onSubmit(place.run)}>
          {session.acting ? (
            <Facts items={[[t('orderForm.buyer'), session.acting.legalName]]} />
          ) : (
            <p class="notice">{t('orderForm.noParty')}</p>
          )}
          <SelectField
            label={t('orderForm.plan')}
            required
            value={chosenPlan?.name ?? ''}
            onValue={setPlan}
            options={plans.map((p) => ({ value: p.name, label: `${p.name} · ${money(p.amountMinor, p.currency)}` }))}
          />
          {chosenPlan?.kind === 'subscription' && (
            <TextField label={t('orderForm.quantity', { period: t(`period.${chosenPlan.period ?? 'month'}`) })} type="number" min={1} required value={quantity} onValue={setQuantity} />
          )}
          <SelectField label={t('orderForm.purpose')} hint={t('orderForm.purposeHint')} required value={purpose || purposes[0] || ''} onValue={setPurpose} options={purposes.map((p) => ({ value: p, label: p }))} />
          <TextField label={t('orderForm.scenario')} hint={t('orderForm.scenarioHint')} multiline required value={scenario} onValue={setScenario} />
          <TextField label={t('orderForm.safeguards')} hint={t('orderForm.safeguardsHint')} multiline required value={safeguards} onValue={setSafeguards} />
          <TextField label={t('orderForm.termStart')} hint={t('orderForm.termStartHint')} type="date" value={termStart} onValue={setTermStart} />
          <ProblemAlert error={place.error} />
          <Submit busy={place.busy}>{t('orderForm.submit')}</Submit>
        </form>
      )}
    </Page>
  );
}
