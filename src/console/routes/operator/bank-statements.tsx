import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField, Submit } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link, navigate } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';

type Encoding = NonNullable<NonNullable<paths['/settlement/bank-statements']['post']['parameters']['query']>['encoding']>;

/** The media type the API reads a statement file as: camt.053 is XML, a bank's export is CSV. */
const mediaTypeOf = (file: File) => (/\.xml$/i.test(file.name) || /xml/.test(file.type) ? 'application/xml' : 'text/csv');

/**
 * Bank statements: a statement uploaded as the bank sent it (camt.053 or a CSV export in the
 * mainland layout, UTF-8 or GBK; POST /settlement/bank-statements), the statements imported, and
 * the lines of every statement that wait for an operator (GET /settlement/bank-statement-lines).
 */
export function BankStatementsPage() {
  const { t, money, dateTime, date } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [encoding, setEncoding] = useState<Encoding>('utf-8');
  const statements = usePagedLoad((query) => ok(api.GET('/settlement/bank-statements', { params: { query } })), []);
  const unmatched = usePagedLoad((page) => ok(api.GET('/settlement/bank-statement-lines', { params: { query: { ...page, status: 'unmatched' } } })), []);
  const upload = useAction(async () => {
    if (!file) return;
    const answer = await ok(
      api.POST('/settlement/bank-statements', {
        params: { query: mediaTypeOf(file) === 'text/csv' ? { encoding } : {} },
        // The statement is the raw file, in its own media type (not JSON).
        body: file as unknown as string,
        bodySerializer: (body: unknown) => body,
        headers: { 'content-type': mediaTypeOf(file) },
      }),
    );
    navigate(`/bank-statements/${answer.statement.id}${answer.created ? '' : '?again=1'}`);
  });
  return (
    <Page title={t('statements.title')} actions={<Link to="/settlement">{t('nav.settlement')}</Link>}>
      <form class="form narrow" onSubmit={onSubmit(upload.run)}>
        <h2>{t('statements.upload')}</h2>
        <div class="field">
          <label for="statement-file">{t('statements.file')}</label>
          <input id="statement-file" type="file" accept=".xml,.csv,application/xml,text/xml,text/csv" required aria-describedby="statement-file-hint" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
          <p class="hint" id="statement-file-hint">
            {t('statements.fileHint')}
          </p>
        </div>
        <SelectField
          label={t('statements.encoding')}
          value={encoding}
          onValue={setEncoding}
          options={[
            { value: 'utf-8', label: 'UTF-8' },
            { value: 'gb18030', label: t('statements.gbk') },
          ]}
        />
        <ProblemAlert error={upload.error} />
        <Submit busy={upload.busy}>{t('statements.import')}</Submit>
      </form>
      <h2>{t('statements.unmatchedTitle')}</h2>
      <LoadedTable
        loaded={unmatched}
        empty={t('statements.noUnmatched')}
        caption={(n) => t('statements.unmatchedCaption', { n })}
        rowKey={(l) => l.id}
        columns={[
          { header: t('statements.bankReference'), cell: (l) => <Link to={`/bank-statements/${l.statementId}`}>{l.bankReference}</Link> },
          { header: t('statements.bookingDate'), cell: (l) => date(l.bookingDate) },
          { header: t('statements.amount'), cell: (l) => `${t(`lineDirection.${l.direction}`)} ${money(l.amountMinor, l.currency)}` },
          { header: t('statements.remittance'), cell: (l) => l.remittance },
          { header: t('statements.why'), cell: (l) => (l.unmatchedReason ? t(`unmatchedReason.${l.unmatchedReason}`) : '—') },
        ]}
      />
      <h2>{t('statements.importedTitle')}</h2>
      <LoadedTable
        loaded={statements}
        empty={t('statements.none')}
        caption={(n) => t('statements.caption', { n })}
        rowKey={(s) => s.id}
        columns={[
          { header: t('statements.statementId'), cell: (s) => <Link to={`/bank-statements/${s.id}`}>{s.statementId}</Link> },
          { header: t('statements.format'), cell: (s) => t(`statementFormat.${s.format}`) },
          { header: t('statements.closing'), cell: (s) => (s.closingBalanceMinor === null ? '—' : `${money(s.closingBalanceMinor, s.currency)} · ${date(s.closingDate)}`) },
          { header: t('statements.lines'), cell: (s) => s.lineCount },
          { header: t('statements.importedAt'), cell: (s) => dateTime(s.createdAt) },
        ]}
      />
    </Page>
  );
}
