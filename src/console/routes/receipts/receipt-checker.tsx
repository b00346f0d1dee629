import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { Submit, TextField } from '../../components/fields';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import type { ReceiptResult } from '../../../lib/tlog/receipt-checks';
import { verifyReceipt, type NewerCheckpoint } from '../../lib/receipt';
import { useLocation } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';

/**
 * The receipt checker: a receipt of the audit log verified here, in the browser, with the log's
 * public key (Ed25519 through WebCrypto). Nothing the server says now is trusted: the receipt
 * may be pasted from a file kept earlier, and the key from where the exchange publishes it.
 * Optionally, a newer signed checkpoint and the consistency proof to it show that the log the
 * receipt was proved against has only been extended since, as `audit:verify-receipt --newer` does.
 */
export function ReceiptCheckerPage() {
  const { t, dateTime } = useI18n();
  const session = useSession();
  const { query } = useLocation();
  const eventId = query.get('event');
  const [receipt, setReceipt] = useState('');
  const [key, setKey] = useState('');
  const [newer, setNewer] = useState('');
  const [consistency, setConsistency] = useState('');
  const [result, setResult] = useState<ReceiptResult | null>(null);
  const [checkedNewer, setCheckedNewer] = useState<number | null>(null);
  const receiptSize = useMemo(() => {
    const size = parseJson(receipt) as { treeSize?: unknown } | null;
    return Number.isSafeInteger(size?.treeSize) ? (size!.treeSize as number) : null;
  }, [receipt]);
  const fetchReceipt = useAction(async () => {
    if (!eventId) return;
    const found = await ok(api.GET('/audit/events/{id}/receipt', { params: { path: { id: eventId }, query: { wait: 5 } } }));
    setReceipt(JSON.stringify(found, null, 2));
    setResult(null);
  });
  const fetchKey = useAction(async () => {
    setKey((await ok(api.GET('/audit/log/key', { parseAs: 'text' }))).trim());
    setResult(null);
  });
  // As the command line's users do: the newest checkpoint, then the proof from the receipt's tree to it.
  const fetchNewer = useAction(async () => {
    if (receiptSize === null) return;
    const note = await ok(api.GET('/audit/log/checkpoint', { parseAs: 'text' }));
    const size = Number(note.split('\n')[1]);
    const proof = await ok(api.GET('/audit/log/proofs/consistency', { params: { query: { from: receiptSize, to: size } } }));
    setNewer(note);
    setConsistency(JSON.stringify(proof, null, 2));
    setResult(null);
  });
  useEffect(() => {
    if (eventId && session.me) void fetchReceipt.run();
  }, [eventId, !!session.me]);
  const check = useAction(async () => {
    // Either field given asks for the consistency check; the one missing fails it, by its name.
    const given: NewerCheckpoint | undefined = newer.trim() || consistency.trim() ? { checkpoint: newer, consistency: parseJson(consistency) } : undefined;
    const checked = await verifyReceipt(parseJson(receipt), key, given);
    setCheckedNewer(given && checked.ok ? ((given.consistency as { to: number }).to) : null);
    setResult(checked);
  });
  const event = result?.ok ? (result.event as { id?: string; action?: string; occurredAt?: string; subject?: { type?: string; id?: string } }) : null;
  return (
    <Page title={t('receipts.title')}>
      <p>{t('receipts.intro')}</p>
      <form class="form" onSubmit={onSubmit(check.run)}>
        <TextField label={t('receipts.receipt')} hint={t('receipts.receiptHint')} multiline required value={receipt} onValue={(v) => (setReceipt(v), setResult(null))} />
        {eventId && session.me && (
          <button type="button" onClick={() => void fetchReceipt.run()} disabled={fetchReceipt.busy}>
            {t('receipts.fetchReceipt')}
          </button>
        )}
        <TextField label={t('receipts.key')} hint={t('receipts.keyHint')} required value={key} onValue={(v) => (setKey(v), setResult(null))} />
        <button type="button" onClick={() => void fetchKey.run()} disabled={fetchKey.busy}>
          {t('receipts.fetchKey')}
        </button>
        <fieldset>
          <legend>{t('receipts.newerLegend')}</legend>
          <p class="hint">{t('receipts.newerIntro')}</p>
          <TextField label={t('receipts.newer')} hint={t('receipts.newerHint')} multiline value={newer} onValue={(v) => (setNewer(v), setResult(null))} />
          <TextField label={t('receipts.consistency')} hint={t('receipts.consistencyHint')} multiline value={consistency} onValue={(v) => (setConsistency(v), setResult(null))} />
          {receiptSize !== null && (
            <button type="button" onClick={() => void fetchNewer.run()} disabled={fetchNewer.busy}>
              {t('receipts.fetchNewer')}
            </button>
          )}
        </fieldset>
        <ProblemAlert error={fetchReceipt.error ?? fetchKey.error ?? fetchNewer.error ?? check.error} />
        <Submit busy={check.busy}>{t('receipts.check')}</Submit>
      </form>
      {result && (
        <div class={result.ok ? 'success' : 'problem'} role={result.ok ? 'status' : 'alert'}>
          {result.ok ? (
            <>
              <p class="problem-title">{t('receipts.valid', { leaf: result.leafIndex, size: result.treeSize })}</p>
              {checkedNewer !== null && <p>{t('receipts.consistent', { size: result.treeSize, newer: checkedNewer })}</p>}
              {event && (
                <Facts
                  items={[
                    [t('receipts.event'), <code>{event.id}</code>],
                    [t('receipts.action'), <code>{event.action}</code>],
                    [t('receipts.at'), dateTime(event.occurredAt)],
                    [t('receipts.subject'), `${event.subject?.type ?? ''} ${event.subject?.id ?? ''}`],
                  ]}
                />
              )}
            </>
          ) : (
            <>
              <p class="problem-title">{t('receipts.invalid', { check: t(`receiptCheck.${result.failed}`) })}</p>
              <p class="problem-detail">{result.detail}</p>
            </>
          )}
        </div>
      )}
    </Page>
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
