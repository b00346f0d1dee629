import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { RadioGroup, SelectField, Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { saveBlob } from '../../lib/download';
import { shanghaiDayEnd, shanghaiDayStart, shanghaiToday } from '../../lib/shanghai-day';
import { onSubmit, useAction } from '../../lib/use-action';

type Dataset = paths['/exports/{dataset}']['get']['parameters']['path']['dataset'] | 'public-data-requests';
type Format = 'csv' | 'xlsx';

const datasets: Dataset[] = ['orders', 'payments', 'payouts', 'refunds', 'audit-events', 'public-data-requests'];

/**
 * The exports the API offers operators (GET /exports/{dataset}, GET /exports/public-data-requests):
 * a dataset of a period of Beijing days, as CSV or as an Excel workbook, saved as a file.
 */
export function ExportsPage() {
  const { t } = useI18n();
  const today = shanghaiToday();
  const [dataset, setDataset] = useState<Dataset>('orders');
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [format, setFormat] = useState<Format>('csv');
  const [saved, setSaved] = useState<string | null>(null);
  const run = useAction(async () => {
    setSaved(null);
    const query = { from: shanghaiDayStart(from), to: shanghaiDayEnd(to), format };
    const blob = await ok(
      dataset === 'public-data-requests'
        ? api.GET('/exports/public-data-requests', { params: { query }, parseAs: 'blob' })
        : api.GET('/exports/{dataset}', { params: { path: { dataset }, query }, parseAs: 'blob' }),
    );
    const name = `${dataset}-${from}-${to}.${format}`;
    saveBlob(blob as Blob, name);
    setSaved(name);
  });
  return (
    <Page title={t('exports.title')}>
      <p class="lead">{t('exports.intro')}</p>
      <form class="form narrow" onSubmit={onSubmit(run.run)}>
        <SelectField label={t('exports.dataset')} value={dataset} onValue={setDataset} options={datasets.map((d) => ({ value: d, label: t(`exportDataset.${d}`) }))} />
        <div class="row">
          <TextField label={t('exports.from')} type="date" required value={from} onValue={setFrom} />
          <TextField label={t('exports.to')} hint={t('exports.toHint')} type="date" required value={to} onValue={setTo} />
        </div>
        <RadioGroup
          legend={t('exports.format')}
          name="format"
          value={format}
          onValue={setFormat}
          options={[
            { value: 'csv', label: 'CSV' },
            { value: 'xlsx', label: t('exports.xlsx') },
          ]}
        />
        <ProblemAlert error={run.error} />
        <Submit busy={run.busy}>{t('exports.download')}</Submit>
      </form>
      {saved && (
        <p class="success" role="status">
          {t('exports.saved', { name: saved })}
        </p>
      )}
    </Page>
  );
}
