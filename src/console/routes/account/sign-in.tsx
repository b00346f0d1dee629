import { useState } from 'preact/hooks';
import { TextField, Submit } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link, navigate, useLocation } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';

/** Sign in with e-mail and password (POST /auth/login); then back to the page that asked for it. */
export function SignInPage() {
  const { t } = useI18n();
  const session = useSession();
  const { query } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(async () => {
    await session.signIn(email, password);
    const next = query.get('next');
    navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
  });
  return (
    <Page title={t('signIn.title')}>
      <form class="form narrow" onSubmit={onSubmit(action.run)}>
        <TextField label={t('field.email')} type="email" autoComplete="username" required value={email} onValue={setEmail} />
        <TextField label={t('field.password')} type="password" autoComplete="current-password" required value={password} onValue={setPassword} />
        <ProblemAlert error={action.error} />
        <Submit busy={action.busy}>{t('signIn.submit')}</Submit>
      </form>
      <p>
        <Link to="/register">{t('signIn.register')}</Link>
      </p>
      <p>
        <Link to="/setup">{t('signIn.setup')}</Link>
      </p>
    </Page>
  );
}
