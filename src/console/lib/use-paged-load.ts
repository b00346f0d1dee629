import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { useSessionState } from './session';
import { useAction } from './use-action';
import { asApiError, type Loaded } from './use-load';

/** What every paged list route answers: a page of items and the cursor of the next one (null at the end). */
export interface ApiPage<T> {
  items: T[];
  next: string | null;
}

/** The page a list asks for: the user's page size, and the cursor after the first page. */
export interface PageQuery {
  limit: number;
  cursor?: string;
}

/** A list loaded page by page: its rows so far (in `data.items`, with the latest page's other fields), and more. */
export interface Paged<P extends ApiPage<unknown>> extends Loaded<P> {
  hasMore: boolean;
  /** Loads the next page and appends its rows; busy while it runs, the API's problem if it was refused. */
  more: { run(): Promise<void>; busy: boolean; error: ApiError | undefined };
}

/**
 * Loads a list the API pages by cursor: its first page, again from the first when `deps` (filters,
 * the acting party) or the page size change; `more` follows the cursor. `reload` (after an action on
 * a row) reads again as many pages as are shown, so the row acted on stays in view.
 */
export function usePagedLoad<P extends ApiPage<unknown>>(fetchPage: (page: PageQuery) => Promise<P>, deps: unknown[]): Paged<P> {
  const limit = useSessionState().pageSize;
  const [state, setState] = useState<{ data?: P; error?: ApiError; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  // How many pages the next load reads, and which load is current: a page asked for by an earlier
  // one (other filters, another party) must not be appended to this one's rows.
  const pages = useRef(1);
  const generation = useRef(0);
  useEffect(() => void (pages.current = 1), [...deps, limit]);
  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    (async () => {
      let page = await fetchPage({ limit });
      let items = page.items;
      for (let n = 1; n < pages.current && page.next; n++) {
        page = await fetchPage({ limit, cursor: page.next });
        items = [...items, ...page.items];
      }
      return { ...page, items };
    })().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: unknown) => mine === generation.current && setState({ error: asApiError(error), loading: false }),
    );
  }, [...deps, limit, round]);
  const more = useAction(async () => {
    const shown = state.data;
    // While the list loads again (another filter), the rows shown and their cursor are the old ones.
    if (!shown?.next || state.loading) return;
    const mine = generation.current;
    const page = await fetchPage({ limit, cursor: shown.next });
    if (mine !== generation.current) return;
    pages.current += 1;
    setState({ data: { ...page, items: [...shown.items, ...page.items] }, loading: false });
  });
  const reload = () => setRound((n) => n + 1);
  return { ...state, reload, hasMore: Boolean(state.data?.next), more } as Paged<P>;
}
