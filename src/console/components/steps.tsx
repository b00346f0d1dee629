import { useI18n } from '../i18n/i18n';
import { Link } from '../lib/router';
import { Table } from './table';

/** One step of a record as the API recorded it, with the audit event whose receipt proves it. */
export interface Step {
  auditEventId: string;
  at: string;
  /** The step in words. */
  action: string;
  /** The change of state in words, when the step made one. */
  change: string;
  /** Who acted, in words. */
  actor: string;
}

/** Every step of a record, each linked to the receipt checker with its receipt filled in. */
export function StepTable({ caption, steps }: { caption: string; steps: Step[] }) {
  const { t, dateTime } = useI18n();
  return (
    <Table
      caption={caption}
      hideCaption
      rows={steps}
      rowKey={(s) => s.auditEventId}
      columns={[
        { header: t('step.action'), cell: (s) => s.action },
        { header: t('step.at'), cell: (s) => dateTime(s.at) },
        { header: t('step.change'), cell: (s) => s.change },
        { header: t('step.actor'), cell: (s) => s.actor },
        {
          header: t('step.receipt'),
          cell: (s) => (
            <Link to={`/receipts?event=${s.auditEventId}`} aria-label={t('step.checkReceiptOf', { action: s.action })}>
              {t('step.checkReceipt')}
            </Link>
          ),
        },
      ]}
    />
  );
}

/** "from → to" in words, or just "to" for a step that started the record. */
export const changeOf = (name: (state: string) => string, from: string | null | undefined, to: string | null | undefined) => (to ? `${from ? `${name(from)} → ` : ''}${name(to)}` : '—');
