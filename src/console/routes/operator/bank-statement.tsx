import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link, useLocation } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { useIdempotencyKeys } from '../../lib/idempotency';

type Line = paths['/settlement/bank-statements/{id}']['get']['responses']['200']['content']['application/json']['lines'][number];

/** An unmatched line: name the payment it pays (…/resolution), or dismiss it with the reason (…/dismissal). */
function LineActions({ line, onChange }: { line: Line; onChange(): void }) {
  const { t } = useI18n();
  const [reference, setReference] = useState('');
  const [reason, setReason] = useState('');
  const keys = useIdempotencyKeys();
  const path = { id: line.statementId, lineId: line.id };
  const resolve = useAction(async () => {
    const body = { reference };
    await ok(api.POST('/settlement/bank-statements/{id}/lines/{lineId}/resolution', { params: { path, header: { 'idempotency-key': keys.keyFor({ resolution: body }) } }, body }));
    onChange();
  });
  const dismiss = useAction(async () => {
    const body = { reason };
    await ok(api.POST('/settlement/bank-statements/{id}/lines/{lineId}/dismissal', { params: { path, header: { 'idempotency-key': keys.keyFor({ dismissal: body }) } }, body }));
    onChange();
  });
  return (
    <>
      {line.direction === 'credit' && (
        <form class="form inline-form" onSubmit={onSubmit(resolve.run)} aria-label={t('statement.resolveOf', { ref: line.bankReference })}>
          <TextField label={t('statement.paymentReference')} required value={reference} onValue={setReference} />
          <ProblemAlert error={resolve.error} />
          <Submit busy={resolve.busy}>{t('statement.resolve')}</Submit>
        </form>
      )}
      <form class="form inline-form" onSubmit={onSubmit(dismiss.run)} aria-label={t('statement.dismissOf', { ref: line.bankReference })}>
        <TextField label={t('statement.dismissReason')} required value={reason} onValue={setReason} />
        <ProblemAlert error={dismiss.error} />
        <Submit busy={dismiss.busy}>{t('statement.dismiss')}</Submit>
      </form>
    </>
  );
}

/**
 * An imported statement: its lines in order with what became of each (posted to a payment, already
 * accounted, unmatched with the reason, resolved, dismissed), the unmatched ones worked on here, and
 * its reconciliation with the ledger (GET /settlement/bank-statements/{id}/reconciliation).
 */
export function BankStatementPage({ id }: { id: string }) {
  const { t, money, date, dateTime } = useI18n();
  const { query } = useLocation();
  const statement = useLoad(() => ok(api.GET('/settlement/bank-statements/{id}', { params: { path: { id } } })), [id]);
  const reconciliation = useLoad(() => ok(api.GET('/settlement/bank-statements/{id}/reconciliation', { params: { path: { id } } })), [id]);
  const changed = () => {
    statement.reload();
    reconciliation.reload();
  };
  const s = statement.data;
  const r = reconciliation.data;
  const amount = (minor: number | null | undefined, currency: string) => (minor === null || minor === undefined ? '—' : money(minor, currency));
  return (
    <Page title={s ? t('statement.title', { id: s.statementId }) : t('statements.title')} actions={<Link to="/bank-statements">{t('statement.back')}</Link>}>
      {query.get('again') && (
        <p class="notice" role="status">
          {t('statement.importedBefore')}
        </p>
      )}
      <WhenLoaded loaded={statement}>
        {(s) => (
          <>
            <Facts
              items={[
                [t('statements.format'), t(`statementFormat.${s.format}`)],
                [t('statement.account'), s.account ?? '—'],
                [t('statement.opening'), amount(s.openingBalanceMinor, s.currency)],
                [t('statements.closing'), `${amount(s.closingBalanceMinor, s.currency)} · ${date(s.closingDate)}`],
                [t('statements.importedAt'), dateTime(s.createdAt)],
                ['SHA-256', <code class="hash">{s.sha256}</code>],
              ]}
            />
            <h2>{t('statement.reconciliation')}</h2>
            <ProblemAlert error={reconciliation.error} />
            {r && (
              <Facts
                items={[
                  [t('statement.credits'), money(r.creditsMinor, r.currency)],
                  [t('statement.debits'), money(r.debitsMinor, r.currency)],
                  [t('statement.balances'), r.statementBalances === null ? t('statement.noBalances') : r.statementBalances ? t('statement.balancesHold') : t('statement.balancesFail')],
                  [t('statement.ledgerBalance'), money(r.ledgerBalanceMinor, r.currency)],
                  [t('statement.difference'), amount(r.differenceMinor, r.currency)],
                  [t('statement.unmatched'), t('statement.unmatchedSum', { n: r.unmatched.lines, credits: money(r.unmatched.creditsMinor, r.currency), debits: money(r.unmatched.debitsMinor, r.currency) })],
                  [t('statement.dismissed'), t('statement.dismissedSum', { n: r.dismissed.lines, net: money(r.dismissed.netMinor, r.currency) })],
                ]}
              />
            )}
            <h2>{t('statement.lines')}</h2>
            <Table
              caption={t('statement.lines')}
              hideCaption
              rows={s.lines}
              rowKey={(l) => l.id}
              columns={[
                { header: t('statements.bankReference'), cell: (l) => `${l.position}. ${l.bankReference}` },
                { header: t('statements.bookingDate'), cell: (l) => date(l.bookingDate) },
                { header: t('statements.amount'), cell: (l) => `${t(`lineDirection.${l.direction}`)} ${money(l.amountMinor, l.currency)}` },
                { header: t('statements.remittance'), cell: (l) => l.remittance },
                {
                  header: t('statement.outcome'),
                  cell: (l) => (
                    <>
                      <strong>{t(`lineStatus.${l.status}`)}</strong>
                      {l.unmatchedReason && l.status === 'unmatched' && <> · {t(`unmatchedReason.${l.unmatchedReason}`)}</>}
                      {l.paymentReference && <> · <code>{l.paymentReference}</code></>}
                      {l.dismissalReason && <> · {l.dismissalReason}</>}
                    </>
                  ),
                },
                { header: t('settlement.action'), cell: (l) => (l.status === 'unmatched' ? <LineActions line={l} onChange={changed} /> : '—') },
              ]}
            />
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
