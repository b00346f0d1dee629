import type { ComponentChildren } from 'preact';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';

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
