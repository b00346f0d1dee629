import { useState } from 'preact/hooks';
import { api, idempotencyKey, ok } from '../../api/client';
import { SelectField, Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { useIdempotencyKeys } from '../../lib/idempotency';

type MemberRole = 'admin' | 'member';

/**
 * A party's people: its members with their roles (GET /parties/{id}/members); for its admins, a
 * role changed or a member removed, someone invited by e-mail and an open invitation revoked
 * (/parties/{id}/invitations). Any member may leave.
 */
export function PartyPeople({ partyId, admin }: { partyId: string; admin: boolean }) {
  const { t, dateTime } = useI18n();
  const session = useSession();
  const me = session.me?.id;
  const members = useLoad(() => ok(api.GET('/parties/{id}/members', { params: { path: { id: partyId }, query: { limit: 100 } } })), [partyId]);
  const invitations = useLoad(async () => (admin ? ok(api.GET('/parties/{id}/invitations', { params: { path: { id: partyId }, query: { limit: 100 } } })) : { items: [] }), [partyId, admin]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MemberRole>('member');
  const keys = useIdempotencyKeys();
  const invite = useAction(async () => {
    const body = { email, role };
    await ok(api.POST('/parties/{id}/invitations', { params: { path: { id: partyId }, header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    setEmail('');
    keys.forget();
    invitations.reload();
  });
  const change = useAction(async (userId: string, to: MemberRole) => {
    await ok(api.PATCH('/parties/{id}/members/{userId}', { params: { path: { id: partyId, userId } }, body: { role: to } }));
    members.reload();
  });
  const remove = useAction(async (userId: string) => {
    await ok(api.DELETE('/parties/{id}/members/{userId}', { params: { path: { id: partyId, userId } } }));
    if (userId === me) await session.reloadParties();
    members.reload();
  });
  const revoke = useAction(async (invitationId: string) => {
    await ok(api.DELETE('/parties/{id}/invitations/{invitationId}', { params: { path: { id: partyId, invitationId } } }));
    invitations.reload();
  });
  return (
    <section aria-labelledby="people-heading">
      <h2 id="people-heading">{t('people.title')}</h2>
      <LoadedTable
        loaded={members}
        empty={t('people.none')}
        caption={(n) => t('people.caption', { n })}
        rowKey={(m) => m.userId}
        columns={[
          { header: t('people.user'), cell: (m) => (m.userId === me ? t('people.you', { id: m.userId.slice(0, 8) }) : <code>{m.userId.slice(0, 8)}</code>) },
          { header: t('people.role'), cell: (m) => t(`memberRole.${m.role}`) },
          { header: t('people.joinedAt'), cell: (m) => dateTime(m.joinedAt) },
          {
            header: t('settlement.action'),
            cell: (m) => (
              <div class="toolbar">
                {admin && (
                  <button type="button" onClick={() => void change.run(m.userId, m.role === 'admin' ? 'member' : 'admin')} disabled={change.busy}>
                    {t(m.role === 'admin' ? 'people.makeMember' : 'people.makeAdmin', { id: m.userId.slice(0, 8) })}
                  </button>
                )}
                {(admin || m.userId === me) && (
                  <button type="button" onClick={() => void remove.run(m.userId)} disabled={remove.busy}>
                    {m.userId === me ? t('people.leave') : t('people.remove', { id: m.userId.slice(0, 8) })}
                  </button>
                )}
              </div>
            ),
          },
        ]}
      />
      <ProblemAlert error={change.error ?? remove.error} />
      {admin && (
        <>
          <h3>{t('people.invitations')}</h3>
          <LoadedTable
            loaded={invitations}
            empty={t('people.noInvitations')}
            caption={(n) => t('people.invitationsCaption', { n })}
            rowKey={(i) => i.id}
            columns={[
              { header: t('people.email'), cell: (i) => i.email },
              { header: t('people.role'), cell: (i) => t(`memberRole.${i.role}`) },
              { header: t('people.expiresAt'), cell: (i) => dateTime(i.expiresAt) },
              {
                header: t('settlement.action'),
                cell: (i) => (
                  <button type="button" onClick={() => void revoke.run(i.id)} disabled={revoke.busy}>
                    {t('people.revoke', { email: i.email })}
                  </button>
                ),
              },
            ]}
          />
          <ProblemAlert error={revoke.error} />
          <form class="form narrow" onSubmit={onSubmit(invite.run)}>
            <h3>{t('people.invite')}</h3>
            <TextField label={t('people.email')} type="email" required value={email} onValue={setEmail} />
            <SelectField
              label={t('people.role')}
              value={role}
              onValue={setRole}
              options={(['member', 'admin'] as const).map((r) => ({ value: r, label: t(`memberRole.${r}`) }))}
            />
            <ProblemAlert error={invite.error} />
            <Submit busy={invite.busy}>{t('people.send')}</Submit>
          </form>
        </>
      )}
    </section>
  );
}

/** Invitations to the user's e-mail (GET /me/party-invitations), each accepted here. */
export function MyInvitations() {
  const { t, dateTime } = useI18n();
  const session = useSession();
  const invitations = useLoad(() => ok(api.GET('/me/party-invitations', { params: { query: { limit: 100 } } })), []);
  const accept = useAction(async (id: string) => {
    await ok(api.POST('/party-invitations/{id}/acceptance', { params: { path: { id }, header: { 'idempotency-key': idempotencyKey() } } }));
    invitations.reload();
    await session.reloadParties();
  });
  if (!invitations.data || invitations.data.items.length === 0) return <ProblemAlert error={invitations.error} />;
  return (
    <section aria-labelledby="invited-heading">
      <h2 id="invited-heading">{t('people.invitedTitle')}</h2>
      <ul class="plain">
        {invitations.data.items.map((i) => (
          <li key={i.id}>
            {t('people.invitedAs', { role: t(`memberRole.${i.role}`), at: dateTime(i.expiresAt) })}{' '}
            <button type="button" class="primary" onClick={() => void accept.run(i.id)} disabled={accept.busy}>
              {t('people.accept', { id: i.partyId.slice(0, 8) })}
            </button>
          </li>
        ))}
      </ul>
      <ProblemAlert error={accept.error} />
    </section>
  );
}
