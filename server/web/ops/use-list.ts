import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../common/api.js';
import type { OpsContext } from './ops-context.js';

/**
 * Loads a list from `path` (again on Refresh, and when the path changes); failures go to the shared
 * banner. What was loaded from another path is not answered meanwhile: a screen that switches lists
 * shows "loading", never the old list under the new heading.
 */
export function useList<Schema extends z.ZodType>(
  context: OpsContext,
  path: string,
  schema: Schema,
): [z.output<Schema> | null, () => void] {
  const [loaded, setLoaded] = useState<{ path: string; value: z.output<Schema> } | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void callApi(path, schema, { token: context.token }).then((result) => {
      if (cancelled) return;
      if (result.ok) setLoaded({ path, value: result.value });
      else context.fail(result);
    });
    return () => {
      cancelled = true;
    };
  }, [generation, path]);
  return [loaded?.path === path ? loaded.value : null, () => setGeneration((n) => n + 1)];
}
