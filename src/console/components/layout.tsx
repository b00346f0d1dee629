import type { ComponentChildren } from 'preact';
import { useI18n, type MessageKey } from '../i18n/i18n';
import { BASE, Link, navigate, useLocation } from '../lib/router';
import { pageSizes, setLang, setPageSize, type Lang, type PageSize } from '../lib/session-store';
import { useSession, useSessionState, type Role } from '../lib/session';

/** The main navigation: each role sees the pages of its work. */
export const navigation: { to: string; label: MessageKey; roles: Role[] | 'all' }[] = [
  { to: '/', label: 'nav.notifications', roles: 'all' },
  { to: '/parties', label: 'nav.parties', roles: ['buyer', 'provider', 'department', 'bureau'] },
  { to: '/supervision', label: 'nav.overview', roles: ['operator'] },
  { to: '/review/parties', label: 'nav.partyQueue', roles: ['operator'] },
  { to: '/review/listings', label: 'nav.listingQueue', roles: ['operator'] },
  { to: '/catalog', label: 'nav.catalog', roles: ['buyer', 'provider', 'operator'] },
  { to: '/orders', label: 'nav.orders', roles: ['buyer', 'provider', 'operator'] },
  { to: '/receipts', label: 'nav.receipts', roles: 'all' },
  // department and bureau
  { to: '/public-data/entries', label: 'nav.entries', roles: ['department', 'bureau'] },
  { to: '/public-data/requests', label: 'nav.pdRequests', roles: ['department', 'bureau'] },
  { to: '/public-data/duties', label: 'nav.duties', roles: ['department', 'bureau'] },
  { to: '/public-data/objections', label: 'nav.objections', roles: ['department', 'bureau'] },
  { to: '/public-data/demands', label: 'nav.demands', roles: ['department', 'bureau'] },
  { to: '/procurement', label: 'nav.procurement', roles: ['department', 'bureau'] },
  { to: '/agreements/model-texts', label: 'nav.modelTexts', roles: ['bureau'] },
  { to: '/agreements/inbox', label: 'nav.inbox', roles: ['bureau'] },
  { to: '/calendar', label: 'nav.calendar', roles: ['bureau'] },
  // operator duties, provider, card payment
  { to: '/settlement', label: 'nav.settlement', roles: ['operator'] },
  { to: '/bank-statements', label: 'nav.bankStatements', roles: ['operator'] },
  { to: '/audit', label: 'nav.audit', roles: ['operator'] },
  { to: '/exports', label: 'nav.exports', roles: ['operator'] },
  { to: '/listings', label: 'nav.myListings', roles: ['provider'] },
  // applicant
  { to: '/public-data/open', label: 'nav.openData', roles: ['buyer', 'provider', 'department'] },
  { to: '/public-data/requests', label: 'nav.pdRequests', roles: ['buyer', 'provider'] },
  // bureau decisions
  { to: '/public-data/opening-priorities', label: 'nav.openingPriorities', roles: ['bureau'] },
  { to: '/budgets', label: 'nav.budgets', roles: ['bureau'] },
  // money: refunds, providers' balances, card disputes
  { to: '/refunds', label: 'nav.refunds', roles: ['operator'] },
  { to: '/provider-balances', label: 'nav.providerBalances', roles: ['operator'] },
  { to: '/card-disputes', label: 'nav.cardDisputes', roles: ['operator'] },
  { to: '/payouts', label: 'nav.myPayouts', roles: ['provider'] },
  // applicant's orders to correct; cross-border
  { to: '/public-data/orders', label: 'nav.correctionOrders', roles: ['buyer', 'provider'] },
  { to: '/security-assessments', label: 'nav.assessments', roles: ['operator'] },
  { to: '/users', label: 'nav.users', roles: ['operator'] },
];

function LanguageChoice() {
  const { t, lang } = useI18n();
  return (
    <div class="field inline">
      <label for="console-language">{t('layout.language')}</label>
      <select id="console-language" value={lang} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
        <option value="zh" lang="zh-CN">
          中文
        </option>
        <option value="en" lang="en">
          English
        </option>
      </select>
    </div>
  );
}

/** How many rows a list shows before its "more" button: remembered in the browser, like the language. */
function PageSizeChoice() {
  const { t } = useI18n();
  const { pageSize } = useSessionState();
  return (
    <div class="field inline">
      <label for="console-page-size">{t('layout.pageSize')}</label>
      <select id="console-page-size" value={pageSize} onChange={(e) => setPageSize(Number((e.currentTarget as HTMLSelectElement).value) as PageSize)}>
        {pageSizes.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The party the user acts for: sent as X-Party-Id on every call. */
function PartyChoice() {
  const { t } = useI18n();
  const session = useSession();
  if (session.parties.length === 0) return <p class="party-none">{t('layout.noParty')}</p>;
  return (
    <div class="field inline">
      <label for="console-party">{t('layout.actingParty')}</label>
      <select id="console-party" value={session.state.partyId ?? ''} onChange={(e) => session.chooseParty((e.currentTarget as HTMLSelectElement).value || null)}>
        {session.parties.length > 1 && <option value="">{t('layout.chooseParty')}</option>}
        {session.parties.map((p) => (
          <option key={p.id} value={p.id}>
            {p.legalName} ({t(`partyStatus.${p.verificationStatus}`)})
          </option>
        ))}
      </select>
    </div>
  );
}

export function Layout({ children }: { children: ComponentChildren }) {
  const { t } = useI18n();
  const session = useSession();
  const { path } = useLocation();
  const me = session.me;
  // A user with several roles sees a page its roles share once.
  const items = navigation.filter((n) => n.roles === 'all' || session.has(...n.roles)).filter((n, i, all) => all.findIndex((m) => m.to === n.to) === i);
  const isCurrent = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));
  return (
    <>
      <a class="skip-link" href="#main">
        {t('layout.skip')}
      </a>
      <header class="top">
        <p class="brand">
          <a href={`${BASE}/`}>{t('app.name')}</a>
        </p>
        {me && (
          <nav aria-label={t('layout.mainNav')}>
            <ul>
              {items.map((n) => (
                <li key={n.to}>
                  <Link to={n.to} aria-current={isCurrent(n.to) ? 'page' : undefined}>
                    {t(n.label)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="account">
          <LanguageChoice />
          {me && (
            <>
              <PartyChoice />
              <PageSizeChoice />
              <p class="who">
                {me.displayName} · {me.roles.map((r) => t(`role.${r}`)).join('、')}
              </p>
              <Link to="/account/password">{t('layout.password')}</Link>
              <button
                type="button"
                onClick={() => {
                  void session.signOut();
                  navigate('/sign-in');
                }}
              >
                {t('layout.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
