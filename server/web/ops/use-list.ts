import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../common/api.js';
import type { OpsContext } from './ops-context.js';

/** Loads a list from `path` once (and again on Refresh); failures go to the shared banner. */
export function useList<Schema extends z.ZodType>(
  context: OpsContext,
  path: string,
  schema: Schema,
): [z.output<Schema> | null, () => void] {
  const [value, setValue] = useState<z.output<Schema> | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void callApi(path, schema, { token: context.token }).then((result) => {
      if (cancelled) return;
      if (result.ok) setValue(result.value);
      else context.fail(result);
    });
    return () => {
      cancelled = true;
    };
  }, [generation, path]);
  return [value, () => setGeneration((n) => n + 1)];
}
