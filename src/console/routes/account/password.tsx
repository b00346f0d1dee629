import { useState } from 'preact/hooks';
import { Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';

/**
 * The signed-in user sets a new password with the current one (POST /me/password): the first thing
 * to do with an account an operator made. Every other session of the account ends; this tab goes on.
 */
export function PasswordPage() {
  const { t } = useI18n();
  const session = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const change = useAction(async () => {
    setDone(false);
    await session.changePassword(current, next);
    setCurrent('');
    setNext('');
    setDone(true);
  });
  return (
    <Page title={t('password.title')}>
      <form class="form narrow" onSubmit={onSubmit(change.run)}>
        <TextField label={t('password.current')} type="password" autoComplete="current-password" required value={current} onValue={setCurrent} />
        <TextField label={t('password.new')} hint={t('field.newPasswordHint')} type="password" autoComplete="new-password" required value={next} onValue={setNext} />
        <ProblemAlert error={change.error} />
        {done && (
          <p class="success" role="status">
            {t('password.changed')}
          </p>
        )}
        <Submit busy={change.busy}>{t('password.submit')}</Submit>
      </form>
    </Page>
  );
}
