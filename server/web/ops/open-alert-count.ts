import { AlertCountSchema, opsApiPaths } from '@cashin/shared';
import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../common/api.js';

/** How often the console asks again while an operator stays on one screen. */
export const openAlertsPollMs = 60_000;

/**
 * How many alerts are open, for the navigation, so an operator on any screen sees that something needs a
 * look. Asked on sign-in, whenever `refreshKey` changes (the app passes the screen and the outcome of the
 * last action, so closing an alert updates it at once) and every openAlertsPollMs. A failure leaves the
 * last count: the screen's own requests report failures.
 */
export function useOpenAlertCount(token: string | null, refreshKey: string): number | null {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    if (token === null) {
      setCount(null);
      return undefined;
    }
    let cancelled = false;
    const load = (): void => {
      void callApi(opsApiPaths.alertCount, AlertCountSchema, { token }).then((result) => {
        if (!cancelled && result.ok) setCount(result.value.open);
      });
    };
    load();
    const timer = setInterval(load, openAlertsPollMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [token, refreshKey]);
  return count;
}
