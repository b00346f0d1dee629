import { useRef } from 'preact/hooks';
import { idempotencyKey } from '../api/client';

/**
 * One Idempotency-Key per content a form sends: the same content sent again (a second click, a
 * retry after a lost answer) reuses its key and gets the first answer, so it makes nothing twice;
 * content corrected after a refusal is another request with a key of its own (the API keeps a
 * refusal under its key and answers a changed body under it with a 422). `forget` after a success
 * lets the form send the same content again as a new request.
 */
export function useIdempotencyKeys() {
  const last = useRef<{ content: string; key: string } | null>(null);
  return {
    keyFor(body: unknown): string {
      const content = JSON.stringify(body);
      if (last.current?.content !== content) last.current = { content, key: idempotencyKey() };
      return last.current.key;
    },
    forget() {
      last.current = null;
    },
  };
}
