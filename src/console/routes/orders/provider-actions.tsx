import { useState } from 'preact/hooks';
import { api, idempotencyKey, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Submit, TextField } from '../../components/fields';
import { Facts } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { minorOf, yuanOf } from '../../lib/money-input';
import { onSubmit, useAction } from '../../lib/use-action';
import { useIdempotencyKeys } from '../../lib/idempotency';

type OrderRecord = paths['/orders/{id}/record']['get']['responses']['200']['content']['application/json'];

/** The provider answers an order waiting for it with other terms (POST /orders/{id}/proposed-terms). */
export function ProposeTermsSection({ record, onChange }: { record: OrderRecord; onChange(): void }) {
  const { t } = useI18n();
  const o = record.order;
  const [amount, setAmount] = useState(yuanOf(o.amountMinor));
  const [quantity, setQuantity] = useState(String(o.quantity));
  const [start, setStart] = useState(o.term.start.slice(0, 10));
  const [end, setEnd] = useState(o.term.end.slice(0, 10));
  const [note, setNote] = useState('');
  const keys = useIdempotencyKeys();
  const propose = useAction(async () => {
    const body = { amountMinor: minorOf(amount), quantity: Number(quantity), termStart: start, termEnd: end, note };
    await ok(api.POST('/orders/{id}/proposed-terms', { params: { path: { id: o.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    onChange();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(propose.run)}>
      <h3>{t('terms.propose')}</h3>
      <TextField label={t('settlement.amountYuan')} required value={amount} onValue={setAmount} />
      <TextField label={t('terms.quantity')} type="number" min={1} required value={quantity} onValue={setQuantity} />
      <div class="row">
        <TextField label={t('terms.start')} type="date" required value={start} onValue={setStart} />
        <TextField label={t('terms.end')} type="date" required value={end} onValue={setEnd} />
      </div>
      <TextField label={t('terms.note')} multiline required value={note} onValue={setNote} />
      <ProblemAlert error={propose.error} />
      <Submit busy={propose.busy}>{t('terms.send')}</Submit>
    </form>
  );
}

/** The terms the provider proposed; the buyer takes them (…/acceptance) or declines them (…/decline). */
export function ProposedTermsSection({ record, buyer, onChange }: { record: OrderRecord; buyer: boolean; onChange(): void }) {
  const { t, money, date } = useI18n();
  const o = record.order;
  const p = o.proposedTerms;
  const [reason, setReason] = useState('');
  const keys = useIdempotencyKeys();
  const accept = useAction(async () => {
    await keys.act({ acceptance: o.id }, (key) => ok(api.POST('/orders/{id}/proposed-terms/acceptance', { params: { path: { id: o.id }, header: { 'idempotency-key': key } } })));
    onChange();
  });
  const decline = useAction(async () => {
    const body = { reason };
    await ok(api.POST('/orders/{id}/proposed-terms/decline', { params: { path: { id: o.id }, header: { 'idempotency-key': keys.keyFor({ decline: body }) } }, body }));
    keys.forget();
    onChange();
  });
  if (!p) return null;
  return (
    <section aria-labelledby="terms-heading">
      <h2 id="terms-heading">{t('terms.title')}</h2>
      <Facts
        items={[
          [t('order.amount'), money(p.amountMinor, o.currency)],
          [t('terms.quantity'), String(p.quantity)],
          [t('order.term'), `${date(p.termStart)} – ${date(p.termEnd)}`],
          [t('terms.note'), p.note],
        ]}
      />
      {buyer && o.status === 'terms_proposed' && (
        <>
          <button type="button" class="primary" onClick={() => void accept.run()} disabled={accept.busy}>
            {t('terms.accept')}
          </button>
          <ProblemAlert error={accept.error} />
          <form class="form narrow" onSubmit={onSubmit(decline.run)}>
            <TextField label={t('terms.declineReason')} multiline required value={reason} onValue={setReason} />
            <ProblemAlert error={decline.error} />
            <Submit busy={decline.busy}>{t('terms.decline')}</Submit>
          </form>
        </>
      )}
    </section>
  );
}

/**
 * Deliveries by API or by hand: the provider records what it delivered with its SHA-256
 * (POST /orders/{id}/deliveries); the buyer confirms receipt (POST /orders/{id}/receipt).
 */
export function ManualDeliverySection({ record, provider, buyer, onChange }: { record: OrderRecord; provider: boolean; buyer: boolean; onChange(): void }) {
  const { t, dateTime } = useI18n();
  const o = record.order;
  const [description, setDescription] = useState('');
  const [sha256, setSha256] = useState('');
  const [size, setSize] = useState('');
  const keys = useIdempotencyKeys();
  const [confirmKey] = useState(idempotencyKey);
  const recordDelivery = useAction(async () => {
    const body = { description, sha256: sha256.trim().toLowerCase(), ...(size ? { sizeBytes: Number(size) } : {}) };
    await ok(api.POST('/orders/{id}/deliveries', { params: { path: { id: o.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    setDescription('');
    setSha256('');
    setSize('');
    keys.forget();
    onChange();
  });
  const confirm = useAction(async () => {
    await ok(api.POST('/orders/{id}/receipt', { params: { path: { id: o.id }, header: { 'idempotency-key': confirmKey } } }));
    onChange();
  });
  const unconfirmed = record.deliveries.some((d) => !d.confirmedAt);
  return (
    <section aria-labelledby="manual-delivery-heading">
      <h2 id="manual-delivery-heading">{t('manualDelivery.title')}</h2>
      {record.deliveries.length === 0 ? (
        <p>{t('manualDelivery.none')}</p>
      ) : (
        <Table
          caption={t('manualDelivery.title')}
          hideCaption
          rows={record.deliveries}
          rowKey={(d) => d.id}
          columns={[
            { header: t('manualDelivery.description'), cell: (d) => d.description },
            { header: 'SHA-256', cell: (d) => <code class="hash">{d.sha256}</code> },
            { header: t('manualDelivery.recordedAt'), cell: (d) => dateTime(d.recordedAt) },
            { header: t('manualDelivery.confirmedAt'), cell: (d) => (d.confirmedAt ? dateTime(d.confirmedAt) : t('manualDelivery.notConfirmed')) },
          ]}
        />
      )}
      {provider && o.status === 'delivering' && (
        <form class="form narrow" onSubmit={onSubmit(recordDelivery.run)}>
          <TextField label={t('manualDelivery.description')} hint={t('manualDelivery.descriptionHint')} multiline required value={description} onValue={setDescription} />
          <TextField label={t('manualDelivery.sha256')} hint={t('manualDelivery.sha256Hint')} required value={sha256} onValue={setSha256} />
          <TextField label={t('manualDelivery.size')} type="number" min={0} value={size} onValue={setSize} />
          <ProblemAlert error={recordDelivery.error} />
          <Submit busy={recordDelivery.busy}>{t('manualDelivery.record')}</Submit>
        </form>
      )}
      {buyer && o.status === 'delivering' && unconfirmed && (
        <>
          <button type="button" class="primary" onClick={() => void confirm.run()} disabled={confirm.busy}>
            {t('manualDelivery.confirm')}
          </button>
          <ProblemAlert error={confirm.error} />
        </>
      )}
    </section>
  );
}

/** What the exchange paid, or will pay, the provider for the order (the record's payouts). */
export function PayoutsSection({ record }: { record: OrderRecord }) {
  const { t, tryT, money, dateTime } = useI18n();
  if (record.money.payouts.length === 0) return null;
  return (
    <>
      <h2>{t('orderPayouts.title')}</h2>
      <ul class="plain">
        {record.money.payouts.map((p) => (
          <li key={p.id}>
            {tryT(`rail.${p.rail}`) ?? p.rail} · {money(p.amountMinor, p.currency)} · {t('orderPayouts.fee', { fee: money(p.feeMinor, p.currency) })} · {tryT(`payoutStatus.${p.status}`) ?? p.status} · {dateTime(p.createdAt)}
          </li>
        ))}
      </ul>
    </>
  );
}
