import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable, Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { usePagedLoad } from '../../lib/use-paged-load';

/**
 * The bureau's model texts (Art. 19): every version of each kind with its hash, and the next
 * version published from its text (checked by the API as at start-up; it names what is wrong).
 */
export function ModelTextsPage() {
  const { t, text, dateTime } = useI18n();
  const texts = useLoad(() => ok(api.GET('/agreement-model-texts')), []);
  const [source, setSource] = useState('');
  const keys = useIdempotencyKeys();
  const publish = useAction(async () => {
    const body = { text: source };
    await ok(api.POST('/agreement-model-texts', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    setSource('');
    texts.reload();
  });
  return (
    <Page title={t('modelTexts.title')}>
      <p>{t('modelTexts.intro')}</p>
      <WhenLoaded loaded={texts}>
        {(list) => (
          <Table
            caption={t('modelTexts.caption', { count: list.length })}
            rows={list}
            rowKey={(m) => m.id}
            columns={[
              { header: t('modelTexts.name'), cell: (m) => text(m.title) },
              { header: t('modelTexts.kind'), cell: (m) => t(`agreementKind.${m.kind}`) },
              { header: t('modelTexts.version'), cell: (m) => m.version },
              { header: t('modelTexts.publishedAt'), cell: (m) => dateTime(m.publishedAt) },
              { header: 'SHA-256', cell: (m) => <code class="hash">{m.sha256.slice(0, 16)}…</code> },
            ]}
          />
        )}
      </WhenLoaded>
      <h2>{t('modelTexts.publish')}</h2>
      <form class="form" onSubmit={onSubmit(publish.run)}>
        <TextField label={t('modelTexts.source')} hint={t('modelTexts.sourceHint')} multiline required value={source} onValue={setSource} />
        <ProblemAlert error={publish.error} />
        <Submit busy={publish.busy}>{t('modelTexts.publishSubmit')}</Submit>
      </form>
    </Page>
  );
}

/** The bureau's copies of signed utilization agreements (Art. 19 ¶1: 抄送), unread first marked, read one by one or all. */
export function AgreementInboxPage() {
  const { t, text, date, dateTime } = useI18n();
  const inbox = usePagedLoad((query) => ok(api.GET('/bureau/agreement-inbox', { params: { query } })), []);
  const mark = useAction(async (ids: string[]) => {
    await ok(api.POST('/bureau/agreement-inbox/read', { body: { ids } }));
    inbox.reload();
  });
  const unread = inbox.data?.items.filter((c) => !c.readAt).map((c) => c.id) ?? [];
  return (
    <Page title={t('inbox.title')}>
      <p>{t('inbox.intro')}</p>
      {unread.length > 0 && (
        <button type="button" onClick={() => void mark.run(unread)} disabled={mark.busy}>
          {t('inbox.markAll', { count: unread.length })}
        </button>
      )}
      <ProblemAlert error={mark.error} />
      <LoadedTable
        loaded={inbox}
        empty={t('inbox.none')}
        caption={(count) => t('inbox.caption', { count })}
        rowKey={(c) => c.id}
        columns={[
          { header: t('inbox.number'), cell: (c) => c.agreement.number },
          { header: t('inbox.name'), cell: (c) => text(c.agreement.title) },
          { header: t('inbox.parties'), cell: (c) => c.agreement.parties.map((p) => p.name).join('、') },
          { header: t('inbox.term'), cell: (c) => `${date(c.agreement.term.start)} – ${date(c.agreement.term.end)}` },
          { header: t('inbox.notifiedAt'), cell: (c) => dateTime(c.notifiedAt) },
          {
            header: t('inbox.read'),
            cell: (c) =>
              c.readAt ? (
                t('notifications.read')
              ) : (
                <button type="button" onClick={() => void mark.run([c.id])} disabled={mark.busy} aria-label={t('inbox.markOne', { number: c.agreement.number })}>
                  {t('notifications.markRead')}
                </button>
              ),
          },
        ]}
      />
    </Page>
  );
}
