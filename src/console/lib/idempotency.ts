import { useRef } from 'preact/hooks';
import { ApiError, idempotencyKey } from '../api/client';

/**
 * One Idempotency-Key per content a form sends: the same content sent again (a second click, a
 * retry after a lost answer) reuses its key and gets the first answer, so it makes nothing twice;
 * content corrected after a refusal is another request with a key of its own (the API keeps a
 * refusal under its key and answers a changed body under it with a 422). `forget` after a success
 * lets the form send the same content again as a new request.
 *
 * `act` is for a step without a body (a submission, an approval): it has no content to correct,
 * so the key is forgotten once the API answered, a refusal too, and the click after a refusal
 * (documents added since, say) is a new request rather than the refusal replayed. A lost answer,
 * a server error (which the API does not keep) and a first request still running keep the key,
 * so the retry is the same request.
 */
export function useIdempotencyKeys() {
  const last = useRef<{ content: string; key: string } | null>(null);
  const keyFor = (body: unknown): string => {
    const content = JSON.stringify(body);
    if (last.current?.content !== content) last.current = { content, key: idempotencyKey() };
    return last.current.key;
  };
  const forget = () => {
    last.current = null;
  };
  return {
    keyFor,
    forget,
    async act<T>(step: Record<string, unknown>, send: (key: string) => Promise<T>): Promise<T> {
      try {
        const answer = await send(keyFor(step));
        forget();
        return answer;
      } catch (err) {
        if (answeredRefusal(err)) forget();
        throw err;
      }
    },
  };
}

/** A refusal the API kept under the key: a 4xx other than "the first request is still running". */
const answeredRefusal = (err: unknown) =>
  err instanceof ApiError && err.problem.status >= 400 && err.problem.status < 500 && err.problem.type !== '/problems/idempotency-in-progress';
