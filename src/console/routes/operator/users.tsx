import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { CheckboxField, SelectField, Submit, TextField } from '../../components/fields';
import { Facts, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { LoadedTable } from '../../components/table';
import { WhenLoaded } from '../../components/loaded';
import { useI18n } from '../../i18n/i18n';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { Link } from '../../lib/router';
import type { Role } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { usePagedLoad } from '../../lib/use-paged-load';

type User = paths['/users/{id}']['get']['responses']['200']['content']['application/json'];
type Status = User['status'];

/** Every role an account can hold; staff roles (operator, department, bureau) only an operator grants. */
const allRoles: Role[] = ['operator', 'department', 'bureau', 'provider', 'buyer'];

/** The roles as one checkbox each, in a fieldset whose legend names the question. */
function RolesField({ legend, roles, onRoles }: { legend: string; roles: Role[]; onRoles(roles: Role[]): void }) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{legend}</legend>
      {allRoles.map((role) => (
        <CheckboxField
          key={role}
          label={t(`role.${role}`)}
          checked={roles.includes(role)}
          onValue={(checked) => onRoles(checked ? allRoles.filter((r) => r === role || roles.includes(r)) : roles.filter((r) => r !== role))}
        />
      ))}
    </fieldset>
  );
}

/**
 * An operator makes an account with any roles (POST /users): the staff of a department or of the
 * bureau, another operator, or a provider or buyer registered on someone's behalf. The person signs
 * in with the password the operator gives them.
 */
function NewUserForm({ onCreated }: { onCreated(user: User): void }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<Role[]>(['department']);
  const keys = useIdempotencyKeys();
  const create = useAction(async () => {
    const body = { email, displayName, password, roles };
    const user = await ok(api.POST('/users', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    keys.forget();
    setEmail('');
    setDisplayName('');
    setPassword('');
    onCreated(user);
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(create.run)}>
      <h2>{t('users.newTitle')}</h2>
      <TextField label={t('field.email')} type="email" autoComplete="off" required value={email} onValue={setEmail} />
      <TextField label={t('field.displayName')} required value={displayName} onValue={setDisplayName} />
      <TextField label={t('users.initialPassword')} hint={t('users.initialPasswordHint')} type="password" autoComplete="new-password" required value={password} onValue={setPassword} />
      <RolesField legend={t('users.roles')} roles={roles} onRoles={setRoles} />
      <ProblemAlert error={create.error} />
      <Submit busy={create.busy}>{t('users.create')}</Submit>
    </form>
  );
}

/** The accounts of the exchange by e-mail (GET /users), of one role or all, page by page; a new one made. */
export function UsersPage() {
  const { t, dateTime } = useI18n();
  const [role, setRole] = useState<Role | ''>('');
  const [created, setCreated] = useState<User | null>(null);
  const users = usePagedLoad((page) => ok(api.GET('/users', { params: { query: { ...page, ...(role ? { role } : {}) } } })), [role]);
  return (
    <Page title={t('users.title')}>
      <p>{t('users.intro')}</p>
      <SelectField<Role | ''>
        label={t('users.roleFilter')}
        value={role}
        onValue={setRole}
        options={[{ value: '', label: t('common.any') }, ...allRoles.map((r) => ({ value: r, label: t(`role.${r}`) }))]}
      />
      <LoadedTable
        loaded={users}
        empty={t('users.none')}
        caption={(count) => t('users.caption', { count })}
        rowKey={(u) => u.id}
        columns={[
          { header: t('field.displayName'), cell: (u) => <Link to={`/users/${u.id}`}>{u.displayName}</Link> },
          { header: t('field.email'), cell: (u) => u.email },
          { header: t('users.roles'), cell: (u) => u.roles.map((r) => t(`role.${r}`)).join('、') },
          { header: t('users.status'), cell: (u) => t(`userStatus.${u.status}`) },
          { header: t('users.createdAt'), cell: (u) => dateTime(u.createdAt) },
        ]}
      />
      {created && (
        <p class="success" role="status">
          {t('users.created', { name: created.displayName, email: created.email })}
        </p>
      )}
      <NewUserForm
        onCreated={(user) => {
          setCreated(user);
          users.reload();
        }}
      />
    </Page>
  );
}

/**
 * One account: its roles changed or the account disabled or enabled again (PATCH /users/{id}). Either
 * revokes the person's sessions, so that their next sign-in carries the new roles; an operator
 * cannot take its own operator role away (the API says so).
 */
export function UserPage({ id }: { id: string }) {
  const { t, dateTime } = useI18n();
  const user = useLoad(() => ok(api.GET('/users/{id}', { params: { path: { id } } })), [id]);
  // Held here: saving reloads the account, which makes the form anew with the saved roles.
  const [saved, setSaved] = useState(false);
  return (
    <WhenLoaded loaded={user}>
      {(u) => (
        <Page title={u.displayName}>
          <Facts
            items={[
              [t('field.email'), u.email],
              [t('users.roles'), u.roles.map((r) => t(`role.${r}`)).join('、')],
              [t('users.status'), t(`userStatus.${u.status}`)],
              [t('users.createdAt'), dateTime(u.createdAt)],
            ]}
          />
          <UserChangeForm
            key={`${u.roles.join()}-${u.status}`}
            user={u}
            saved={saved}
            onChange={() => setSaved(false)}
            onSaved={() => {
              setSaved(true);
              user.reload();
            }}
          />
          <p>
            <Link to={`/audit?subjectId=${u.id}`}>{t('users.auditOf')}</Link>
          </p>
        </Page>
      )}
    </WhenLoaded>
  );
}

function UserChangeForm({ user, saved, onChange, onSaved }: { user: User; saved: boolean; onChange(): void; onSaved(): void }) {
  const { t } = useI18n();
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [status, setStatus] = useState<Status>(user.status);
  const save = useAction(async () => {
    onChange();
    await ok(api.PATCH('/users/{id}', { params: { path: { id: user.id } }, body: { roles, status } }));
    onSaved();
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(save.run)}>
      <h2>{t('users.changeTitle')}</h2>
      <p class="hint">{t('users.changeHint')}</p>
      <RolesField legend={t('users.roles')} roles={roles} onRoles={setRoles} />
      <SelectField<Status> label={t('users.status')} value={status} onValue={setStatus} options={(['active', 'disabled'] as const).map((s) => ({ value: s, label: t(`userStatus.${s}`) }))} />
      <ProblemAlert error={save.error} />
      {saved && (
        <p class="success" role="status">
          {t('users.saved')}
        </p>
      )}
      <Submit busy={save.busy}>{t('users.save')}</Submit>
    </form>
  );
}
