import type { Authorization, Code, CodeType, CurrencyCode, ErrorCode, Language } from '@cashin/shared';
import {
  AuthorizationSchema,
  ClerkSessionSchema,
  CodeLookupResponseSchema,
  ShiftSummarySchema,
  codeTypes,
  currencies,
  denominationsOf,
  formatCode,
  parseCode,
  parseMajorAmount,
  partialCodeState,
  tillApiPaths,
  uuidv7,
} from '@cashin/shared';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { z } from 'zod';
import type { ApiFailure } from '../common/api.js';
import { callApi, isSignedOut } from '../common/api.js';
import { AppLanguageSwitch, useDocumentLanguage } from '../common/app-language.js';
import {
  Banner,
  Button,
  Field,
  Form,
  MoneyDisplay,
  ScreenHeading,
  TableScroll,
} from '../common/components.js';
import { checkedFieldStatus } from '../common/field-status.js';
import { initialLanguage, wordsFor } from '../common/i18n.js';
import { TopBar } from '../common/top-bar.js';
import type { Step, TillWords } from './components.js';
import type { TillMessageKey } from './messages.js';
import { tillMessages } from './messages.js';
import { Receipt, ReceiptActions, Steps, formatClaimCode } from './components.js';
import type { ClerkSession, PendingCommit } from './till-storage.js';
import {
  loadClerkSession,
  loadPendingCommit,
  pendingCommitOf,
  saveClerkSession,
  savePendingCommit,
} from './till-storage.js';
import { useWedgeScanner } from './wedge-scanner.js';

type ShiftSummary = z.output<typeof ShiftSummarySchema>;
type CodeLookup = z.output<typeof CodeLookupResponseSchema>;

/**
 * Refusals of a code's lookup that no amount can change: the till goes back to the scan and says why,
 * before the clerk counts any cash.
 */
const codeRefusals: readonly ErrorCode[] = [
  'CODE_UNKNOWN',
  'CODE_REVOKED',
  'CODE_EXPIRED',
  'CODE_USED',
  'CODE_CANCELLED',
  'CURRENCY_MISMATCH',
];

/** Sign-out answers 204 with no body; whatever it answers, the till forgets the session. */
const SignedOutSchema = z.unknown();

/** One thing per screen. The deposit's data travels with the screen, so a screen can never show stale data. */
type Screen =
  | { name: 'scan'; notice?: string }
  | { name: 'amount'; code: Code; codeType: CodeType; typed: string }
  | { name: 'check'; authorization: Authorization; renewed: boolean }
  | { name: 'refused'; code: Code; codeType: CodeType; typed: string; failure: ApiFailure }
  | { name: 'committing'; pending: PendingCommit; resumed: boolean }
  | { name: 'failed'; failure: ApiFailure }
  | { name: 'done'; authorization: Authorization }
  | { name: 'void'; authorization: Authorization }
  | { name: 'voided'; authorization: Authorization }
  | { name: 'shift' };

const acceptedCodes = ['deposit', 'slip'] as const;
const codeLengthMax = Math.max(...acceptedCodes.map((type) => codeTypes[type].length));
/** Room for a voucher's claim code too, so the till can say what it is rather than cut it short. */
const typedLengthMax = Math.max(codeLengthMax, codeTypes.claim.length);
const languageKey = 'cashin.till.language';

/** Failures after which the same request may simply be sent again (nothing was decided on the server). */
function isRetryable(code: ErrorCode): boolean {
  return (
    code === 'SERVER_UNREACHABLE' ||
    code === 'SERVICE_UNAVAILABLE' ||
    code === 'RATE_LIMITED' ||
    code === 'INTERNAL'
  );
}

function grouped(digits: string): string {
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/**
 * Where the till starts once a clerk of the store is signed in: a commit of this store that was sent but
 * whose outcome never arrived (a closed tab, a crash, a lost connection, a session that ran out) is
 * re-sent first, with the same id, before anything else can happen.
 */
function firstScreen(session: ClerkSession | null): Screen {
  const pending = session === null ? null : loadPendingCommit(session.store.id);
  return pending ? { name: 'committing', pending, resumed: true } : { name: 'scan' };
}

/**
 * Refusals of a commit that settle it as never credited, so the cash goes back to the customer: the
 * authorization ran out uncommitted, or it was voided. Any other refusal leaves the outcome open.
 */
const commitNeverCredited: readonly ErrorCode[] = ['AUTHORIZATION_EXPIRED', 'ALREADY_VOIDED'];

export function App() {
  const [language, setLanguage] = useState<Language>(() => initialLanguage(languageKey));
  const [session, setSession] = useState<ClerkSession | null>(() => loadClerkSession(Date.now()));
  // A commit that was sent but never answered (a reload, a lost connection) is resumed first of all.
  const [screen, setScreen] = useState<Screen>(() => firstScreen(session));
  const [banner, setBanner] = useState<ApiFailure | null>(null);
  const currency: CurrencyCode = session?.store.currency ?? 'USD';
  const words = wordsFor(tillMessages, language, currency);

  useDocumentLanguage(language, words.t('app.title'));

  const show = (next: Screen): void => {
    setBanner(null);
    setScreen(next);
  };
  const forgetSession = (): void => {
    saveClerkSession(null);
    setSession(null);
    // A commit still waiting for its answer survives the sign-out and is re-sent after the next sign-in.
    show({ name: 'scan' });
  };
  const signOut = (): void => {
    // The server ends the session too, so the token is worthless if this PC is left on; signed out here
    // whatever it answers (a lost network must not keep a clerk signed in on a shared till).
    if (session !== null)
      void callApi(tillApiPaths.session, SignedOutSchema, { method: 'DELETE', token: session.token });
    forgetSession();
  };
  const fail = (failure: ApiFailure): void => {
    if (isSignedOut(failure.code)) forgetSession();
    setBanner(failure);
  };

  const header = (
    <TopBar title={words.t('app.title')}>
      {session && (
        <p class="clerk-bar">
          {words.t('bar.clerk', { clerk: session.clerk.name, store: session.store.name })}
        </p>
      )}
      <div class="topbar-actions">
        {session && screen.name === 'scan' && (
          <Button kind="link" onClick={() => show({ name: 'shift' })}>
            {words.t('bar.shift')}
          </Button>
        )}
        {session && (screen.name === 'scan' || screen.name === 'shift') && (
          <Button kind="link" onClick={signOut}>
            {words.t('bar.signOut')}
          </Button>
        )}
        <AppLanguageSwitch
          current={language}
          label={words.t('language.label')}
          storageKey={languageKey}
          onChange={setLanguage}
        />
      </div>
    </TopBar>
  );

  let body;
  if (!session) {
    body = (
      <SignIn
        words={words}
        onSignedIn={(next) => {
          saveClerkSession(next);
          setSession(next);
          show(firstScreen(next));
        }}
        onError={fail}
      />
    );
  } else {
    const props: ScreenProps = { words, session, show, fail, clearBanner: () => setBanner(null) };
    body = <TillScreen screen={screen} {...props} />;
  }

  return (
    <div class="app app-wide till">
      {header}
      <main class="main" data-screen={session ? screen.name : 'signIn'}>
        {banner && <Banner tone="error" text={words.error(banner.code, banner.details)} />}
        {body}
      </main>
    </div>
  );
}

interface ScreenProps {
  words: TillWords;
  session: ClerkSession;
  show: (screen: Screen) => void;
  fail: (failure: ApiFailure) => void;
  /** The page's error is about the last code: a new scan or keystroke makes it stale. */
  clearBanner: () => void;
}

function TillScreen({ screen, ...props }: ScreenProps & { screen: Screen }) {
  switch (screen.name) {
    case 'scan':
      return <ScanScreen {...props} notice={screen.notice} />;
    case 'amount':
      return <AmountScreen {...props} code={screen.code} codeType={screen.codeType} initial={screen.typed} />;
    case 'check':
      return <CheckScreen {...props} authorization={screen.authorization} renewed={screen.renewed} />;
    case 'refused':
      return <RefusedScreen {...props} screen={screen} />;
    case 'committing':
      return <CommittingScreen {...props} pending={screen.pending} resumed={screen.resumed} />;
    case 'failed':
      return <FailedScreen {...props} failure={screen.failure} />;
    case 'done':
      return <DoneScreen {...props} authorization={screen.authorization} />;
    case 'void':
      return <VoidScreen {...props} authorization={screen.authorization} />;
    case 'voided':
      return <VoidedScreen {...props} authorization={screen.authorization} />;
    case 'shift':
      return <ShiftScreen {...props} />;
  }
}

function SignIn({
  words,
  onSignedIn,
  onError,
}: {
  words: TillWords;
  onSignedIn: (session: ClerkSession) => void;
  onError: (failure: ApiFailure) => void;
}) {
  const [storeId, setStoreId] = useState('');
  const [clerkId, setClerkId] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (): Promise<void> => {
    setBusy(true);
    const result = await callApi(tillApiPaths.session, ClerkSessionSchema, {
      body: { storeId: storeId.trim(), clerkId: clerkId.trim(), pin },
    });
    setBusy(false);
    setPin('');
    if (result.ok) onSignedIn(result.value);
    else onError(result);
  };
  return (
    <section class="screen screen-narrow">
      <ScreenHeading text={words.t('signIn.title')} screen="signIn" />
      <Form onSubmit={() => void submit()}>
        <Field
          id="store"
          label={words.t('signIn.store')}
          value={storeId}
          onInput={setStoreId}
          autoComplete="username"
          required
        />
        <Field id="clerk" label={words.t('signIn.clerk')} value={clerkId} onInput={setClerkId} required />
        <Field
          id="pin"
          label={words.t('signIn.pin')}
          hint={words.t('signIn.pinHint')}
          type="password"
          inputMode="numeric"
          autoComplete="current-password"
          maxLength={8}
          value={pin}
          onInput={(value) => setPin(value.replace(/\D/g, ''))}
          required
        />
        <Button
          kind="primary"
          type="submit"
          busy={busy}
          disabled={!storeId.trim() || !clerkId.trim() || pin.length < 4}
        >
          {words.t('signIn.submit')}
        </Button>
      </Form>
    </section>
  );
}

function StepScreen({
  step,
  title,
  screen,
  words,
  children,
}: {
  step: Step;
  title: string;
  screen: string;
  words: TillWords;
  children: ComponentChildren;
}) {
  return (
    <section class="screen">
      <Steps current={step} words={words} />
      <ScreenHeading text={title} screen={screen} />
      {children}
    </section>
  );
}

function ScanScreen({ words, show, clearBanner, notice }: ScreenProps & { notice: string | undefined }) {
  const [digits, setDigits] = useState('');
  const [scanNotice, setScanNotice] = useState<string | undefined>(notice);
  const accept = (text: string): boolean => {
    const parsed = parseCode(text, acceptedCodes);
    if (!parsed.ok) return false;
    show({ name: 'amount', code: parsed.code, codeType: parsed.type, typed: '' });
    return true;
  };
  // The scanner works wherever the cursor is; a scan of anything but a deposit code or slip is refused here,
  // before any network call.
  useWedgeScanner((text) => {
    clearBanner();
    if (!accept(text))
      setScanNotice(words.t(parseCode(text, ['claim']).ok ? 'scan.claimCode' : 'scan.notACode'));
  }, true);
  const state = digits === '' ? null : partialCodeState(digits, acceptedCodes);
  // A voucher's claim code is redeemed in the wallet app, not deposited: said plainly, not "a number is wrong".
  const claimCode = parseCode(digits, ['claim']).ok;
  const status = claimCode
    ? { text: words.t('scan.claimCode'), tone: 'bad' as const }
    : state === null
      ? undefined
      : state === 'complete'
        ? { text: words.t('scan.complete'), tone: 'ok' as const }
        : state === 'invalid'
          ? { text: words.t('scan.invalid'), tone: 'bad' as const }
          : { text: words.t('scan.incomplete', { length: codeLengthMax }), tone: 'neutral' as const };
  return (
    <StepScreen step="scan" title={words.t('scan.title')} screen="scan" words={words}>
      <p class="lead">{words.t('scan.body')}</p>
      {scanNotice && <Banner tone="notice" text={scanNotice} />}
      <div class="scan-target" aria-hidden="true">
        {/* Bars drawn, not typed: the system font may lack the box characters a text icon needs. */}
        <svg class="scan-icon" viewBox="0 0 44 20" width="176" height="80" aria-hidden="true">
          {[0, 3, 5, 9, 12, 14, 18, 22, 24, 27, 31, 33, 36, 40].map((x, index) => (
            <rect key={x} x={x} y="0" width={index % 3 === 0 ? 2 : 1} height="20" fill="currentColor" />
          ))}
        </svg>
      </div>
      <h2>{words.t('scan.orType')}</h2>
      <Form onSubmit={() => void accept(digits)}>
        <Field
          id="code"
          label={words.t('scan.code')}
          inputMode="numeric"
          large
          value={grouped(digits)}
          onInput={(value) => {
            clearBanner();
            setScanNotice(undefined);
            setDigits(value.replace(/\D/g, '').slice(0, typedLengthMax));
          }}
          status={status}
        />
        <Button kind="primary" type="submit" disabled={state !== 'complete'}>
          {words.t('scan.continue')}
        </Button>
      </Form>
    </StepScreen>
  );
}

function AmountScreen({
  words,
  session,
  show,
  fail,
  code,
  codeType,
  initial,
}: ScreenProps & { code: Code; codeType: CodeType; initial: string }) {
  const currency = session.store.currency;
  const [typed, setTyped] = useState(initial);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  // The code looked up as soon as it is scanned: whose it is, what it may still take, a slip's amount.
  // Only a refusal of the code itself stops here; anything else (no network, too many tries) leaves the
  // check to the authorization, which looks the code up again.
  const [lookup, setLookup] = useState<CodeLookup | 'pending' | 'unavailable'>('pending');
  useEffect(() => {
    let current = true;
    void callApi(tillApiPaths.lookups, CodeLookupResponseSchema, {
      body: { code },
      token: session.token,
    }).then((result) => {
      if (!current) return;
      if (result.ok) {
        setLookup(result.value);
        const slipAmount = result.value.slipAmountMinor;
        if (slipAmount !== null) setTyped(minorToTyped(slipAmount, currency));
        return;
      }
      if (codeRefusals.includes(result.code)) {
        show({ name: 'scan' });
        return fail(result);
      }
      if (isSignedOut(result.code)) return fail(result);
      setLookup('unavailable');
    });
    return () => {
      current = false;
    };
  }, [code]);
  const found = typeof lookup === 'object' ? lookup : null;
  const slipAmountMinor = found?.slipAmountMinor ?? null;
  // A scan here is another code while this customer is not finished: said, and its digits taken out of
  // the amount field they landed in (keys are not held back here, so a typed amount shows at once).
  const [scannedAgain, setScannedAgain] = useState(false);
  useWedgeScanner(
    (text) => {
      setTyped((current) => (current.endsWith(text) ? current.slice(0, -text.length) : ''));
      setScannedAgain(true);
    },
    true,
    false,
  );
  // The authorization id for this code and amount, chosen once: a retry after a lost answer re-sends it.
  const authorizationIds = useRef(new Map<string, string>());
  const parsed = parseMajorAmount(typed, currency);
  const valid = parsed.ok && parsed.amountMinor > 0;
  const bills = denominationsOf(currency, 'bill');
  const addBill = (valueMinor: number): void => {
    const current = parsed.ok ? parsed.amountMinor : 0;
    const next = current + valueMinor;
    // Shown as the clerk would type it: major units with the currency's decimals.
    setTyped(minorToTyped(next, currency));
  };
  const authorize = async (): Promise<void> => {
    setTouched(true);
    if (!parsed.ok || parsed.amountMinor <= 0) return;
    const key = `${code}:${parsed.amountMinor}`;
    const send = (authorizationId: string) => {
      authorizationIds.current.set(key, authorizationId);
      return callApi(tillApiPaths.authorizations, AuthorizationSchema, {
        body: { authorizationId, code, amountMinor: parsed.amountMinor, currency },
        token: session.token,
      });
    };
    setBusy(true);
    let result = await send(authorizationIds.current.get(key) ?? uuidv7());
    // A re-sent id whose first answer was lost can come back expired (or settled): it is no check to take
    // cash on. A fresh authorization, with a new id, checks the code and limits again.
    const renewed = result.ok && result.value.status !== 'authorized';
    if (renewed) result = await send(uuidv7());
    setBusy(false);
    if (result.ok && result.value.status === 'authorized')
      return show({ name: 'check', authorization: result.value, renewed });
    if (result.ok) return fail({ code: 'AUTHORIZATION_EXPIRED', details: {} });
    if (isRetryable(result.code) || isSignedOut(result.code)) return fail(result);
    // Refused by the server (a limit, an unknown or used code): nothing was decided, no cash was taken.
    show({ name: 'refused', code, codeType, typed, failure: result });
  };
  return (
    <StepScreen step="amount" title={words.t('amount.title')} screen="amount" words={words}>
      {/* A slip's amount is filled in and fixed: there is nothing to type or tap. */}
      <p class="lead">{words.t(slipAmountMinor === null ? 'amount.body' : 'amount.bodySlip')}</p>
      <p class="code-line">{words.t('amount.code', { code: formatCode(code) })}</p>
      {scannedAgain && <Banner tone="notice" text={words.t('amount.scanIgnored')} />}
      {/* Announced when it arrives: whose code it is, or that the lookup could not be made. */}
      <div aria-live="polite">
        {lookup === 'pending' && <p class="muted">{words.t('amount.lookingUp')}</p>}
        {lookup === 'unavailable' && <p class="muted">{words.t('amount.lookupUnavailable')}</p>}
        {found && (
          <div class="panel lookup-panel" data-testid="lookup">
            <p class="shopper-for">{words.t('amount.for', { name: found.maskedName })}</p>
            <p class="muted">{words.t('amount.forHint')}</p>
            <p>
              {found.allowance.remainingDeposits === 0 || found.allowance.remainingMinor === 0
                ? words.t('amount.noneLeft')
                : words.t('amount.remaining', {
                    amount: words.money(found.allowance.remainingMinor, currency),
                  })}
            </p>
            <p>
              {words.t('amount.range', {
                minimum: words.money(found.depositMinMinor, currency),
                maximum: words.money(found.depositMaxMinor, currency),
              })}
            </p>
          </div>
        )}
      </div>
      {slipAmountMinor !== null ? (
        <p class="slip-hint">
          {words.t('amount.slipFixed', { amount: words.money(slipAmountMinor, currency) })}
        </p>
      ) : (
        codeType === 'slip' && <p class="slip-hint">{words.t('amount.slipHint')}</p>
      )}
      <Form onSubmit={() => void authorize()}>
        <Field
          id="amount"
          label={words.t('amount.field', { currency })}
          inputMode="decimal"
          large
          readOnly={slipAmountMinor !== null}
          value={typed}
          onInput={setTyped}
          status={checkedFieldStatus(
            touched,
            valid,
            words.t('amount.invalid'),
            valid ? words.money(parsed.amountMinor, currency) : undefined,
          )}
        />
        {slipAmountMinor === null && (
          <fieldset class="bills">
            <legend>{words.t('amount.bills')}</legend>
            {bills.map((bill) => (
              <button
                type="button"
                key={bill.valueMinor}
                class="button bill"
                aria-label={words.t('amount.add', { value: words.money(bill.valueMinor, currency) })}
                onClick={() => addBill(bill.valueMinor)}
              >
                + {words.money(bill.valueMinor, currency)}
              </button>
            ))}
            <button type="button" class="button button-danger bill" onClick={() => setTyped('')}>
              {words.t('amount.clear')}
            </button>
          </fieldset>
        )}
        <div class="actions">
          <Button onClick={() => show({ name: 'scan' })}>{words.t('amount.back')}</Button>
          <Button kind="primary" type="submit" busy={busy}>
            {words.t('amount.continue')}
          </Button>
        </div>
      </Form>
    </StepScreen>
  );
}

/**
 * An authorization's line in the shift summary: money held for a claim, and a deposit cancelled at the
 * check (never committed, no cash taken), are told apart from the rest of their status.
 */
function shiftStatusKey(a: Authorization): TillMessageKey {
  if (a.creditedTo === 'suspense') return 'status.suspense';
  if (a.status === 'voided' && a.committedAtMs === null) return 'status.notTaken';
  return `status.${a.status}`;
}

/** Minor units as a clerk types them ("20.00"), built from digits so no float touches the amount. */
function minorToTyped(amountMinor: number, currency: CurrencyCode): string {
  const exponent = currencies[currency].exponent;
  const digits = String(amountMinor).padStart(exponent + 1, '0');
  return exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

function CheckScreen({
  words,
  session,
  show,
  fail,
  authorization,
  renewed,
}: ScreenProps & { authorization: Authorization; renewed: boolean }) {
  const a = authorization;
  const amount = words.money(a.amountMinor, a.currency);
  const confirm = (): void =>
    show({ name: 'committing', pending: pendingCommitOf(a, session.store.id), resumed: false });
  const [cancelling, setCancelling] = useState(false);
  // The server holds the authorization (the shopper's wallet shows it pending, and it counts against their
  // limits) until it runs out: cancelling releases it at once. No cash was taken, so no money moves. If the
  // answer is lost, the authorization still runs out by itself; nothing waits on it.
  const cancel = async (): Promise<void> => {
    setCancelling(true);
    const result = await callApi(tillApiPaths.void(a.authorizationId), AuthorizationSchema, {
      body: { reason: words.t('check.cancelReason') },
      token: session.token,
    });
    setCancelling(false);
    if (!result.ok && isSignedOut(result.code)) return fail(result);
    show({
      name: 'scan',
      notice: words.t(result.ok ? 'check.cancelled' : 'check.cancelNotHeard', { amount }),
    });
  };
  return (
    <StepScreen step="check" title={words.t('check.title')} screen="check" words={words}>
      {renewed && <Banner tone="notice" text={words.t('check.renewed')} />}
      <div class="panel check-panel">
        <div class="money money-large">
          <span class="money-label">{words.t('check.name')}</span>
          <span class="money-amount shopper-name" data-testid="masked-name">
            {a.maskedName}
          </span>
        </div>
        <p class="muted">{words.t('check.nameHint')}</p>
        <MoneyDisplay label={words.t('check.amount')} text={amount} testId="authorized-amount" />
        {a.codeType === 'slip' && <p>{words.t('check.slip', { amount })}</p>}
        <p class="allowed" role="status">
          <span aria-hidden="true">✔ </span>
          {words.t('check.allowed', { amount: words.money(a.remainingAfterMinor, a.currency) })}
        </p>
      </div>
      <p class="instruction">{words.t('check.take', { amount })}</p>
      <p class="muted">
        {words.t('check.expires', {
          time: new Date(a.expiresAtMs).toLocaleTimeString(words.locale, {
            hour: 'numeric',
            minute: '2-digit',
          }),
        })}
      </p>
      <div class="actions">
        <Button kind="danger" busy={cancelling} onClick={() => void cancel()}>
          {words.t('check.cancel')}
        </Button>
        <Button kind="primary" disabled={cancelling} onClick={confirm}>
          {words.t('check.confirm')}
        </Button>
      </div>
    </StepScreen>
  );
}

/** Refusals that another amount may fix; the code stays, the clerk changes only the amount. */
const amountRefusals: readonly ErrorCode[] = [
  'LIMIT_EXCEEDED',
  'FAMILY_CAP_EXCEEDED',
  'AMOUNT_ABOVE_MAXIMUM',
  'AMOUNT_BELOW_MINIMUM',
  'AMOUNT_MISMATCH',
];

function RefusedScreen({
  words,
  session,
  show,
  screen,
}: ScreenProps & { screen: Extract<Screen, { name: 'refused' }> }) {
  // A payment slip is for one amount, which the refusal names: the clerk goes back with it typed in.
  const slipAmountMinor = screen.failure.details['slipAmountMinor'];
  const slipAmount =
    screen.failure.code === 'AMOUNT_MISMATCH' &&
    typeof slipAmountMinor === 'number' &&
    Number.isSafeInteger(slipAmountMinor)
      ? slipAmountMinor
      : null;
  const currency = session.store.currency;
  return (
    <StepScreen step="check" title={words.t('refused.title')} screen="refused" words={words}>
      <p class="lead">{words.t('refused.body')}</p>
      <Banner tone="error" text={words.error(screen.failure.code, screen.failure.details)} />
      <div class="actions">
        {slipAmount !== null ? (
          <Button
            onClick={() =>
              show({
                name: 'amount',
                code: screen.code,
                codeType: screen.codeType,
                typed: minorToTyped(slipAmount, currency),
              })
            }
          >
            {words.t('refused.useSlipAmount', { amount: words.money(slipAmount, currency) })}
          </Button>
        ) : amountRefusals.includes(screen.failure.code) ? (
          <Button
            onClick={() =>
              show({ name: 'amount', code: screen.code, codeType: screen.codeType, typed: screen.typed })
            }
          >
            {words.t('refused.changeAmount')}
          </Button>
        ) : null}
        <Button kind="primary" onClick={() => show({ name: 'scan' })}>
          {words.t('refused.newCustomer')}
        </Button>
      </div>
    </StepScreen>
  );
}

/**
 * Commits the authorization. Its id is stored (in localStorage, under the store) before the request
 * leaves, and kept until the outcome is known, so "Try again", a reload or a restarted PC re-sends the
 * very same commit: the server credits it once however often. Only a refusal that settles the deposit as
 * never credited (commitNeverCredited) sends the cash back; any other leaves it open, with the clerk
 * keeping the cash and calling support.
 */
function CommittingScreen({
  words,
  session,
  show,
  fail,
  pending,
  resumed,
}: ScreenProps & { pending: PendingCommit; resumed: boolean }) {
  const storeId = session.store.id;
  const [attempt, setAttempt] = useState(1);
  const [lastFailure, setLastFailure] = useState<ApiFailure | null>(null);
  useEffect(() => {
    let cancelled = false;
    savePendingCommit(storeId, pending);
    setLastFailure(null);
    void callApi(tillApiPaths.commit(pending.authorizationId), AuthorizationSchema, {
      body: {},
      token: session.token,
    }).then((result) => {
      if (cancelled) return;
      if (result.ok) {
        savePendingCommit(storeId, null);
        return show({ name: 'done', authorization: result.value });
      }
      // Signed out: the pending commit stays stored and is re-sent once a clerk signs in again.
      if (isSignedOut(result.code)) return fail(result);
      if (commitNeverCredited.includes(result.code)) {
        savePendingCommit(storeId, null);
        return show({ name: 'failed', failure: result });
      }
      // Unanswered, or refused in a way that does not say the money stayed out of the wallet: kept.
      setLastFailure(result);
    });
    return () => {
      cancelled = true;
    };
  }, [attempt]);
  const amount = words.money(pending.amountMinor, pending.currency);
  const resumedNotice = resumed && <Banner tone="notice" text={words.t('committing.resumed')} />;
  if (lastFailure === null) {
    return (
      <StepScreen step="check" title={words.t('committing.title')} screen="committing" words={words}>
        {resumedNotice}
        <MoneyDisplay label={words.t('check.amount')} text={amount} />
      </StepScreen>
    );
  }
  const retry = (
    <Button kind="primary" onClick={() => setAttempt((n) => n + 1)}>
      {words.t('committing.retry')}
    </Button>
  );
  if (isRetryable(lastFailure.code)) {
    return (
      <StepScreen
        step="check"
        title={words.t('committing.retryTitle')}
        screen="committing-retry"
        words={words}
      >
        {resumedNotice}
        <Banner tone="error" text={words.error(lastFailure.code, lastFailure.details)} />
        <p class="lead">{words.t('committing.retryBody')}</p>
        <MoneyDisplay label={words.t('check.amount')} text={amount} />
        {retry}
      </StepScreen>
    );
  }
  const settled = (): void => {
    savePendingCommit(storeId, null);
    show({ name: 'scan' });
  };
  return (
    <StepScreen
      step="check"
      title={words.t('committing.unresolvedTitle')}
      screen="committing-unresolved"
      words={words}
    >
      <Banner tone="error" text={words.error(lastFailure.code, lastFailure.details)} />
      <p class="instruction">{words.t('committing.unresolvedBody')}</p>
      <p class="reference" data-testid="pending-reference">
        {words.t('committing.reference', {
          reference: pending.authorizationId,
          code: pending.codeMasked,
          amount,
        })}
      </p>
      <div class="actions">
        <Button onClick={settled}>{words.t('committing.settled')}</Button>
        {retry}
      </div>
    </StepScreen>
  );
}

function FailedScreen({ words, show, failure }: ScreenProps & { failure: ApiFailure }) {
  return (
    <StepScreen step="check" title={words.t('failed.title')} screen="failed" words={words}>
      <Banner tone="error" text={words.error(failure.code, failure.details)} />
      <p class="instruction">{words.t('failed.body')}</p>
      <Button kind="primary" onClick={() => show({ name: 'scan' })}>
        {words.t('failed.next')}
      </Button>
    </StepScreen>
  );
}

function DoneScreen({ words, show, authorization }: ScreenProps & { authorization: Authorization }) {
  const a = authorization;
  const amount = words.money(a.amountMinor, a.currency);
  // Money in suspense is not in the wallet: the clerk says so, the receipt carries the claim code, and
  // there is nothing to void (the server would refuse it).
  const inSuspense = a.creditedTo === 'suspense';
  const voidable = !inSuspense && a.voidableUntilMs !== null && a.voidableUntilMs > Date.now();
  const time = (ms: number): string =>
    new Date(ms).toLocaleTimeString(words.locale, { hour: 'numeric', minute: '2-digit' });
  return (
    <StepScreen
      step="done"
      title={words.t(inSuspense ? 'done.suspenseTitle' : 'done.title')}
      screen={inSuspense ? 'done-suspense' : 'done'}
      words={words}
    >
      <p class="instruction" role="status">
        {words.t(inSuspense ? 'done.suspenseBody' : 'done.body', { amount })}
      </p>
      {inSuspense && a.claimCode !== null && (
        <MoneyDisplay
          label={words.t('done.claimCode')}
          text={formatClaimCode(a.claimCode)}
          testId="claim-code"
        />
      )}
      <Receipt authorization={a} words={words} />
      <ReceiptActions words={words} onNext={() => show({ name: 'scan' })} />
      {voidable && a.voidableUntilMs !== null && (
        <div class="void-offer">
          <Button kind="danger" onClick={() => show({ name: 'void', authorization: a })}>
            {words.t('done.void')}
          </Button>
          <p class="muted">{words.t('done.voidUntil', { time: time(a.voidableUntilMs) })}</p>
        </div>
      )}
    </StepScreen>
  );
}

const voidReasons = [
  'void.reasonWrongAmount',
  'void.reasonWrongCode',
  'void.reasonChangedMind',
  'void.reasonOther',
] as const;

function VoidScreen({
  words,
  session,
  show,
  fail,
  authorization,
}: ScreenProps & { authorization: Authorization }) {
  const [choice, setChoice] = useState<(typeof voidReasons)[number] | null>(null);
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const reason = choice === null ? '' : choice === 'void.reasonOther' ? text.trim() : words.t(choice);
  const submit = async (): Promise<void> => {
    setTouched(true);
    if (reason === '') return;
    setBusy(true);
    const result = await callApi(tillApiPaths.void(authorization.authorizationId), AuthorizationSchema, {
      body: { reason: reason.slice(0, 200) },
      token: session.token,
    });
    setBusy(false);
    if (result.ok) show({ name: 'voided', authorization: result.value });
    else fail(result);
  };
  return (
    <StepScreen step="done" title={words.t('void.title')} screen="void" words={words}>
      <p class="lead">
        {words.t('void.body', { amount: words.money(authorization.amountMinor, authorization.currency) })}
      </p>
      <Form onSubmit={() => void submit()}>
        <fieldset class="choices">
          <legend>{words.t('void.reason')}</legend>
          {voidReasons.map((key) => (
            <label key={key} class="choice">
              <input type="radio" name="reason" checked={choice === key} onChange={() => setChoice(key)} />
              <span>{words.t(key)}</span>
            </label>
          ))}
        </fieldset>
        {choice === 'void.reasonOther' && (
          <Field
            id="reason-text"
            label={words.t('void.reasonText')}
            maxLength={200}
            value={text}
            onInput={setText}
          />
        )}
        {touched && reason === '' && (
          <p class="field-status field-status-bad" role="alert">
            {words.t('void.reasonMissing')}
          </p>
        )}
        <div class="actions">
          <Button onClick={() => show({ name: 'done', authorization })}>{words.t('void.back')}</Button>
          <Button kind="danger" type="submit" busy={busy}>
            {words.t('void.submit')}
          </Button>
        </div>
      </Form>
    </StepScreen>
  );
}

function VoidedScreen({ words, show, authorization }: ScreenProps & { authorization: Authorization }) {
  return (
    <StepScreen step="done" title={words.t('voided.title')} screen="voided" words={words}>
      <p class="instruction" role="status">
        {words.t('voided.body', { amount: words.money(authorization.amountMinor, authorization.currency) })}
      </p>
      <Receipt authorization={authorization} words={words} />
      <ReceiptActions words={words} onNext={() => show({ name: 'scan' })} />
    </StepScreen>
  );
}

function ShiftScreen({ words, session, show, fail }: ScreenProps) {
  const [summary, setSummary] = useState<ShiftSummary | null>(null);
  // A shift is a day at most: the time of day is enough, and keeps the table narrow on a phone.
  const clockTime = (ms: number): string =>
    new Date(ms).toLocaleTimeString(words.locale, { hour: 'numeric', minute: '2-digit' });
  useEffect(() => {
    void callApi(tillApiPaths.shift, ShiftSummarySchema, { token: session.token }).then((result) => {
      if (result.ok) setSummary(result.value);
      else fail(result);
    });
  }, []);
  return (
    <section class="screen">
      <ScreenHeading text={words.t('shift.title')} screen="shift" />
      {summary === null ? (
        <p aria-busy="true">{words.t('loading')}</p>
      ) : (
        <>
          <p class="muted">{words.t('shift.since', { time: words.dateTime(summary.sinceMs) })}</p>
          <div class="panel">
            <MoneyDisplay
              label={words.t('shift.handOver')}
              text={words.money(summary.cashToHandOverMinor, summary.store.currency)}
              testId="hand-over"
            />
            <p data-testid="shift-deposits">
              {words.t('shift.deposits', { count: summary.deposits.count })}:{' '}
              {words.money(summary.deposits.totalMinor, summary.store.currency)}
            </p>
            <p data-testid="shift-voids">
              {words.t('shift.voids', { count: summary.voids.count })}:{' '}
              {words.money(summary.voids.totalMinor, summary.store.currency)}
            </p>
            {summary.otherVoids.count > 0 && (
              <p data-testid="shift-other-voids">
                {words.t('shift.otherVoids', { count: summary.otherVoids.count })}:{' '}
                {words.money(summary.otherVoids.totalMinor, summary.store.currency)}
              </p>
            )}
          </div>
          <h2>{words.t('shift.recent')}</h2>
          {summary.recent.length === 0 ? (
            <p class="muted">{words.t('shift.none')}</p>
          ) : (
            <TableScroll label={words.t('shift.recent')}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{words.t('table.time')}</th>
                    <th scope="col">{words.t('table.customer')}</th>
                    <th scope="col" class="number">
                      {words.t('table.amount')}
                    </th>
                    <th scope="col">{words.t('table.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.recent.map((a) => (
                    <tr key={a.authorizationId}>
                      <td>{clockTime(a.committedAtMs ?? a.createdAtMs)}</td>
                      <td>{a.maskedName}</td>
                      <td class="number">{words.money(a.amountMinor, a.currency)}</td>
                      <td>{words.t(shiftStatusKey(a))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </>
      )}
      <Button kind="primary" onClick={() => show({ name: 'scan' })}>
        {words.t('shift.back')}
      </Button>
    </section>
  );
}
