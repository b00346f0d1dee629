import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Submit, TextField } from '../../components/fields';
import { Facts } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { saveBlob } from '../../lib/download';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { useSession } from '../../lib/session';
import { DisputeSection } from './dispute-decision';
import { ManualDeliverySection, PayoutsSection, ProposedTermsSection, ProposeTermsSection } from './provider-actions';
import { useIdempotencyKeys } from '../../lib/idempotency';

type OrderRecord = paths['/orders/{id}/record']['get']['responses']['200']['content']['application/json'];
type Payee = { name: string; bank: string; account: string };
type Instructions = { reference: string | null; amountMinor: number; currency: string; payee: Payee | null };
type Grant = OrderRecord['grants'][number];

/**
 * An agreement (an order's trade agreement, a request's utilization agreement): its record and signatures, the PDF shown in the page (and saved
 * on request), and the signature of the acting party's admin over the content hash of the draft
 * shown, confirmed with their password (POST /agreements/{id}/signatures).
 */
export function AgreementSection({ agreementId, partyId, onChange }: { agreementId: string; partyId: string | null; onChange(): void }) {
  const { t, text, dateTime } = useI18n();
  const agreement = useLoad(() => ok(api.GET('/agreements/{id}', { params: { path: { id: agreementId } } })), [agreementId]);
  const [pdf, setPdf] = useState<{ url: string; blob: Blob } | null>(null);
  const [password, setPassword] = useState('');
  useEffect(() => () => void (pdf && URL.revokeObjectURL(pdf.url)), [pdf]);
  const show = useAction(async () => {
    const blob = await ok(api.GET('/agreements/{id}/pdf', { params: { path: { id: agreementId } }, parseAs: 'blob' }));
    setPdf({ url: URL.createObjectURL(new Blob([blob], { type: 'application/pdf' })), blob });
  });
  const sign = useAction(async () => {
    if (!agreement.data) return;
    await ok(api.POST('/agreements/{id}/signatures', { params: { path: { id: agreementId } }, body: { contentSha256: agreement.data.contentSha256, password } }));
    setPassword('');
    agreement.reload();
    onChange();
  });
  const a = agreement.data;
  if (!a) return <ProblemAlert error={agreement.error} />;
  const mine = a.parties.find((p) => p.partyId === partyId && p.signs);
  const signed = a.signatures.some((s) => s.partyId === partyId);
  const open = a.status === 'draft' || a.status === 'awaiting_signatures';
  return (
    <section aria-labelledby="agreement-heading">
      <h2 id="agreement-heading">{a.kind === 'trade' ? t('agreement.title', { number: a.number }) : t('agreement.titleOf', { kind: t(`agreementKind.${a.kind}`), number: a.number })}</h2>
      <Facts
        items={[
          [t('agreement.name'), text(a.title)],
          [t('agreement.status'), t(`agreementStatus.${a.status}`)],
          [t('agreement.contentHash'), <code class="hash">{a.contentSha256}</code>],
          [t('agreement.signatures'), a.signatures.length === 0 ? t('common.none') : a.signatures.map((s) => `${s.partyName}（${dateTime(s.signedAt)}）`).join('；')],
        ]}
      />
      <div class="toolbar">
        <button type="button" onClick={() => void show.run()} disabled={show.busy}>
          {t('agreement.showPdf')}
        </button>
        {pdf && (
          <button type="button" onClick={() => saveBlob(pdf.blob, `${a.number}.pdf`)}>
            {t('agreement.savePdf')}
          </button>
        )}
      </div>
      <ProblemAlert error={show.error} />
      {pdf && <iframe class="pdf" src={pdf.url} title={t('agreement.pdfTitle', { number: a.number })} />}
      {open && mine && !signed && (
        <form class="form narrow" onSubmit={onSubmit(sign.run)}>
          <p>{t('agreement.signIntro', { party: mine.name })}</p>
          <TextField label={t('agreement.password')} hint={t('agreement.passwordHint')} type="password" autoComplete="current-password" required value={password} onValue={setPassword} />
          <ProblemAlert error={sign.error} />
          <Submit busy={sign.busy}>{t('agreement.sign')}</Submit>
        </form>
      )}
      {signed && open && <p role="status">{t('agreement.waitingForOther')}</p>}
    </section>
  );
}

/** Paying by card: what the API answers for the order's Stripe PaymentIntent. */
type CardPayment = { paymentId: string; status: 'creating' | 'ready'; clientSecret: string | null; amountMinor: number; currency: string };

/**
 * Paying by card: the API creates a Stripe PaymentIntent and answers its client secret. Stripe.js
 * would take the card with it, but the console loads nothing from outside its own origin (its
 * Content-Security-Policy), so the page shows the amount, the state and the client secret, and says
 * where the card is entered; the order moves on when Stripe tells the exchange the payment succeeded.
 */
function CardPaymentDetails({ card }: { card: CardPayment }) {
  const { t, money } = useI18n();
  return (
    <div class="notice" role="status">
      <p>{t('card.intro')}</p>
      <Facts
        items={[
          [t('pay.amount'), money(card.amountMinor, card.currency)],
          [t('card.status'), t(`cardStatus.${card.status}`)],
          [t('card.clientSecret'), card.clientSecret ? <code class="hash">{card.clientSecret}</code> : t('card.noSecretYet')],
        ]}
      />
      <p>{t('card.noStripeJs')}</p>
    </div>
  );
}

/**
 * Paying: by bank transfer, the exchange's account and the reference to quote; or by card, the
 * Stripe PaymentIntent's client secret (POST /orders/{id}/payment with the rail chosen).
 */
function PaymentSection({ record, onChange }: { record: OrderRecord; onChange(): void }) {
  const { t, money } = useI18n();
  const paymentId = record.order.payment?.paymentId;
  const existing = useLoad(async () => (paymentId ? ok(api.GET('/settlement/payments/{id}', { params: { path: { id: paymentId } } })) : null), [paymentId]);
  const [opened, setOpened] = useState<Instructions | null>(null);
  const [card, setCard] = useState<CardPayment | null>(null);
  const keys = useIdempotencyKeys();
  const pay = useAction(async (rail: 'bank_transfer' | 'stripe') => {
    const body = { rail };
    const answer = await ok(api.POST('/orders/{id}/payment', { params: { path: { id: record.order.id }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    if (answer.rail === 'bank_transfer') setOpened(answer);
    else setCard(answer);
    onChange();
  });
  const instructions: Instructions | null = opened ?? existing.data ?? null;
  const payingByCard = card !== null || existing.data?.rail === 'stripe';
  const pending = record.order.status === 'payment_pending';
  return (
    <section aria-labelledby="payment-heading">
      <h2 id="payment-heading">{t('pay.title')}</h2>
      {card ? (
        <CardPaymentDetails card={card} />
      ) : instructions?.payee ? (
        <div class="notice" role="status">
          <p>{t('pay.instructions')}</p>
          <Facts
            items={[
              [t('pay.payee'), instructions.payee.name],
              [t('pay.bank'), instructions.payee.bank],
              [t('pay.account'), <code>{instructions.payee.account}</code>],
              [t('pay.amount'), money(instructions.amountMinor, instructions.currency)],
              [t('pay.reference'), <code>{instructions.reference}</code>],
            ]}
          />
        </div>
      ) : payingByCard ? (
        <>
          {existing.data && <p>{t('card.existing', { amount: money(existing.data.amountMinor, existing.data.currency), status: t(`paymentStatus.${existing.data.status}`) })}</p>}
          {pending && (
            <button type="button" onClick={() => void pay.run('stripe')} disabled={pay.busy}>
              {t('card.showAgain')}
            </button>
          )}
        </>
      ) : (
        !existing.loading && (
          <div class="toolbar">
            <button type="button" class="primary" onClick={() => void pay.run('bank_transfer')} disabled={pay.busy}>
              {t('pay.byBank')}
            </button>
            <button type="button" onClick={() => void pay.run('stripe')} disabled={pay.busy}>
              {t('card.pay')}
            </button>
          </div>
        )
      )}
      <ProblemAlert error={pay.error ?? existing.error} />
    </section>
  );
}

/** The buyer's side of delivery: download exactly the declared bytes, then accept or dispute. */
function DeliverySection({ record, onChange }: { record: OrderRecord; onChange(): void }) {
  const { t, dateTime } = useI18n();
  const [reason, setReason] = useState('');
  const status = record.order.status;
  const download = useAction(async (grant: Grant) => {
    const blob = await ok(api.GET('/grants/{id}/download', { params: { path: { id: grant.id } }, parseAs: 'blob' }));
    saveBlob(blob, grant.filename ?? `${record.order.number}.dat`);
    onChange();
  });
  const keys = useIdempotencyKeys();
  const accept = useAction(async () => {
    const id = record.order.id;
    await keys.act({ acceptance: id }, (key) => ok(api.POST('/orders/{id}/acceptance', { params: { path: { id }, header: { 'idempotency-key': key } } })));
    onChange();
  });
  const dispute = useAction(async () => {
    const body = { reason };
    await ok(api.POST('/orders/{id}/dispute', { params: { path: { id: record.order.id }, header: { 'idempotency-key': keys.keyFor({ dispute: body }) } }, body }));
    onChange();
  });
  const usable = record.grants.filter((g) => !g.revokedAt);
  return (
    <section aria-labelledby="deliver-heading">
      <h2 id="deliver-heading">{t('deliver.title')}</h2>
      <ul class="plain">
        {usable.map((g) => (
          <li key={g.id}>
            <button type="button" onClick={() => void download.run(g)} disabled={download.busy || g.downloadsUsed >= g.maxDownloads}>
              {t('deliver.download', { file: g.filename ?? g.mediaType })}
            </button>{' '}
            <span class="meta">
              {t('grant.downloads', { used: g.downloadsUsed, max: g.maxDownloads })} · {t('grant.expires', { at: dateTime(g.expiresAt) })} · SHA-256 <code>{g.sha256}</code>
            </span>
          </li>
        ))}
      </ul>
      <ProblemAlert error={download.error} />
      {status === 'delivered' && (
        <>
          <p>{t('deliver.acceptIntro', { at: dateTime(record.order.acceptanceDueAt) })}</p>
          <button type="button" class="primary" onClick={() => void accept.run()} disabled={accept.busy}>
            {t('deliver.accept')}
          </button>
          <ProblemAlert error={accept.error} />
        </>
      )}
      {(status === 'delivering' || status === 'delivered') && (
        <form class="form narrow" onSubmit={onSubmit(dispute.run)}>
          <TextField label={t('deliver.disputeReason')} multiline required value={reason} onValue={setReason} />
          <ProblemAlert error={dispute.error} />
          <Submit busy={dispute.busy}>{t('deliver.dispute')}</Submit>
        </form>
      )}
    </section>
  );
}

/** The provider answers an order that waits for its approval. */
function ApprovalSection({ record, onChange }: { record: OrderRecord; onChange(): void }) {
  const { t, dateTime } = useI18n();
  const [reason, setReason] = useState('');
  const keys = useIdempotencyKeys();
  const approve = useAction(async () => {
    const id = record.order.id;
    await keys.act({ approval: id }, (key) => ok(api.POST('/orders/{id}/approval', { params: { path: { id }, header: { 'idempotency-key': key } } })));
    onChange();
  });
  const reject = useAction(async () => {
    const body = { reason };
    await ok(api.POST('/orders/{id}/rejection', { params: { path: { id: record.order.id }, header: { 'idempotency-key': keys.keyFor({ rejection: body }) } }, body }));
    onChange();
  });
  return (
    <section aria-labelledby="approval-heading">
      <h2 id="approval-heading">{t('approval.title')}</h2>
      <p>{t('approval.intro', { at: dateTime(record.order.responseDueAt) })}</p>
      <button type="button" class="primary" onClick={() => void approve.run()} disabled={approve.busy}>
        {t('approval.approve')}
      </button>
      <ProblemAlert error={approve.error} />
      <form class="form narrow" onSubmit={onSubmit(reject.run)}>
        <TextField label={t('approval.reason')} multiline required value={reason} onValue={setReason} />
        <ProblemAlert error={reject.error} />
        <Submit busy={reject.busy}>{t('approval.reject')}</Submit>
      </form>
    </section>
  );
}

/** What the acting party can do with the order now, as the order's state and its side allow. */
export function OrderActions({ record, partyId, onChange }: { record: OrderRecord; partyId: string | null; onChange(): void }) {
  const o = record.order;
  const buyer = partyId !== null && partyId === o.buyerPartyId;
  const provider = partyId !== null && partyId === o.providerPartyId;
  const paying = o.status === 'payment_pending' || (o.payment !== null && o.status === 'paid');
  const operator = useSession().has('operator');
  return (
    <>
      {(o.disputeReason !== null || o.decision !== null) && <DisputeSection order={o} operator={operator} onChange={onChange} />}
      {provider && o.status === 'awaiting_provider' && <ProposeTermsSection record={record} onChange={onChange} />}
      {o.proposedTerms && <ProposedTermsSection record={record} buyer={buyer} onChange={onChange} />}
      {o.deliveryMethod !== 'download' && (o.status === 'delivering' || record.deliveries.length > 0) && <ManualDeliverySection record={record} provider={provider} buyer={buyer} onChange={onChange} />}
      <PayoutsSection record={record} />
      {provider && o.status === 'awaiting_provider' && <ApprovalSection record={record} onChange={onChange} />}
      {o.agreement && <AgreementSection agreementId={o.agreement.id} partyId={partyId} onChange={onChange} />}
      {buyer && paying && <PaymentSection record={record} onChange={onChange} />}
      {buyer && record.grants.length > 0 && <DeliverySection record={record} onChange={onChange} />}
    </>
  );
}
