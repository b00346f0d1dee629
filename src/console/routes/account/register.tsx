import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { CheckboxField, Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';

/** A provider or buyer registers (POST /auth/register) and is signed in. Staff accounts are made by operators. */
export function RegisterPage() {
  const { t } = useI18n();
  const session = useSession();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [buyer, setBuyer] = useState(true);
  const [provider, setProvider] = useState(false);
  const action = useAction(async () => {
    const roles = [...(buyer ? (['buyer'] as const) : []), ...(provider ? (['provider'] as const) : [])];
    await ok(api.POST('/auth/register', { body: { email, password, displayName, roles } }));
    await session.signIn(email, password);
    navigate('/', { replace: true });
  });
  return (
    <Page title={t('register.title')}>
      <form class="form narrow" onSubmit={onSubmit(action.run)}>
        <TextField label={t('field.email')} type="email" autoComplete="username" required value={email} onValue={setEmail} />
        <TextField label={t('field.displayName')} autoComplete="name" required value={displayName} onValue={setDisplayName} />
        <TextField label={t('field.newPassword')} hint={t('field.newPasswordHint')} type="password" autoComplete="new-password" required value={password} onValue={setPassword} />
        <fieldset>
          <legend>{t('register.roles')}</legend>
          <CheckboxField label={t('role.buyer')} checked={buyer} onValue={setBuyer} />
          <CheckboxField label={t('role.provider')} checked={provider} onValue={setProvider} />
        </fieldset>
        <ProblemAlert error={action.error} />
        <Submit busy={action.busy}>{t('register.submit')}</Submit>
      </form>
    </Page>
  );
}
