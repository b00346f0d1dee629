import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField, Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link, navigate } from '../../lib/router';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';
import { MyInvitations } from './party-people';

type Kind = paths['/parties']['post']['requestBody']['content']['application/json']['kind'];

/**
 * The user's parties with their standing, and a new one registered (POST /parties): the user
 * becomes its admin, then uploads its documents and submits it for verification on its page.
 */
export function PartiesPage() {
  const { t } = useI18n();
  const session = useSession();
  const [kind, setKind] = useState<Kind>('company');
  const [legalName, setLegalName] = useState('');
  const [representative, setRepresentative] = useState('');
  const [identityNumber, setIdentityNumber] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const keys = useIdempotencyKeys();
  const register = useAction(async () => {
    const body = {
      kind,
      legalName,
      representative: kind === 'person' ? legalName : representative,
      identityNumber: identityNumber.trim(),
      contacts: [{ name: contactName, ...(contactEmail ? { email: contactEmail } : {}) }],
    };
    const party = await ok(api.POST('/parties', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    await session.reloadParties();
    navigate(`/parties/${party.id}`);
  });
  return (
    <Page title={t('parties.title')}>
      <MyInvitations />
      {session.parties.length === 0 ? (
        <p>{t('parties.none')}</p>
      ) : (
        <Table
          caption={t('parties.caption')}
          rows={session.parties}
          rowKey={(p) => p.id}
          columns={[
            { header: t('party.legalName'), cell: (p) => <Link to={`/parties/${p.id}`}>{p.legalName}</Link> },
            { header: t('party.kind'), cell: (p) => t(`partyKind.${p.kind}`) },
            { header: t('party.status'), cell: (p) => t(`partyStatus.${p.verificationStatus}`) },
            { header: t('parties.myRole'), cell: (p) => t(`memberRole.${p.memberRole}`) },
          ]}
        />
      )}
      <form class="form" onSubmit={onSubmit(register.run)}>
        <h2>{t('parties.register')}</h2>
        <SelectField label={t('party.kind')} value={kind} onValue={setKind} options={(['company', 'organisation', 'public_body', 'person'] as const).map((k) => ({ value: k, label: t(`partyKind.${k}`) }))} />
        <TextField label={t('party.legalName')} required value={legalName} onValue={setLegalName} />
        {kind !== 'person' && <TextField label={t('party.representative')} required value={representative} onValue={setRepresentative} />}
        <TextField label={t('party.identityNumber')} hint={t(kind === 'person' ? 'parties.residentIdHint' : 'parties.usccHint')} required autoComplete="off" value={identityNumber} onValue={setIdentityNumber} />
        <TextField label={t('parties.contactName')} required value={contactName} onValue={setContactName} />
        <TextField label={t('parties.contactEmail')} type="email" value={contactEmail} onValue={setContactEmail} />
        <ProblemAlert error={register.error} />
        <Submit busy={register.busy}>{t('parties.submitRegister')}</Submit>
      </form>
    </Page>
  );
}
