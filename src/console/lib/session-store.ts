// What the console remembers between pages: the signed-in tokens and the acting party (this tab
// only, sessionStorage: each tab signs in for itself, and its refresh tokens rotate), and the
// language and the rows per page of a list (every tab, localStorage). A plain store with
// subscribers, so the API client reads it without going through components.

export type Lang = 'zh' | 'en';

/** How many rows a list asks the API for at a time; the user's choice, 50 until they make one. */
export const pageSizes = [10, 20, 50, 100] as const;
export type PageSize = (typeof pageSizes)[number];

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, in ms since the epoch (the browser's clock). */
  expiresAt: number;
}

export interface SessionState {
  tokens: Tokens | null;
  /** The party the user acts for (X-Party-Id), or none. */
  partyId: string | null;
  lang: Lang;
  pageSize: PageSize;
}

const TOKENS = 'dx-console.tokens';
const PARTY = 'dx-console.party';
const LANG = 'dx-console.lang';
const PAGE_SIZE = 'dx-console.page-size';

function readJson<T>(storage: Storage, key: string): T | null {
  try {
    const text = storage.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

let state: SessionState = {
  tokens: readJson<Tokens>(sessionStorage, TOKENS),
  partyId: sessionStorage.getItem(PARTY),
  // Chinese first: English only when the user chose it.
  lang: localStorage.getItem(LANG) === 'en' ? 'en' : 'zh',
  pageSize: pageSizes.find((n) => String(n) === localStorage.getItem(PAGE_SIZE)) ?? 50,
};

const listeners = new Set<() => void>();

export function getSession(): SessionState {
  return state;
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function update(change: Partial<SessionState>) {
  state = { ...state, ...change };
  if ('tokens' in change) {
    if (state.tokens) sessionStorage.setItem(TOKENS, JSON.stringify(state.tokens));
    else sessionStorage.removeItem(TOKENS);
  }
  if ('partyId' in change) {
    if (state.partyId) sessionStorage.setItem(PARTY, state.partyId);
    else sessionStorage.removeItem(PARTY);
  }
  if ('lang' in change) localStorage.setItem(LANG, state.lang);
  if ('pageSize' in change) localStorage.setItem(PAGE_SIZE, String(state.pageSize));
  for (const listener of listeners) listener();
}

export const setTokens = (tokens: Tokens | null) => update(tokens ? { tokens } : { tokens: null, partyId: null });
export const setParty = (partyId: string | null) => update({ partyId });
export const setLang = (lang: Lang) => update({ lang });
export const setPageSize = (pageSize: PageSize) => update({ pageSize });
