import { useState } from 'preact/hooks';
import type { paths } from '../../api/schema';
import { CheckboxField, SelectField, Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import type { ApiError } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { minorOf, yuanOf } from '../../lib/money-input';
import { onSubmit } from '../../lib/use-action';

export type ListingContent = paths['/catalog/listings']['post']['requestBody']['content']['application/json'];
type Field = ListingContent['schema']['fields'][number];
type Plan = ListingContent['pricePlans'][number];
type Frequency = ListingContent['updateFrequency'];
type Delivery = ListingContent['deliveryMethod'];
type Grade = ListingContent['grade'];
type Onward = ListingContent['licence']['onwardTransfer'];

const grades: Grade[] = ['general', 'important', 'core'];
const frequencies: Frequency[] = ['once', 'realtime', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'annual', 'irregular'];
const deliveries: Delivery[] = ['download', 'api', 'sandbox'];
const onwards: Onward[] = ['forbidden', 'with_provider_consent', 'allowed'];
const fieldTypes: Field['type'][] = ['string', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'geometry', 'json'];

interface PlanRow {
  name: string;
  kind: Plan['kind'];
  period: NonNullable<Plan['period']>;
  amount: string;
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
const list = (text: string) => text.split(/[,，、]/).map((l) => l.trim()).filter(Boolean);
const optional = (text: string) => (text.trim() ? text.trim() : undefined);

/** Schema fields as lines `name | type | description | unit`: the API checks each. */
function fieldsOf(text: string): Field[] {
  return lines(text).map((line) => {
    const [name = '', type = 'string', description = '', unit] = line.split('|').map((p) => p.trim());
    return { name, type: type as Field['type'], description, ...(unit ? { unit } : {}) };
  });
}

const textOfFields = (fields: Field[]) => fields.map((f) => [f.name, f.type, f.description ?? '', f.unit ?? ''].join(' | ').replace(/ \| $/, '')).join('\n');

/**
 * A data product's content, for a new draft (POST /catalog/listings) or a new revision of it
 * (PATCH /catalog/listings/{id}): title and description in Chinese and English, category, tags,
 * grade, personal information, the government-derived flag, fields, sample, formats, frequency,
 * coverage, delivery, licence and price plans in yuan. What the API refuses it says in its words.
 */
export function ListingContentForm({ initial, busy, error, submitLabel, onSave }: { initial?: ListingContent; busy: boolean; error: ApiError | undefined; submitLabel: string; onSave(content: ListingContent): void }) {
  const { t } = useI18n();
  const c = initial;
  const [titleZh, setTitleZh] = useState(c?.title.zh ?? '');
  const [titleEn, setTitleEn] = useState(c?.title.en ?? '');
  const [descZh, setDescZh] = useState(c?.description.zh ?? '');
  const [descEn, setDescEn] = useState(c?.description.en ?? '');
  const [category, setCategory] = useState(c?.category ?? '');
  const [tags, setTags] = useState((c?.tags ?? []).join('，'));
  const [grade, setGrade] = useState<Grade>(c?.grade ?? 'general');
  const [pi, setPi] = useState(c?.personalInformation.contains ?? false);
  const [subjects, setSubjects] = useState(String(c?.personalInformation.subjectCount ?? ''));
  const [government, setGovernment] = useState(c?.governmentDerived ?? false);
  const [fields, setFields] = useState(c ? textOfFields(c.schema.fields) : '');
  const [sampleType, setSampleType] = useState(c?.sample.mediaType ?? 'text/csv');
  const [sample, setSample] = useState(c?.sample.text ?? '');
  const [formats, setFormats] = useState((c?.formats ?? ['csv']).join('，'));
  const [frequency, setFrequency] = useState<Frequency>(c?.updateFrequency ?? 'monthly');
  const [start, setStart] = useState(c?.coverage.period.start ?? '');
  const [end, setEnd] = useState(c?.coverage.period.end ?? '');
  const [area, setArea] = useState(c?.coverage.area ?? '');
  const [delivery, setDelivery] = useState<Delivery>(c?.deliveryMethod ?? 'download');
  const [purposes, setPurposes] = useState((c?.licence.allowedPurposes ?? []).join('\n'));
  const [forbidden, setForbidden] = useState((c?.licence.forbiddenUses ?? []).join('\n'));
  const [term, setTerm] = useState(String(c?.licence.termMonths ?? 12));
  const [territory, setTerritory] = useState(c?.licence.territory ?? '中国大陆');
  const [onward, setOnward] = useState<Onward>(c?.licence.onwardTransfer ?? 'forbidden');
  const [approval, setApproval] = useState(c?.licence.approvalRequired ?? false);
  const [plans, setPlans] = useState<PlanRow[]>(
    c?.pricePlans.map((p) => ({ name: p.name, kind: p.kind, period: p.period ?? 'year', amount: yuanOf(p.amountMinor) })) ?? [{ name: '', kind: 'one_off', period: 'year', amount: '' }],
  );
  const setPlan = (i: number, change: Partial<PlanRow>) => setPlans(plans.map((p, n) => (n === i ? { ...p, ...change } : p)));

  const content = (): ListingContent => ({
    title: { ...(optional(titleZh) ? { zh: titleZh.trim() } : {}), ...(optional(titleEn) ? { en: titleEn.trim() } : {}) },
    description: { ...(optional(descZh) ? { zh: descZh.trim() } : {}), ...(optional(descEn) ? { en: descEn.trim() } : {}) },
    category: category.trim(),
    tags: list(tags),
    grade,
    personalInformation: pi ? { contains: true, subjectCount: Number(subjects) } : { contains: false },
    governmentDerived: government,
    schema: { fields: fieldsOf(fields) },
    sample: { mediaType: sampleType.trim(), text: sample },
    formats: list(formats),
    updateFrequency: frequency,
    coverage: { period: { start, ...(end ? { end } : {}) }, area: area.trim() },
    deliveryMethod: delivery,
    licence: { allowedPurposes: lines(purposes), forbiddenUses: lines(forbidden), termMonths: Number(term), territory: territory.trim(), onwardTransfer: onward, approvalRequired: approval },
    pricePlans: plans.map((p) => ({ name: p.name.trim(), kind: p.kind, ...(p.kind === 'subscription' ? { period: p.period } : {}), amountMinor: minorOf(p.amount), currency: 'CNY' })),
  });

  return (
    <form class="form" onSubmit={onSubmit(() => onSave(content()))}>
      <fieldset>
        <legend>{t('listingForm.what')}</legend>
        <div class="row">
          <TextField label={t('listingForm.titleZh')} value={titleZh} onValue={setTitleZh} />
          <TextField label={t('listingForm.titleEn')} value={titleEn} onValue={setTitleEn} />
        </div>
        <TextField label={t('listingForm.descriptionZh')} multiline value={descZh} onValue={setDescZh} />
        <TextField label={t('listingForm.descriptionEn')} multiline value={descEn} onValue={setDescEn} />
        <div class="row">
          <TextField label={t('listing.category')} hint={t('listingForm.categoryHint')} required value={category} onValue={setCategory} />
          <TextField label={t('listing.tags')} hint={t('listingForm.listHint')} value={tags} onValue={setTags} />
          <SelectField label={t('listing.grade')} value={grade} onValue={setGrade} options={grades.map((g) => ({ value: g, label: t(`grade.${g}`) }))} />
        </div>
        <CheckboxField label={t('listingForm.containsPi')} checked={pi} onValue={setPi} />
        {pi && <TextField label={t('listingForm.subjectCount')} type="number" min={1} required value={subjects} onValue={setSubjects} />}
        <CheckboxField label={t('listing.governmentDerived')} checked={government} onValue={setGovernment} />
      </fieldset>
      <fieldset>
        <legend>{t('listingForm.data')}</legend>
        <TextField label={t('listing.schema')} hint={t('listingForm.fieldsHint', { types: fieldTypes.join('、') })} multiline required value={fields} onValue={setFields} />
        <div class="row">
          <TextField label={t('listingForm.sampleType')} required value={sampleType} onValue={setSampleType} />
          <TextField label={t('listing.formats')} hint={t('listingForm.listHint')} required value={formats} onValue={setFormats} />
        </div>
        <TextField label={t('listing.sample')} multiline required value={sample} onValue={setSample} />
        <div class="row">
          <SelectField label={t('listing.updateFrequency')} value={frequency} onValue={setFrequency} options={frequencies.map((f) => ({ value: f, label: t(`frequency.${f}`) }))} />
          <SelectField label={t('listing.deliveryMethod')} value={delivery} onValue={setDelivery} options={deliveries.map((d) => ({ value: d, label: t(`delivery.${d}`) }))} />
        </div>
        <div class="row">
          <TextField label={t('listingForm.coverageStart')} type="date" required value={start} onValue={setStart} />
          <TextField label={t('listingForm.coverageEnd')} type="date" value={end} onValue={setEnd} />
          <TextField label={t('listingForm.area')} required value={area} onValue={setArea} />
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('listing.licence')}</legend>
        <TextField label={t('licence.allowedPurposes')} hint={t('listingForm.linesHint')} multiline required value={purposes} onValue={setPurposes} />
        <TextField label={t('licence.forbiddenUses')} hint={t('listingForm.linesHint')} multiline value={forbidden} onValue={setForbidden} />
        <div class="row">
          <TextField label={t('listingForm.termMonths')} type="number" min={1} required value={term} onValue={setTerm} />
          <TextField label={t('licence.territory')} required value={territory} onValue={setTerritory} />
          <SelectField label={t('licence.onwardTransfer')} value={onward} onValue={setOnward} options={onwards.map((o) => ({ value: o, label: t(`onward.${o}`) }))} />
        </div>
        <CheckboxField label={t('licence.approvalRequired')} checked={approval} onValue={setApproval} />
      </fieldset>
      <fieldset>
        <legend>{t('listing.prices')}</legend>
        {plans.map((p, i) => (
          <div class="row" key={i} role="group" aria-label={t('listingForm.planN', { n: i + 1 })}>
            <TextField label={t('listingForm.planName')} required value={p.name} onValue={(name) => setPlan(i, { name })} />
            <SelectField
              label={t('listingForm.planKind')}
              value={p.kind}
              onValue={(kind) => setPlan(i, { kind })}
              options={[
                { value: 'one_off', label: t('plan.oneOff') },
                { value: 'subscription', label: t('listingForm.subscription') },
              ]}
            />
            {p.kind === 'subscription' && (
              <SelectField label={t('listingForm.planPeriod')} value={p.period} onValue={(period) => setPlan(i, { period })} options={(['month', 'quarter', 'year'] as const).map((v) => ({ value: v, label: t(`period.${v}`) }))} />
            )}
            <TextField label={t('settlement.amountYuan')} required value={p.amount} onValue={(amount) => setPlan(i, { amount })} />
            {plans.length > 1 && (
              <button type="button" onClick={() => setPlans(plans.filter((_, n) => n !== i))}>
                {t('listingForm.removePlan', { n: i + 1 })}
              </button>
            )}
          </div>
        ))}
        <button type="button" onClick={() => setPlans([...plans, { name: '', kind: 'subscription', period: 'year', amount: '' }])}>
          {t('listingForm.addPlan')}
        </button>
      </fieldset>
      <ProblemAlert error={error} />
      <Submit busy={busy}>{submitLabel}</Submit>
    </form>
  );
}
