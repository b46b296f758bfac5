import { useEffect, useState } from 'preact/hooks';

/**
 * Path routing under an app's base ("/wallet/"), so the browser's back button works and a reload returns
 * to the same screen. The server answers every path under the base with index.html (SPA fallback).
 */
export function useRoute(base: string): [string, (route: string, replace?: boolean) => void] {
  const read = (): string => (location.pathname.startsWith(base) ? location.pathname.slice(base.length) : '');
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onPop = (): void => setRoute(read());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = (next: string, replace = false): void => {
    if (next === read()) return setRoute(next);
    if (replace) history.replaceState(null, '', base + next);
    else history.pushState(null, '', base + next);
    setRoute(next);
  };
  return [route, go];
}
