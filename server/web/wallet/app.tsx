import type { CurrencyCode, ErrorCode, Language, SignUpRequest } from '@cashin/shared';
import { DepositCodeResponseSchema, WalletResponseSchema } from '@cashin/shared';
import { z } from 'zod';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiResult } from '../common/api.js';
import { callApi, isSignedOut } from '../common/api.js';
import { AppLanguageSwitch, useDocumentLanguage } from '../common/app-language.js';
import { Banner } from '../common/components.js';
import type { Words } from '../common/i18n.js';
import { initialLanguage, isLanguage, safeStorage, wordsFor } from '../common/i18n.js';
import { useRoute } from '../common/navigation.js';
import { TopBar } from '../common/top-bar.js';
import type { WalletMessageKey } from './messages.js';
import { walletMessages } from './messages.js';
import { nextPollMs, walletPollMsOtherwise, walletPollMsWhileCodeShown } from './polling.js';
import { ChildScreen } from './screens/child.js';
import { ClaimScreen } from './screens/claim.js';
import { CodeScreen } from './screens/code.js';
import { FamilyScreen } from './screens/family.js';
import { HomeScreen } from './screens/home.js';
import { LocationsScreen } from './screens/locations.js';
import { ReceiptScreen } from './screens/receipt.js';
import { SlipsScreen } from './screens/slips.js';
import { SignInScreen, SignUpScreen, VerifyScreen, WelcomeScreen } from './screens/auth.js';
import type { StoredSession } from './session.js';
import { loadSession, saveSession } from './session.js';

export type Wallet = z.output<typeof WalletResponseSchema>;
export type DepositCode = z.output<typeof DepositCodeResponseSchema>;
export type BannerState = { tone: 'error' | 'notice' | 'success'; text: string } | null;
/**
 * A sign-up waiting for its code, and the token the server answered it with. Kept in memory only, as the
 * phone is: a reload starts again from the welcome screen.
 */
export interface PendingSignUp {
  readonly request: SignUpRequest;
  readonly token: string;
}

/** What every screen gets: words, the session, and the ways to change what the app shows. */
export interface WalletContext {
  words: Words<WalletMessageKey>;
  session: StoredSession | null;
  wallet: Wallet | null;
  depositCode: DepositCode | null;
  go: (route: string, replace?: boolean) => void;
  showBanner: (banner: BannerState) => void;
  showError: (code: ErrorCode, details?: Readonly<Record<string, unknown>>) => void;
  signedIn: (session: StoredSession) => void;
  signOut: () => void;
  refreshWallet: () => Promise<void>;
  setDepositCode: (code: DepositCode) => void;
  /** Set between sign-up / sign-in and the one-time code screen. */
  pendingPhone: string | null;
  /**
   * The sign-up the code on that screen opens a wallet for (null: signing in), so it can be sent again,
   * with the token of its newest sending: the code opens the wallet with these details only beside it.
   */
  pendingSignUp: PendingSignUp | null;
  setPendingPhone: (phone: string, signUp?: PendingSignUp) => void;
  /** For sign-up: the currency this wallet will hold. */
  preferredCurrency: CurrencyCode;
}

const languageKey = 'cashin.wallet.language';
const base = '/wallet/';

export function App() {
  const [language, setLanguage] = useState<Language>(() => initialLanguage(languageKey));
  const [session, setSession] = useState<StoredSession | null>(() => loadSession(Date.now()));
  const [wallet, setWallet] = useState<Wallet | null>(null);
  const [depositCode, setDepositCode] = useState<DepositCode | null>(null);
  const [banner, setBanner] = useState<BannerState>(null);
  const [pendingPhone, setPendingPhone] = useState<string | null>(null);
  const [pendingSignUp, setPendingSignUp] = useState<PendingSignUp | null>(null);
  const [route, go] = useRoute(base);
  // Entries already seen, so a poll that brings a new credit or reversal can say so once.
  const seenEntries = useRef<Map<string, string> | null>(null);

  const currency: CurrencyCode = wallet?.shopper.currency ?? (language === 'es' ? 'MXN' : 'USD');
  const words = wordsFor(walletMessages, language, currency);

  useDocumentLanguage(language, words.t('app.title'));

  const signOut = (): void => {
    const token = session?.token;
    saveSession(null);
    setSession(null);
    setWallet(null);
    setDepositCode(null);
    seenEntries.current = null;
    go('', true);
    // Ends the session on the server too; if that fails, the token still expires on its own.
    if (token) void callApi('/v1/auth/sessions/current', z.unknown(), { method: 'DELETE', token });
  };

  const showError = (code: ErrorCode, details: Readonly<Record<string, unknown>> = {}): void => {
    setBanner({ tone: 'error', text: words.error(code, details) });
  };

  /** Handles a failed call the same way everywhere: signed out -> back to the start, else say why. */
  const failed = (result: Extract<ApiResult<unknown>, { ok: false }>): void => {
    if (isSignedOut(result.code)) {
      signOut();
      setBanner({ tone: 'notice', text: words.error(result.code) });
    } else showError(result.code, result.details);
  };

  const acceptWallet = (next: Wallet): void => {
    const previous = seenEntries.current;
    const seen = new Map(next.history.map((entry) => [entry.transferId, entry.status]));
    if (previous !== null) {
      // Only what changed since the last look is announced: a new credit, or a deposit now reversed.
      // A till deposit is first seen pending, then credited under the same id: that is news too.
      const fresh = next.history.find(
        (entry) =>
          entry.amountMinor > 0 &&
          entry.status === 'credited' &&
          (!previous.has(entry.transferId) || previous.get(entry.transferId) === 'pending'),
      );
      const reversed = next.history.find(
        (entry) =>
          entry.status === 'reversed' &&
          previous.get(entry.transferId) !== 'reversed' &&
          entry.amountMinor > 0,
      );
      if (reversed) {
        setBanner({
          tone: 'notice',
          text: words.t('home.reversed', { amount: words.money(reversed.amountMinor, reversed.currency) }),
        });
      } else if (fresh) {
        setBanner({
          tone: 'success',
          text: words.t('home.credited', { amount: words.money(fresh.amountMinor, fresh.currency) }),
        });
      }
    }
    seenEntries.current = seen;
    setWallet(next);
  };

  // The poll below outlives a render; it reaches the newest handlers (and so the current language) here.
  const latest = useRef({ acceptWallet, failed });
  latest.current = { acceptWallet, failed };

  const refreshWallet = async (): Promise<void> => {
    if (!session) return;
    const result = await callApi('/v1/me/wallet', WalletResponseSchema, { token: session.token });
    if (result.ok) acceptWallet(result.value);
    else failed(result);
  };

  // The first load after sign-in: the wallet and the code, then the shopper's own language if they chose one.
  useEffect(() => {
    if (!session) return;
    let cancelled = false;
    void (async () => {
      const [walletResult, codeResult] = await Promise.all([
        callApi('/v1/me/wallet', WalletResponseSchema, { token: session.token }),
        callApi('/v1/me/deposit-code', DepositCodeResponseSchema, { token: session.token }),
      ]);
      if (cancelled) return;
      if (!walletResult.ok) return failed(walletResult);
      acceptWallet(walletResult.value);
      // Until the shopper picks a language on this phone, the wallet speaks the one they signed up with.
      if (!isLanguage(safeStorage(localStorage)?.getItem(languageKey)))
        setLanguage(walletResult.value.shopper.language);
      if (codeResult.ok) setDepositCode(codeResult.value);
      else failed(codeResult);
    })();
    return () => {
      cancelled = true;
    };
  }, [session?.token]);

  // New credits show without a reload: poll while visible, more often while the barcode is on screen.
  useEffect(() => {
    if (!session) return;
    const baseMs = route === 'code' ? walletPollMsWhileCodeShown : walletPollMsOtherwise;
    let failures = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async (): Promise<void> => {
      if (stopped || document.hidden) return;
      const result = await callApi('/v1/me/wallet', WalletResponseSchema, { token: session.token });
      if (stopped) return;
      if (result.ok) {
        failures = 0;
        latest.current.acceptWallet(result.value);
      } else if (isSignedOut(result.code)) return latest.current.failed(result);
      else failures += 1;
      schedule();
    };
    const schedule = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => void tick(), nextPollMs(baseMs, failures));
    };
    const onVisibility = (): void => {
      if (!document.hidden) void tick();
      else clearTimeout(timer);
    };
    schedule();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [session?.token, route]);

  const context: WalletContext = {
    words,
    session,
    wallet,
    depositCode,
    go: (next, replace) => {
      setBanner(null);
      go(next, replace);
    },
    showBanner: setBanner,
    showError,
    signedIn: (next) => {
      saveSession(next);
      setSession(next);
      setBanner(null);
      go('', true);
    },
    signOut,
    refreshWallet,
    setDepositCode,
    pendingPhone,
    pendingSignUp,
    setPendingPhone: (phone, signUp) => {
      setPendingPhone(phone);
      setPendingSignUp(signUp ?? null);
    },
    preferredCurrency: currency,
  };

  let screen;
  if (session) {
    if (route === 'code') screen = <CodeScreen {...context} />;
    else if (route === 'claim') screen = <ClaimScreen {...context} />;
    else if (route === 'slips') screen = <SlipsScreen {...context} />;
    else if (route === 'receipt') screen = <ReceiptScreen {...context} />;
    else if (route === 'locations') screen = <LocationsScreen {...context} />;
    else if (route === 'family') screen = <FamilyScreen {...context} />;
    else if (route.startsWith('family/'))
      screen = <ChildScreen {...context} childId={decodeURIComponent(route.slice('family/'.length))} />;
    else screen = <HomeScreen {...context} />;
  } else if (route === 'sign-up') screen = <SignUpScreen {...context} />;
  else if (route === 'sign-in') screen = <SignInScreen {...context} />;
  else if (route === 'verify' && pendingPhone) screen = <VerifyScreen {...context} />;
  else screen = <WelcomeScreen {...context} />;

  return (
    <div class="app">
      <TopBar title={words.t('app.title')}>
        <AppLanguageSwitch
          current={language}
          label={words.t('language.label')}
          storageKey={languageKey}
          onChange={setLanguage}
        />
      </TopBar>
      <main class="main" data-route={route || 'home'}>
        {banner && <Banner tone={banner.tone} text={banner.text} />}
        {screen}
      </main>
    </div>
  );
}
