import { useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { asApiError } from './use-load';

/** Runs what a form or button does: busy while it runs, the API's problem when it is refused. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const run = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await action(...args);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** A form's submit handler that does not reload the page. */
export const onSubmit = (run: () => unknown) => (event: Event) => {
  event.preventDefault();
  void run();
};
