import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { minorOf, yuanOf } from '../../lib/money-input';
import { Link } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';
import { usePagedLoad } from '../../lib/use-paged-load';

type Balance = paths['/settlement/provider-balances']['get']['responses']['200']['content']['application/json']['items'][number];
type Repayment = paths['/settlement/parties/{id}/repayments']['post']['responses']['201']['content']['application/json'];

/**
 * A provider paid back by bank transfer what it owed the exchange (a refund or a chargeback after
 * its payout): the operator records the credit (POST /settlement/parties/{id}/repayments), at most
 * what it owes, each bank reference once.
 */
function RepaymentForm({ balance, name, onRecorded }: { balance: Balance; name: string; onRecorded(repayment: Repayment): void }) {
  const { t } = useI18n();
  const [amount, setAmount] = useState(yuanOf(balance.owedByProviderMinor));
  const [bankReference, setBankReference] = useState('');
  const keys = useIdempotencyKeys();
  const record = useAction(async () => {
    const body = { amountMinor: minorOf(amount), currency: balance.currency, bankReference };
    const answer = await ok(api.POST('/settlement/parties/{id}/repayments', { params: { path: { id: balance.partyId }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    onRecorded(answer);
  });
  return (
    <form class="form inline-form" onSubmit={onSubmit(record.run)} aria-label={t('balances.repaymentFormOf', { name })}>
      <TextField label={t('settlement.amountYuan')} required value={amount} onValue={setAmount} />
      <TextField label={t('settlement.bankReference')} required value={bankReference} onValue={setBankReference} />
      <ProblemAlert error={record.error} />
      <Submit busy={record.busy}>{t('balances.recordRepayment')}</Submit>
    </form>
  );
}

/**
 * Each provider's balance from the ledger (GET /settlement/provider-balances): owed to it and not
 * yet paid out, paid out, and what it owes the exchange back, which its next payouts net unless it
 * repays it by bank transfer first (recorded here).
 */
export function ProviderBalancesPage() {
  const { t, money } = useI18n();
  const [repaid, setRepaid] = useState<(Repayment & { name: string }) | null>(null);
  const balances = usePagedLoad(async (query) => {
    const page = await ok(api.GET('/settlement/provider-balances', { params: { query } }));
    // The ledger knows parties by id; their names are the parties' own (GET /parties/{id}).
    const ids = [...new Set(page.items.map((b) => b.partyId))];
    const parties = await Promise.all(ids.map((id) => ok(api.GET('/parties/{id}', { params: { path: { id } } }))));
    const names = new Map(parties.map((p) => [p.id, p.legalName]));
    return { ...page, items: page.items.map((b) => ({ ...b, name: names.get(b.partyId) ?? b.partyId.slice(0, 8) })) };
  }, []);
  return (
    <Page title={t('balances.title')} actions={<Link to="/settlement">{t('nav.settlement')}</Link>}>
      <p>{t('balances.intro')}</p>
      {repaid && (
        <p class="success" role="status">
          {t('balances.repaid', { name: repaid.name, amount: money(repaid.amountMinor, repaid.currency), still: money(repaid.stillOwedMinor, repaid.currency) })}
        </p>
      )}
      <LoadedTable
        loaded={balances}
        empty={t('balances.none')}
        caption={(n) => t('balances.caption', { n })}
        rowKey={(b) => `${b.partyId}:${b.currency}`}
        columns={[
          { header: t('balances.provider'), cell: (b) => <Link to={`/review/parties/${b.partyId}`}>{b.name}</Link> },
          { header: t('balances.payable'), cell: (b) => money(b.payableMinor, b.currency) },
          { header: t('balances.paidOut'), cell: (b) => money(b.paidOutMinor, b.currency) },
          { header: t('balances.owed'), cell: (b) => money(b.owedByProviderMinor, b.currency) },
          {
            header: t('settlement.action'),
            cell: (b) =>
              b.owedByProviderMinor > 0 ? (
                // A new debt is a new form, filled with what is owed now.
                <RepaymentForm
                  key={b.owedByProviderMinor}
                  balance={b}
                  name={b.name}
                  onRecorded={(answer) => {
                    setRepaid({ ...answer, name: b.name });
                    balances.reload();
                  }}
                />
              ) : (
                '—'
              ),
          },
        ]}
      />
    </Page>
  );
}
