import { useState } from 'preact/hooks';
import type { paths } from '../../api/schema';
import { CheckboxField, SelectField, Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import type { ApiError } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { onSubmit } from '../../lib/use-action';

export type EntryContent = paths['/public-data/entries']['post']['requestBody']['content']['application/json'];
type FieldType = EntryContent['fields'][number]['type'];
type BasisKind = NonNullable<EntryContent['open']['legalBasis']>['kind'];

const frequencies = ['once', 'realtime', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'annual', 'irregular'] as const;
const fieldTypes: FieldType[] = ['string', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'geometry', 'json'];
const list = (text: string) => text.split(/[,，、\n]/).map((s) => s.trim()).filter(Boolean);

/** "name, type, description" per line, as the API's fields; a type it does not know stays, for the API to name the line at fault. */
const parseFields = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = '', type = '', ...description] = line.split(/[,，]/).map((s) => s.trim());
      return { name, type: type as FieldType, description: description.join('，') };
    });

/**
 * An entry of the open list as a form (Shanghai Art. 12): what it holds, how often it changes,
 * where it came from, what is sensitive, and its open and sharing classes with the legal basis that
 * conditional and closed classes need (Art. 15, 17). The API checks the rules and names what is wrong.
 */
export function EntryForm({ initial, submitLabel, busy, error, onContent }: { initial?: EntryContent; submitLabel: string; busy: boolean; error: ApiError | undefined; onContent(content: EntryContent): void }) {
  const { t } = useI18n();
  const basis = initial?.open.legalBasis ?? initial?.sharing.legalBasis;
  const [titleZh, setTitleZh] = useState(initial?.title.zh ?? '');
  const [titleEn, setTitleEn] = useState(initial?.title.en ?? '');
  const [summary, setSummary] = useState(initial?.summary.zh ?? '');
  const [fields, setFields] = useState(initial?.fields.map((f) => `${f.name}, ${f.type}, ${f.description}`).join('\n') ?? '');
  const [items, setItems] = useState(initial?.dataItems.join('、') ?? '');
  const [formats, setFormats] = useState(initial?.formats.join(', ') ?? 'csv');
  const [frequency, setFrequency] = useState<EntryContent['updateFrequency']>(initial?.updateFrequency ?? 'monthly');
  const [origin, setOrigin] = useState<EntryContent['origin']>(initial?.origin ?? 'own');
  const [personal, setPersonal] = useState(initial?.sensitive.personalInformation ?? false);
  const [secrets, setSecrets] = useState(initial?.sensitive.tradeSecrets ?? false);
  const [openClass, setOpenClass] = useState<EntryContent['open']['class']>(initial?.open.class ?? 'unconditional');
  const [conditions, setConditions] = useState(initial?.open.conditions ?? '');
  const [sharingClass, setSharingClass] = useState<EntryContent['sharing']['class']>(initial?.sharing.class ?? 'unconditional');
  const [basisKind, setBasisKind] = useState<BasisKind>(basis?.kind ?? 'regulation');
  const [basisTitle, setBasisTitle] = useState(basis?.title ?? '');
  const [article, setArticle] = useState(basis?.article ?? '');
  const legalBasis = basisTitle ? { legalBasis: { kind: basisKind, title: basisTitle, ...(article ? { article } : {}) } } : {};
  const submit = () =>
    onContent({
      title: { zh: titleZh, ...(titleEn ? { en: titleEn } : {}) },
      summary: { zh: summary },
      fields: parseFields(fields),
      dataItems: list(items),
      formats: list(formats),
      updateFrequency: frequency,
      origin,
      sensitive: { personalInformation: personal, tradeSecrets: secrets },
      ...(initial?.release ? { release: initial.release } : {}),
      open: { class: openClass, ...(openClass === 'conditional' && conditions ? { conditions } : {}), ...(openClass === 'unconditional' ? {} : legalBasis) },
      sharing: { class: sharingClass, ...(sharingClass === 'unconditional' ? {} : legalBasis) },
    });
  return (
    <form class="form" onSubmit={onSubmit(submit)}>
      <TextField label={t('entry.titleZh')} required value={titleZh} onValue={setTitleZh} />
      <TextField label={t('entry.titleEn')} value={titleEn} onValue={setTitleEn} />
      <TextField label={t('entry.summary')} multiline required value={summary} onValue={setSummary} />
      <TextField label={t('entry.fields')} hint={t('entry.fieldsHint', { types: fieldTypes.join(', ') })} multiline required value={fields} onValue={setFields} />
      <TextField label={t('entry.dataItems')} hint={t('entry.listHint')} required value={items} onValue={setItems} />
      <TextField label={t('entry.formats')} hint={t('entry.listHint')} required value={formats} onValue={setFormats} />
      <SelectField label={t('entry.updateFrequency')} value={frequency} onValue={setFrequency} options={frequencies.map((f) => ({ value: f, label: t(`frequency.${f}`) }))} />
      <SelectField label={t('entry.origin')} value={origin} onValue={setOrigin} options={(['own', 'obtained_by_sharing'] as const).map((o) => ({ value: o, label: t(`entryOrigin.${o}`) }))} />
      <CheckboxField label={t('entry.personalInformation')} checked={personal} onValue={setPersonal} />
      <CheckboxField label={t('entry.tradeSecrets')} checked={secrets} onValue={setSecrets} />
      <SelectField label={t('entry.openClass')} value={openClass} onValue={setOpenClass} options={(['unconditional', 'conditional', 'not_open'] as const).map((c) => ({ value: c, label: t(`openClass.${c}`) }))} />
      {openClass === 'conditional' && <TextField label={t('entry.conditions')} multiline required value={conditions} onValue={setConditions} />}
      <SelectField label={t('entry.sharingClass')} value={sharingClass} onValue={setSharingClass} options={(['unconditional', 'conditional', 'not_shared'] as const).map((c) => ({ value: c, label: t(`sharingClass.${c}`) }))} />
      {(openClass !== 'unconditional' || sharingClass !== 'unconditional') && (
        <fieldset>
          <legend>{t('entry.legalBasis')}</legend>
          <SelectField label={t('legalBasis.kind')} value={basisKind} onValue={setBasisKind} options={(['law', 'regulation', 'national_document'] as const).map((k) => ({ value: k, label: t(`legalBasis.${k}`) }))} />
          <TextField label={t('legalBasis.title')} required value={basisTitle} onValue={setBasisTitle} />
          <TextField label={t('legalBasis.article')} value={article} onValue={setArticle} />
        </fieldset>
      )}
      <ProblemAlert error={error} />
      <Submit busy={busy}>{submitLabel}</Submit>
    </form>
  );
}
