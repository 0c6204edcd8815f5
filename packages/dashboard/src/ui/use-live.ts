import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { followChanges } from './api.js';
import type { ChangeKind } from './types.js';

/** What {@link useLive} gives a page. */
export interface Live<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly reload: () => void;
}

/**
 * Loads a page's data, and loads it again whenever the server reports a change of one of `kinds` —
 * no reload, no client-side polling. Changes arriving during a load trigger exactly one more load.
 */
export function useLive<T>(
  load: () => Promise<T>,
  key: string,
  kinds: readonly ChangeKind[],
  run?: string,
): Live<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const loading = useRef(false);
  const dirty = useRef(false);
  const latest = useRef(load);
  latest.current = load;

  const reload = useCallback(() => {
    if (loading.current) {
      dirty.current = true;
      return;
    }
    loading.current = true;
    latest
      .current()
      .then(
        (value) => {
          setData(value);
          setError(undefined);
        },
        (failure: unknown) => setError(failure),
      )
      .finally(() => {
        loading.current = false;
        if (dirty.current) {
          dirty.current = false;
          reload();
        }
      });
  }, []);

  useEffect(() => {
    reload();
    const controller = new AbortController();
    followChanges(run, (kind) => kinds.includes(kind) && reload(), controller.signal);
    return () => controller.abort();
  }, [key]);

  return { data, error, reload };
}
