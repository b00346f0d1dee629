// The conditionally open entries an applicant gathers for one request (Art. 18 ¶2), kept in this
// tab's sessionStorage like the session itself, so that it outlives moving between pages and a
// reload, and is forgotten with the tab. A plain store with subscribers and a hook over it.
import { useEffect, useState } from 'preact/hooks';

export interface BasketEntry {
  id: string;
  title: string;
  departmentPartyId: string;
}

const KEY = 'dx-console.request-basket';
const listeners = new Set<() => void>();

function read(): BasketEntry[] {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as BasketEntry[]) : [];
  } catch {
    return [];
  }
}

function write(entries: BasketEntry[]) {
  if (entries.length === 0) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(entries));
  for (const listener of listeners) listener();
}

export const addToBasket = (entry: BasketEntry) => write([...read().filter((e) => e.id !== entry.id), entry]);
export const removeFromBasket = (id: string) => write(read().filter((e) => e.id !== id));
export const clearBasket = () => write([]);

/** The entries gathered so far, kept current as they are added and removed. */
export function useBasket(): BasketEntry[] {
  const [entries, setEntries] = useState(read);
  useEffect(() => {
    const listener = () => setEntries(read());
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return entries;
}
