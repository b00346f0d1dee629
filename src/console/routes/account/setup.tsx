import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';

/**
 * First run: the first operator, made with the one-time setup token the server printed
 * (POST /setup/operator), then signed in. Once an operator exists the API refuses, and says so.
 */
export function SetupPage() {
  const { t } = useI18n();
  const session = useSession();
  const [token, setToken] = useState('');
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(async () => {
    await ok(api.POST('/setup/operator', { body: { token: token.trim(), email, password, displayName } }));
    await session.signIn(email, password);
    navigate('/', { replace: true });
  });
  return (
    <Page title={t('setup.title')}>
      <p>{t('setup.intro')}</p>
      <form class="form narrow" onSubmit={onSubmit(action.run)}>
        <TextField label={t('setup.token')} hint={t('setup.tokenHint')} required autoComplete="off" value={token} onValue={setToken} />
        <TextField label={t('field.email')} type="email" autoComplete="username" required value={email} onValue={setEmail} />
        <TextField label={t('field.displayName')} autoComplete="name" required value={displayName} onValue={setDisplayName} />
        <TextField label={t('field.newPassword')} hint={t('field.newPasswordHint')} type="password" autoComplete="new-password" required value={password} onValue={setPassword} />
        <ProblemAlert error={action.error} />
        <Submit busy={action.busy}>{t('setup.submit')}</Submit>
      </form>
    </Page>
  );
}
