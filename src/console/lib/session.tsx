// The signed-in user as the pages see it: who (GET /me), the parties they belong to
// (GET /me/parties) and the one they act for, chosen here and sent as X-Party-Id on every call.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState, useSyncExternalStore } from 'preact/compat';
import { api, ok, tokensOf, type Schemas } from '../api/client';
import type { paths } from '../api/schema';
import { getSession, setParty, setTokens, subscribe, type SessionState } from './session-store';

export type Me = paths['/me']['get']['responses']['200']['content']['application/json'];
export type MyParty = paths['/me/parties']['get']['responses']['200']['content']['application/json']['items'][number];
export type Role = Me['roles'][number];

export interface Session {
  state: SessionState;
  /** Undefined while loading after sign-in; null when signed out. */
  me: Me | null | undefined;
  parties: MyParty[];
  acting: MyParty | undefined;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** A new password (POST /me/password): the API ends every session, this tab goes on in the new one. */
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  chooseParty(id: string | null): void;
  /** Reads the user's parties again, after registering one or a change of its standing. */
  reloadParties(): Promise<void>;
  has(...roles: Role[]): boolean;
}

export const useSessionState = () => useSyncExternalStore(subscribe, getSession);

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const state = useSessionState();
  const [loaded, setLoaded] = useState<{ me: Me; parties: MyParty[] } | undefined>(undefined);
  const signedIn = state.tokens !== null;

  useEffect(() => {
    setLoaded(undefined);
    if (!signedIn) return;
    let current = true;
    Promise.all([ok(api.GET('/me')), ok(api.GET('/me/parties', { params: { query: { limit: 200 } } }))]).then(
      ([me, mine]) => {
        if (!current) return;
        // With one party, act for it; with several, keep the choice of this tab if it is still one of them.
        const chosen = getSession().partyId;
        if (!mine.items.some((p) => p.id === chosen)) setParty(mine.items.length === 1 ? mine.items[0]!.id : null);
        setLoaded({ me, parties: mine.items });
      },
      () => current && setTokens(null),
    );
    return () => void (current = false);
  }, [signedIn]);

  // Signed in but not loaded yet is `undefined`: pages wait rather than send the user to sign in.
  const me = signedIn ? loaded?.me : null;
  const parties = signedIn ? (loaded?.parties ?? []) : [];
  const session: Session = {
    state,
    me,
    parties,
    acting: parties.find((p) => p.id === state.partyId),
    async signIn(email, password) {
      const pair = await ok(api.POST('/auth/login', { body: { email, password } }));
      setTokens(tokensOf(pair));
    },
    async signOut() {
      const tokens = getSession().tokens;
      setTokens(null);
      // The refresh token is revoked too, so the session cannot be taken up again from this tab's storage.
      if (tokens) await api.POST('/auth/logout', { body: { refreshToken: tokens.refreshToken } }).catch(() => undefined);
    },
    async changePassword(currentPassword, newPassword) {
      const pair = await ok(api.POST('/me/password', { body: { currentPassword, newPassword } }));
      setTokens(tokensOf(pair));
    },
    chooseParty: (id) => setParty(id),
    async reloadParties() {
      const mine = await ok(api.GET('/me/parties', { params: { query: { limit: 200 } } }));
      if (!getSession().partyId && mine.items.length === 1) setParty(mine.items[0]!.id);
      setLoaded((current) => current && { ...current, parties: mine.items });
    },
    has: (...roles) => !!me && me.roles.some((r) => roles.includes(r)),
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export type { Schemas };
