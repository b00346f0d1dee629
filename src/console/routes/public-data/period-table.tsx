import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { onSubmit, useAction } from '../../lib/use-action';

type Status = 'upcoming' | 'running' | 'due' | 'overdue' | 'filed' | 'filed_late';

/** A schedule of usage reports (Art. 20), public data's or procured data's: each period with its dates, status and report. */
export function PeriodTable<P extends { period: number; start: string; end: string; dueDate: string; status: Status }>(props: { caption: string; periods: P[]; report(period: P): ComponentChildren }) {
  const { t, date } = useI18n();
  return (
    <Table
      caption={props.caption}
      rows={props.periods}
      rowKey={(p) => String(p.period)}
      columns={[
        { header: t('usage.period'), cell: (p) => t('duties.period', { n: p.period }) },
        { header: t('usage.span'), cell: (p) => `${date(p.start)} – ${date(p.end)}` },
        { header: t('duties.dueDate'), cell: (p) => date(p.dueDate) },
        { header: t('usage.status'), cell: (p) => <span class={`status status-${p.status}`}>{t(`periodStatus.${p.status}`)}</span> },
        { header: t('usage.report'), cell: props.report },
      ]}
    />
  );
}

export interface UsageReport {
  period: number;
  summary: string;
  safeguards: string;
  results?: string;
}

/**
 * The user reports its use of the data for a period that has begun (Art. 20 ¶1): public data's
 * applicant, or a department for procured data. `file` sends it to the route of its kind, under
 * the Idempotency-Key of its content.
 */
export function UsageReportForm({ period, file }: { period: number; file(report: UsageReport, idempotencyKey: string): Promise<void> }) {
  const { t } = useI18n();
  const [summary, setSummary] = useState('');
  const [safeguards, setSafeguards] = useState('');
  const [results, setResults] = useState('');
  const keys = useIdempotencyKeys();
  const send = useAction(() => {
    const report = { period, summary, safeguards, ...(results ? { results } : {}) };
    return file(report, keys.keyFor(report));
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(send.run)}>
      <p>{t('usage.reportIntro', { n: period })}</p>
      <TextField label={t('usage.summary')} multiline required value={summary} onValue={setSummary} />
      <TextField label={t('usage.safeguards')} multiline required value={safeguards} onValue={setSafeguards} />
      <TextField label={t('usage.results')} multiline value={results} onValue={setResults} />
      <ProblemAlert error={send.error} />
      <Submit busy={send.busy}>{t('usage.file')}</Submit>
    </form>
  );
}
