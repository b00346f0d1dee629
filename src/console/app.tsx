import { useEffect, useLayoutEffect, useMemo } from 'preact/hooks';
import { Layout } from './components/layout';
import { Loading, Page } from './components/page';
import { I18nContext, makeI18n, useI18n } from './i18n/i18n';
import { matchPath, navigate, useLocation } from './lib/router';
import { SessionProvider, useSession, useSessionState } from './lib/session';
import { routes } from './routes/index';

/** A page that only says something: no such page, or not for this role. */
function Notice({ kind }: { kind: 'notFound' | 'forbidden' }) {
  const { t } = useI18n();
  return (
    <Page title={t(`${kind}.title`)}>
      <p>{t(`${kind}.text`)}</p>
    </Page>
  );
}

/** The page for the current path, or sign-in first, or "not for you". */
function CurrentPage() {
  const { t } = useI18n();
  const session = useSession();
  const { path } = useLocation();
  const found = routes.map((route) => ({ route, params: matchPath(route.path, path) })).find((m) => m.params);
  const signedOut = session.me === null;
  const needsSignIn = !!found && found.route.access !== 'public' && signedOut;
  useEffect(() => {
    if (needsSignIn) navigate(`/sign-in?next=${encodeURIComponent(path + location.search)}`, { replace: true });
  }, [needsSignIn, path]);
  if (!found) return <Notice kind="notFound" />;
  const { route, params } = found;
  if (route.access !== 'public') {
    if (session.me === undefined) return <Loading label={t('common.loading')} />;
    if (needsSignIn) return null;
    if (Array.isArray(route.access) && !session.has(...route.access)) return <Notice kind="forbidden" />;
  }
  const Component = route.page;
  // A new acting party shows the page afresh, with what that party sees.
  return <Component key={`${path}|${session.state.partyId ?? ''}`} {...params} />;
}

export function App() {
  const { lang } = useSessionState();
  const i18n = useMemo(() => makeI18n(lang), [lang]);
  // With the words themselves, not a frame later: screen readers pick the voice from it.
  useLayoutEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  return (
    <I18nContext.Provider value={i18n}>
      <SessionProvider>
        <Layout>
          <CurrentPage />
        </Layout>
      </SessionProvider>
    </I18nContext.Provider>
  );
}
