import { AlertCountSchema, ReviewCountSchema, opsApiPaths } from '@cashin/shared';
import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../common/api.js';

/** How often the console asks again while an operator stays on one screen. */
export const navCountsPollMs = 60_000;

/** What the navigation counts beside its links; null until the first answer. */
export interface NavCounts {
  readonly openAlerts: number | null;
  readonly reviewsWaiting: number | null;
}

/**
 * How many alerts are open and how many deposits wait for review, for the navigation, so an operator on
 * any screen sees that something needs a look. Asked on sign-in, whenever `refreshKey` changes (the app
 * passes the screen and the outcome of the last action, so closing an alert or clearing a hold updates it
 * at once) and every navCountsPollMs. A failure leaves the last count: the screen's own requests report
 * failures.
 */
export function useNavCounts(token: string | null, refreshKey: string): NavCounts {
  const [openAlerts, setOpenAlerts] = useState<number | null>(null);
  const [reviewsWaiting, setReviewsWaiting] = useState<number | null>(null);
  useEffect(() => {
    if (token === null) {
      setOpenAlerts(null);
      setReviewsWaiting(null);
      return undefined;
    }
    let cancelled = false;
    const load = (): void => {
      void callApi(opsApiPaths.alertCount, AlertCountSchema, { token }).then((result) => {
        if (!cancelled && result.ok) setOpenAlerts(result.value.open);
      });
      void callApi(opsApiPaths.reviewCount, ReviewCountSchema, { token }).then((result) => {
        if (!cancelled && result.ok) setReviewsWaiting(result.value.waiting);
      });
    };
    load();
    const timer = setInterval(load, navCountsPollMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [token, refreshKey]);
  return { openAlerts, reviewsWaiting };
}
