import type { CurrencyCode, ErrorCode, Language } from '@cashin/shared';
import {
  AlertListSchema,
  ClerkSchema,
  CodeLookupResponseSchema,
  CollectionSchema,
  EnrollmentTokenSchema,
  OpsStoreSchema,
  ReversalResponseSchema,
  SettlementSchema,
  StoreListSchema,
  SuspenseListSchema,
  TerminalListSchema,
  currencyCodes,
  isUuidV7,
  parseCode,
  parseMajorAmount,
  uuidv7,
} from '@cashin/shared';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import type { ApiResult } from '../common/api.js';
import { callApi, callApiText, isSignedOut } from '../common/api.js';
import {
  Banner,
  Button,
  Field,
  Form,
  LanguageSwitch,
  MoneyDisplay,
  ScreenHeading,
  TableScroll,
} from '../common/components.js';
import type { Words } from '../common/i18n.js';
import { initialLanguage, safeStorage, wordsFor } from '../common/i18n.js';
import { useRoute } from '../common/navigation.js';
import type { Bar } from './chart.js';
import { BarChart } from './chart.js';
import { downloadText } from './download.js';
import type { OpsMessageKey } from './messages.js';
import { opsMessages } from './messages.js';
import { opsPaths } from './ops-paths.js';

type OpsWords = Words<OpsMessageKey>;
type Failure = { code: ErrorCode; details: Readonly<Record<string, unknown>> };

interface OpsContext {
  words: OpsWords;
  token: string;
  fail: (failure: Failure) => void;
  notify: (text: string) => void;
  /** Each new attempt starts without the last one's message. */
  clear: () => void;
}

const sections = [
  'fleet',
  'alerts',
  'stores',
  'enroll',
  'collections',
  'settlements',
  'reversals',
  'lookup',
  'suspense',
] as const;
type Section = (typeof sections)[number];
const tokenKey = 'cashin.ops.token';
const languageKey = 'cashin.ops.language';
/** Days the deposits chart covers: one settlement request per day, so it stays small. */
export const chartDaysMax = 14;

export function App() {
  const [language, setLanguage] = useState<Language>(() => initialLanguage(languageKey));
  const [token, setToken] = useState<string | null>(
    () => safeStorage(sessionStorage)?.getItem(tokenKey) ?? null,
  );
  const [banner, setBanner] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [route, go] = useRoute('/ops/');
  const section: Section = (sections as readonly string[]).includes(route) ? (route as Section) : 'fleet';
  const words = wordsFor(opsMessages, language, 'USD');

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = words.t('app.title');
  }, [language]);

  const signOut = (): void => {
    safeStorage(sessionStorage)?.removeItem(tokenKey);
    setToken(null);
  };
  const context: OpsContext | null = token
    ? {
        words,
        token,
        fail: (failure) => {
          if (isSignedOut(failure.code) || failure.code === 'FORBIDDEN') signOut();
          setBanner({ tone: 'error', text: words.error(failure.code, failure.details) });
        },
        notify: (text) => setBanner({ tone: 'success', text }),
        clear: () => setBanner(null),
      }
    : null;

  return (
    <div class="app app-wide ops">
      <header class="topbar">
        <p class="brand">{words.t('app.title')}</p>
        <div class="topbar-actions">
          {token && (
            <Button kind="link" onClick={signOut}>
              {words.t('nav.signOut')}
            </Button>
          )}
          <LanguageSwitch
            current={language}
            label={words.t('language.label')}
            options={[
              { value: 'en', label: 'English', lang: 'en' },
              { value: 'es', label: 'Español', lang: 'es' },
            ]}
            onChange={(next) => {
              setLanguage(next);
              safeStorage(localStorage)?.setItem(languageKey, next);
            }}
          />
        </div>
      </header>
      {context && (
        <nav aria-label={words.t('nav.label')} class="ops-nav">
          {sections.map((name) => (
            <a
              key={name}
              href={`/ops/${name}`}
              aria-current={name === section ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                setBanner(null);
                go(name);
              }}
            >
              {words.t(`nav.${name}`)}
            </a>
          ))}
        </nav>
      )}
      <main class="main" data-section={context ? section : 'signIn'}>
        {banner && <Banner tone={banner.tone} text={banner.text} />}
        {context ? (
          <Section name={section} context={context} />
        ) : (
          <SignIn
            words={words}
            onToken={(value) => {
              safeStorage(sessionStorage)?.setItem(tokenKey, value);
              setBanner(null);
              setToken(value);
            }}
          />
        )}
      </main>
    </div>
  );
}

function Section({ name, context }: { name: Section; context: OpsContext }) {
  switch (name) {
    case 'fleet':
      return <FleetSection {...context} />;
    case 'alerts':
      return <AlertsSection {...context} />;
    case 'stores':
      return <StoresSection {...context} />;
    case 'enroll':
      return <EnrollSection {...context} />;
    case 'collections':
      return <CollectionsSection {...context} />;
    case 'settlements':
      return <SettlementsSection {...context} />;
    case 'reversals':
      return <ReversalsSection {...context} />;
    case 'lookup':
      return <LookupSection {...context} />;
    case 'suspense':
      return <SuspenseSection {...context} />;
  }
}

function SignIn({ words, onToken }: { words: OpsWords; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <section class="screen screen-narrow">
      <ScreenHeading text={words.t('signIn.title')} screen="signIn" />
      <Form onSubmit={() => value.trim() && onToken(value.trim())}>
        <Field
          id="token"
          type="password"
          label={words.t('signIn.token')}
          hint={words.t('signIn.tokenHint')}
          value={value}
          onInput={setValue}
          required
        />
        <Button kind="primary" type="submit" disabled={!value.trim()}>
          {words.t('signIn.submit')}
        </Button>
      </Form>
    </section>
  );
}

/** Loads a list once (and again on Refresh); failures go to the shared banner. */
function useList<T>(context: OpsContext, load: () => Promise<ApiResult<T>>): [T | null, () => void] {
  const [value, setValue] = useState<T | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void load().then((result) => {
      if (cancelled) return;
      if (result.ok) setValue(result.value);
      else context.fail(result);
    });
    return () => {
      cancelled = true;
    };
  }, [generation]);
  return [value, () => setGeneration((n) => n + 1)];
}

function ListSection({
  title,
  screen,
  words,
  onRefresh,
  children,
}: {
  title: string;
  screen: string;
  words: OpsWords;
  onRefresh?: () => void;
  children: ComponentChildren;
}) {
  return (
    <section class="screen">
      <div class="section-head">
        <ScreenHeading text={title} screen={screen} />
        {onRefresh && <Button onClick={onRefresh}>{words.t('refresh')}</Button>}
      </div>
      {children}
    </section>
  );
}

const terminalTone: Record<string, string> = {
  online: 'status-good',
  offline: 'status-bad',
  stuck: 'status-warn',
  faulted: 'status-bad',
  disabled: 'status-neutral',
  notEnrolled: 'status-neutral',
};

function FleetSection(context: OpsContext) {
  const { words } = context;
  const [list, refresh] = useList(context, () =>
    callApi(opsPaths.terminals, TerminalListSchema, { token: context.token }),
  );
  // Terminals carry amounts without a currency: it is their store's.
  const [stores] = useList(context, () =>
    callApi(opsPaths.stores, StoreListSchema, { token: context.token }),
  );
  const storeById = new Map((stores?.stores ?? []).map((store) => [store.id, store]));
  const terminals = list?.terminals ?? null;
  return (
    <ListSection title={words.t('fleet.title')} screen="fleet" words={words} onRefresh={refresh}>
      {terminals === null ? (
        <p aria-busy="true">{words.t('loading')}</p>
      ) : terminals.length === 0 ? (
        <p class="muted">{words.t('none')}</p>
      ) : (
        <>
          <p>
            {words.t('fleet.summary', {
              online: terminals.filter((terminal) => terminal.status === 'online').length,
              total: terminals.length,
            })}
          </p>
          <TableScroll label={words.t('fleet.title')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('fleet.name')}</th>
                  <th scope="col">{words.t('fleet.store')}</th>
                  <th scope="col">{words.t('fleet.status')}</th>
                  <th scope="col">{words.t('fleet.heartbeat')}</th>
                  <th scope="col">{words.t('fleet.faults')}</th>
                  <th scope="col">{words.t('fleet.bag')}</th>
                  <th scope="col" class="number">
                    {words.t('fleet.queue')}
                  </th>
                  <th scope="col">{words.t('fleet.version')}</th>
                </tr>
              </thead>
              <tbody>
                {terminals.map((terminal) => {
                  const faults = terminal.devices.filter(
                    (device) => device.state === 'faulted' || device.faults.length > 0,
                  );
                  const store = storeById.get(terminal.storeId);
                  const currency = store?.currency;
                  return (
                    <tr key={terminal.id}>
                      <th scope="row">{terminal.name}</th>
                      <td>{store ? `${store.name} (${store.id})` : terminal.storeId}</td>
                      <td>
                        <span class={`status ${terminalTone[terminal.status] ?? 'status-neutral'}`}>
                          {words.t(`terminal.${terminal.status}`)}
                        </span>
                      </td>
                      <td>
                        {terminal.lastHeartbeatAtMs === null
                          ? words.t('fleet.never')
                          : words.dateTime(terminal.lastHeartbeatAtMs)}
                      </td>
                      <td>
                        {faults.length === 0
                          ? words.t('fleet.noFaults')
                          : faults
                              .map(
                                (device) => `${device.device}: ${device.faults.join(', ') || device.state}`,
                              )
                              .join('; ')}
                      </td>
                      <td>
                        <meter
                          min={0}
                          max={1}
                          high={0.8}
                          value={terminal.bagFill}
                          aria-label={words.t('fleet.bag')}
                        />{' '}
                        {words.t('fleet.bagFill', {
                          percent: Math.round(terminal.bagFill * 100),
                          amount: currency ? words.money(terminal.bagTotalMinor, currency) : '—',
                        })}
                      </td>
                      <td class="number">{terminal.queueDepth}</td>
                      <td>{terminal.softwareVersion ?? '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
    </ListSection>
  );
}

function AlertsSection(context: OpsContext) {
  const { words } = context;
  const [list, refresh] = useList(context, () =>
    callApi(opsPaths.alerts, AlertListSchema, { token: context.token }),
  );
  const alerts = list?.alerts ?? null;
  return (
    <ListSection title={words.t('alerts.title')} screen="alerts" words={words} onRefresh={refresh}>
      {alerts === null ? (
        <p aria-busy="true">{words.t('loading')}</p>
      ) : alerts.length === 0 ? (
        <p class="muted">{words.t('none')}</p>
      ) : (
        <TableScroll label={words.t('alerts.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{words.t('alerts.kind')}</th>
                <th scope="col">{words.t('alerts.raised')}</th>
                <th scope="col">{words.t('alerts.where')}</th>
                <th scope="col">{words.t('alerts.detail')}</th>
                <th scope="col">{words.t('alerts.state')}</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((alert) => (
                <tr key={alert.id}>
                  <th scope="row">{words.t(`alert.${alert.kind}`)}</th>
                  <td>{words.dateTime(alert.raisedAtMs)}</td>
                  <td>{[alert.storeId, alert.terminalId].filter(Boolean).join(' / ')}</td>
                  <td>{alert.detail}</td>
                  <td>
                    {alert.resolvedAtMs === null ? (
                      <span class="status status-bad">{words.t('alerts.open')}</span>
                    ) : (
                      words.t('alerts.resolved', { time: words.dateTime(alert.resolvedAtMs) })
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </ListSection>
  );
}

function CurrencySelect({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: CurrencyCode;
  onChange: (value: CurrencyCode) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.currentTarget.value as CurrencyCode)}>
        {currencyCodes.map((code) => (
          <option key={code} value={code}>
            {code}
          </option>
        ))}
      </select>
    </div>
  );
}

function StoresSection(context: OpsContext) {
  const { words, token } = context;
  const [list, refresh] = useList(context, () => callApi(opsPaths.stores, StoreListSchema, { token }));
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState<CurrencyCode>('USD');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [clerkStore, setClerkStore] = useState('');
  const [clerkName, setClerkName] = useState('');
  const [pin, setPin] = useState('');
  const createStore = async (): Promise<void> => {
    context.clear();
    const result = await callApi(opsPaths.stores, OpsStoreSchema, {
      body: { name: name.trim(), currency, timeZone: timeZone.trim() },
      token,
    });
    if (!result.ok) return context.fail(result);
    context.notify(words.t('stores.created', { name: result.value.name, id: result.value.id }));
    setName('');
    refresh();
  };
  const createClerk = async (): Promise<void> => {
    context.clear();
    const result = await callApi(opsPaths.clerks(clerkStore.trim()), ClerkSchema, {
      body: { name: clerkName.trim(), pin },
      token,
    });
    setPin('');
    if (!result.ok) return context.fail(result);
    context.notify(words.t('clerks.created', { name: result.value.name, id: result.value.id }));
    setClerkName('');
  };
  return (
    <ListSection title={words.t('stores.title')} screen="stores" words={words} onRefresh={refresh}>
      {list !== null && list.stores.length > 0 && (
        <TableScroll label={words.t('stores.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{words.t('stores.id')}</th>
                <th scope="col">{words.t('stores.name')}</th>
                <th scope="col">{words.t('stores.currency')}</th>
                <th scope="col">{words.t('stores.timeZone')}</th>
              </tr>
            </thead>
            <tbody>
              {list.stores.map((store) => (
                <tr key={store.id}>
                  <th scope="row">{store.id}</th>
                  <td>{store.name}</td>
                  <td>{store.currency}</td>
                  <td>{store.timeZone}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <div class="columns">
        <div class="panel">
          <h2>{words.t('stores.new')}</h2>
          <Form onSubmit={() => void createStore()} label={words.t('stores.new')}>
            <Field
              id="store-name"
              label={words.t('stores.name')}
              value={name}
              onInput={setName}
              maxLength={80}
              required
            />
            <CurrencySelect
              id="store-currency"
              label={words.t('stores.currency')}
              value={currency}
              onChange={setCurrency}
            />
            <Field
              id="store-zone"
              label={words.t('stores.timeZone')}
              hint={words.t('stores.timeZoneHint')}
              value={timeZone}
              onInput={setTimeZone}
              required
            />
            <Button kind="primary" type="submit" disabled={!name.trim()}>
              {words.t('stores.create')}
            </Button>
          </Form>
        </div>
        <div class="panel">
          <h2>{words.t('clerks.title')}</h2>
          <Form onSubmit={() => void createClerk()} label={words.t('clerks.title')}>
            <Field
              id="clerk-store"
              label={words.t('clerks.store')}
              value={clerkStore}
              onInput={setClerkStore}
              required
            />
            <Field
              id="clerk-name"
              label={words.t('clerks.name')}
              value={clerkName}
              onInput={setClerkName}
              maxLength={80}
              required
            />
            <Field
              id="clerk-pin"
              type="password"
              inputMode="numeric"
              label={words.t('clerks.pin')}
              value={pin}
              maxLength={8}
              onInput={(value) => setPin(value.replace(/\D/g, ''))}
              required
            />
            <Button
              kind="primary"
              type="submit"
              disabled={!clerkStore.trim() || !clerkName.trim() || pin.length < 4}
            >
              {words.t('clerks.create')}
            </Button>
          </Form>
        </div>
      </div>
    </ListSection>
  );
}

function EnrollSection(context: OpsContext) {
  const { words, token } = context;
  const [storeId, setStoreId] = useState('');
  const [name, setName] = useState('');
  const [enrollment, setEnrollment] = useState<z.output<typeof EnrollmentTokenSchema> | null>(null);
  const create = async (): Promise<void> => {
    context.clear();
    const result = await callApi(opsPaths.terminals, EnrollmentTokenSchema, {
      body: { storeId: storeId.trim(), name: name.trim() },
      token,
    });
    if (result.ok) setEnrollment(result.value);
    else context.fail(result);
  };
  return (
    <ListSection title={words.t('enroll.title')} screen="enroll" words={words}>
      <Form onSubmit={() => void create()}>
        <Field
          id="enroll-store"
          label={words.t('enroll.store')}
          value={storeId}
          onInput={setStoreId}
          required
        />
        <Field
          id="enroll-name"
          label={words.t('enroll.name')}
          value={name}
          onInput={setName}
          maxLength={80}
          required
        />
        <Button kind="primary" type="submit" disabled={!storeId.trim() || !name.trim()}>
          {words.t('enroll.create')}
        </Button>
      </Form>
      {enrollment && (
        <div class="panel enrollment">
          <h2>{words.t('enroll.token')}</h2>
          <p class="token-text" data-testid="enrollment-token">
            {enrollment.token}
          </p>
          <p>{words.t('enroll.tokenHint', { time: words.dateTime(enrollment.expiresAtMs) })}</p>
          {/* The server's SVG shown as an image (a data: URL), never as markup inserted into the page. */}
          <img
            class="enrollment-qr"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrollment.qrSvg)}`}
            alt={words.t('enroll.qrAlt')}
          />
        </div>
      )}
    </ListSection>
  );
}

function CollectionsSection(context: OpsContext) {
  const { words, token } = context;
  const [terminalId, setTerminalId] = useState('');
  const [counted, setCounted] = useState('');
  const [currency, setCurrency] = useState<CurrencyCode>('USD');
  const [bagLabel, setBagLabel] = useState('');
  const [touched, setTouched] = useState(false);
  const [collection, setCollection] = useState<z.output<typeof CollectionSchema> | null>(null);
  // Chosen once per bag and kept until it is answered, so a retry records the collection once.
  const collectionId = useRef(uuidv7());
  const amount = parseMajorAmount(counted, currency);
  const submit = async (): Promise<void> => {
    context.clear();
    setTouched(true);
    if (!amount.ok || !terminalId.trim()) return;
    const result = await callApi(opsPaths.collections, CollectionSchema, {
      body: {
        collectionId: collectionId.current,
        terminalId: terminalId.trim(),
        countedMinor: amount.amountMinor,
        currency,
        ...(bagLabel.trim() ? { bagLabel: bagLabel.trim() } : {}),
      },
      token,
    });
    if (!result.ok) return context.fail(result);
    setCollection(result.value);
    collectionId.current = uuidv7();
  };
  return (
    <ListSection title={words.t('collections.title')} screen="collections" words={words}>
      <Form onSubmit={() => void submit()}>
        <Field
          id="collection-terminal"
          label={words.t('collections.terminal')}
          value={terminalId}
          onInput={setTerminalId}
          required
        />
        <CurrencySelect
          id="collection-currency"
          label={words.t('collections.currency')}
          value={currency}
          onChange={setCurrency}
        />
        <Field
          id="collection-counted"
          label={words.t('collections.counted')}
          inputMode="decimal"
          value={counted}
          onInput={setCounted}
          status={touched && !amount.ok ? { text: words.t('collections.invalid'), tone: 'bad' } : undefined}
          required
        />
        <Field
          id="collection-bag"
          label={words.t('collections.bag')}
          value={bagLabel}
          onInput={setBagLabel}
          maxLength={40}
        />
        <Button kind="primary" type="submit">
          {words.t('collections.submit')}
        </Button>
      </Form>
      {collection && (
        <div class="panel" role="status">
          <MoneyDisplay
            size="medium"
            label={words.t('collections.expected')}
            text={words.money(collection.expectedMinor, collection.currency)}
            testId="collection-expected"
          />
          <MoneyDisplay
            size="medium"
            label={words.t('collections.countedResult')}
            text={words.money(collection.countedMinor, collection.currency)}
            testId="collection-counted"
          />
          {collection.overShortMinor === 0 ? (
            <p class="status status-good">{words.t('collections.balanced')}</p>
          ) : (
            <MoneyDisplay
              size="medium"
              testId="collection-over-short"
              label={words.t(collection.overShortMinor > 0 ? 'collections.over' : 'collections.short')}
              text={words.money(Math.abs(collection.overShortMinor), collection.currency)}
            />
          )}
        </div>
      )}
    </ListSection>
  );
}

type Settlement = z.output<typeof SettlementSchema>;

/** The store's business day N days before `date` (YYYY-MM-DD), by calendar arithmetic in UTC. */
function dayBefore(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`) - days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

function SettlementsSection(context: OpsContext) {
  const { words, token } = context;
  const [storeId, setStoreId] = useState('');
  const [date, setDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [days, setDays] = useState<Settlement[] | null>(null);
  const show = async (): Promise<void> => {
    context.clear();
    // The chosen day and the days before it, for the chart; oldest first.
    const dates = Array.from({ length: chartDaysMax }, (_, index) =>
      dayBefore(date, chartDaysMax - 1 - index),
    );
    const results = await Promise.all(
      dates.map((day) => callApi(opsPaths.settlement(storeId.trim(), day), SettlementSchema, { token })),
    );
    const failed = results.find((result) => !result.ok);
    if (failed && !failed.ok) return context.fail(failed);
    setDays(results.flatMap((result) => (result.ok ? [result.value] : [])));
  };
  const [downloading, setDownloading] = useState(false);
  // The server's own CSV of the report on screen, so the file and the ledger cannot disagree.
  const downloadCsv = async (shown: Settlement): Promise<void> => {
    context.clear();
    setDownloading(true);
    const result = await callApiText(opsPaths.settlementCsv(shown.storeId, shown.date), 'text/csv', {
      token,
    });
    setDownloading(false);
    if (!result.ok) return context.fail(result);
    downloadText(`settlement-${shown.storeId}-${shown.date}.csv`, result.value);
  };
  const report = days?.at(-1) ?? null;
  const money = (minor: number): string => (report ? words.money(minor, report.currency) : '');
  const bars: Bar[] = (days ?? []).map((day) => {
    const total = day.tillDeposits.totalMinor - day.tillVoids.totalMinor + day.kioskDeposits.totalMinor;
    return { label: day.date.slice(5), value: total, valueText: words.money(total, day.currency) };
  });
  return (
    <ListSection title={words.t('settlements.title')} screen="settlements" words={words}>
      <Form onSubmit={() => void show()}>
        <div class="columns">
          <Field
            id="settlement-store"
            label={words.t('settlements.store')}
            value={storeId}
            onInput={setStoreId}
            required
          />
          <div class="field">
            <label for="settlement-date">{words.t('settlements.date')}</label>
            <input
              id="settlement-date"
              type="date"
              value={date}
              onInput={(event) => setDate(event.currentTarget.value)}
              required
            />
          </div>
        </div>
        <Button kind="primary" type="submit" disabled={!storeId.trim() || !/^\d{4}-\d{2}-\d{2}$/.test(date)}>
          {words.t('settlements.show')}
        </Button>
      </Form>
      {report && (
        <>
          <TableScroll label={words.t('settlements.title')}>
            <table>
              <caption>
                {report.storeName} · {report.date} · {report.timeZone}
              </caption>
              <thead>
                <tr>
                  <th scope="col" />
                  <th scope="col" class="number">
                    {words.t('settlements.count')}
                  </th>
                  <th scope="col" class="number">
                    {words.t('settlements.total')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {(
                  [
                    ['settlements.tillDeposits', report.tillDeposits],
                    ['settlements.tillVoids', report.tillVoids],
                    ['settlements.kioskDeposits', report.kioskDeposits],
                  ] as const
                ).map(([key, line]) => (
                  <tr key={key}>
                    <th scope="row">{words.t(key)}</th>
                    <td class="number">{line.count}</td>
                    <td class="number">{money(line.totalMinor)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{words.t('settlements.owed')}</th>
                  <td />
                  <td class="number" data-testid="settlement-owed">
                    <strong>{money(report.owedMinor)}</strong>
                  </td>
                </tr>
              </tbody>
            </table>
          </TableScroll>
          <Button onClick={() => void downloadCsv(report)} busy={downloading}>
            {words.t('settlements.csv')}
          </Button>
          <BarChart
            bars={bars}
            title={words.t('settlements.chart', { days: bars.length })}
            summary={words.t('settlements.chartSummary', {
              from: days?.[0]?.date ?? '',
              to: report.date,
              max: words.money(Math.max(0, ...bars.map((bar) => bar.value)), report.currency),
            })}
          />
        </>
      )}
    </ListSection>
  );
}

function ReversalsSection(context: OpsContext) {
  const { words, token } = context;
  const [depositId, setDepositId] = useState('');
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  // One reversal id per deposit, chosen before sending: a retry after a lost answer reverses once.
  const reversalIds = useRef(new Map<string, string>());
  const valid = isUuidV7(depositId.trim()) && reason.trim().length > 0;
  const submit = async (): Promise<void> => {
    context.clear();
    setTouched(true);
    if (!valid) return;
    const deposit = depositId.trim();
    const id = reversalIds.current.get(deposit) ?? uuidv7();
    reversalIds.current.set(deposit, id);
    setBusy(true);
    const result = await callApi(opsPaths.reversals, ReversalResponseSchema, {
      body: { id, depositId: deposit, reason: reason.trim() },
      token,
    });
    setBusy(false);
    if (!result.ok) return context.fail(result);
    context.notify(
      words.t('reversals.done', {
        amount: words.money(result.value.amountMinor, result.value.currency),
        deposit: result.value.depositId,
        result: result.value.result,
      }),
    );
    setDepositId('');
    setReason('');
    setTouched(false);
  };
  return (
    <ListSection title={words.t('reversals.title')} screen="reversals" words={words}>
      <Form onSubmit={() => void submit()}>
        <Field
          id="reversal-deposit"
          label={words.t('reversals.deposit')}
          value={depositId}
          onInput={setDepositId}
          required
        />
        <Field
          id="reversal-reason"
          label={words.t('reversals.reason')}
          value={reason}
          onInput={setReason}
          maxLength={200}
          required
        />
        {touched && !valid && (
          <p class="field-status field-status-bad" role="alert">
            {words.t('reversals.invalid')}
          </p>
        )}
        <Button kind="danger" type="submit" busy={busy}>
          {words.t('reversals.submit')}
        </Button>
      </Form>
    </ListSection>
  );
}

function LookupSection(context: OpsContext) {
  const { words, token } = context;
  const [typed, setTyped] = useState('');
  const [found, setFound] = useState<z.output<typeof CodeLookupResponseSchema> | null>(null);
  const submit = async (): Promise<void> => {
    context.clear();
    const parsed = parseCode(typed, ['deposit', 'slip']);
    if (!parsed.ok) return context.fail({ code: 'CODE_MALFORMED', details: {} });
    const result = await callApi(opsPaths.codeLookups, CodeLookupResponseSchema, {
      body: { code: parsed.code },
      token,
    });
    if (result.ok) setFound(result.value);
    else {
      setFound(null);
      context.fail(result);
    }
  };
  return (
    <ListSection title={words.t('lookup.title')} screen="lookup" words={words}>
      <Form onSubmit={() => void submit()}>
        <Field
          id="lookup-code"
          label={words.t('lookup.code')}
          inputMode="numeric"
          value={typed}
          onInput={setTyped}
          required
        />
        <Button kind="primary" type="submit" disabled={!typed.trim()}>
          {words.t('lookup.submit')}
        </Button>
      </Form>
      {found && (
        <dl class="panel facts" data-testid="lookup-result">
          <dt>{words.t('lookup.name')}</dt>
          <dd>{found.maskedName}</dd>
          <dt>{words.t('lookup.remaining')}</dt>
          <dd>{words.money(found.allowance.remainingMinor, found.currency)}</dd>
          <dt>{words.t('lookup.remainingDeposits')}</dt>
          <dd>{found.allowance.remainingDeposits}</dd>
          <dt>{words.t('lookup.range')}</dt>
          <dd>
            {words.money(found.depositMinMinor, found.currency)} –{' '}
            {words.money(found.depositMaxMinor, found.currency)}
          </dd>
          {found.slipAmountMinor !== null && (
            <>
              <dt>{words.t('lookup.slip')}</dt>
              <dd>{words.money(found.slipAmountMinor, found.currency)}</dd>
            </>
          )}
        </dl>
      )}
    </ListSection>
  );
}

function SuspenseSection(context: OpsContext) {
  const { words } = context;
  const [list, refresh] = useList(context, () =>
    callApi(opsPaths.suspense, SuspenseListSchema, { token: context.token }),
  );
  const entries = list?.entries ?? null;
  return (
    <ListSection title={words.t('suspense.title')} screen="suspense" words={words} onRefresh={refresh}>
      {entries === null ? (
        <p aria-busy="true">{words.t('loading')}</p>
      ) : entries.length === 0 ? (
        <p class="muted">{words.t('none')}</p>
      ) : (
        <TableScroll label={words.t('suspense.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{words.t('suspense.created')}</th>
                <th scope="col" class="number">
                  {words.t('suspense.amount')}
                </th>
                <th scope="col">{words.t('suspense.reason')}</th>
                <th scope="col">{words.t('suspense.claim')}</th>
                <th scope="col">{words.t('suspense.status')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{words.dateTime(entry.createdAtMs)}</td>
                  <td class="number">{words.money(entry.amountMinor, entry.currency)}</td>
                  <td>{words.t(`suspense.${entry.reason}`)}</td>
                  <td>{entry.claimCodeMasked ?? '—'}</td>
                  <td>{words.t(`suspense.${entry.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </ListSection>
  );
}
