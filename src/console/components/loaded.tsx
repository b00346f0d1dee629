import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/i18n';
import type { Loaded } from '../lib/use-load';
import { Loading } from './page';
import { ProblemAlert } from './problem';

/** What a page loaded, once it is there; before that a loading note, or the API's problem if it refused. */
export function WhenLoaded<T>({ loaded, children }: { loaded: Loaded<T>; children(data: T): ComponentChildren }) {
  const { t } = useI18n();
  return (
    <>
      <ProblemAlert error={loaded.error} />
      {loaded.data !== undefined ? children(loaded.data) : loaded.loading && <Loading label={t('common.loading')} />}
    </>
  );
}
