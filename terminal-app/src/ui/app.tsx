import type { KioskIntent, KioskSnapshot, MaintenanceRequest, MaintenanceState } from '@cashin/shared';
import { bridgePath, formatMoney, localeFor } from '@cashin/shared';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { connectBridge } from '../bridge/client.js';
import type { BridgeClient } from '../bridge/client.js';
import { Banner } from './components/banner.js';
import type { ScreenProps } from './context.js';
import { noticeKey } from './kiosk-text.js';
import { screenProps } from './context.js';
import { AttractScreen } from './screens/attract.js';
import { ConfirmScreen } from './screens/confirm.js';
import { DoneScreen } from './screens/done.js';
import { IdentifyScreen } from './screens/identify.js';
import { InsertMoneyScreen } from './screens/insert-money.js';
import { UnavailableScreen } from './screens/unavailable.js';
import { WaitingScreen } from './screens/waiting.js';
import { MaintenanceDashboard } from './screens/maintenance-dashboard.js';
import { MaintenancePinScreen } from './screens/maintenance-pin.js';
import type { MaintenanceProps } from './screens/maintenance-props.js';

/** How long a tech holds the attract heading to open maintenance mode. */
export const maintenanceHoldMs = 3_000;

function Screen(props: ScreenProps) {
  switch (props.snapshot.screen) {
    case 'attract':
      return <AttractScreen {...props} />;
    case 'identify':
      return <IdentifyScreen {...props} />;
    case 'lookingUp':
    case 'finishing':
      return <WaitingScreen {...props} />;
    case 'confirm':
      return <ConfirmScreen {...props} />;
    case 'insertMoney':
      return <InsertMoneyScreen {...props} />;
    case 'done':
      return <DoneScreen {...props} />;
    case 'outOfService':
    case 'offlineCapped':
      return <UnavailableScreen {...props} />;
  }
}

/**
 * The kiosk UI holds no deposit state: it shows the agent's latest snapshot and sends intents. If the
 * window reloads or the agent restarts, the next snapshot puts the screen back exactly where the deposit is.
 */
export function App({ token, startInMaintenance = false }: { token: string; startInMaintenance?: boolean }) {
  const [snapshot, setSnapshot] = useState<KioskSnapshot | null>(null);
  const [connected, setConnected] = useState(false);
  const [bridge, setBridge] = useState<BridgeClient | null>(null);
  const [maintenanceOpen, setMaintenanceOpen] = useState(startInMaintenance);
  const [maintenance, setMaintenance] = useState<MaintenanceState | null>(null);

  useEffect(() => {
    const client = connectBridge({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${bridgePath}`,
      token,
      onSnapshot: setSnapshot,
      onMaintenance: setMaintenance,
      onConnection: setConnected,
    });
    setBridge(client);
    return () => client.close();
  }, [token]);

  useEffect(() => {
    if (snapshot) document.documentElement.lang = snapshot.language;
  }, [snapshot?.language]);

  const send = useMemo(() => (intent: KioskIntent) => void bridge?.send(intent), [bridge]);
  const request = useMemo(() => (message: MaintenanceRequest) => void bridge?.maintenance(message), [bridge]);

  // A tech with a keyboard opens maintenance with Ctrl+Alt+M; on the touch screen, a long press (below).
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.ctrlKey && event.altKey && event.key.toLowerCase() === 'm') setMaintenanceOpen(true);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (maintenanceOpen && connected) request({ op: 'refresh' });
  }, [maintenanceOpen, connected, request]);
  if (!snapshot) {
    return (
      <main class="screen screen-waiting" aria-busy="true">
        <div class="spinner" aria-hidden="true" />
      </main>
    );
  }
  const props = screenProps(snapshot, send);
  if (maintenanceOpen) {
    const locale = localeFor(snapshot.language, snapshot.currency);
    const timeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' });
    const maintenanceProps: MaintenanceProps = {
      state: maintenance,
      t: props.t,
      errorText: (code) => props.errorText(code),
      money: (amountMinor, currency = snapshot.currency) => formatMoney(amountMinor, currency, locale),
      time: (epochMs) => timeFormat.format(epochMs),
      request,
      exit: () => {
        request({ op: 'lock' });
        setMaintenance(null);
        setMaintenanceOpen(false);
      },
    };
    return (
      <main class="kiosk maintenance" data-screen="maintenance">
        {maintenance?.unlocked ? (
          <MaintenanceDashboard {...maintenanceProps} />
        ) : (
          <MaintenancePinScreen {...maintenanceProps} />
        )}
      </main>
    );
  }
  const remaining = snapshot.remainingMinor === null ? undefined : props.money(snapshot.remainingMinor);
  const notice = noticeKey(snapshot);
  return (
    <main class={`kiosk ${connected ? '' : 'disconnected'}`} data-screen={snapshot.screen}>
      {!connected && <Banner tone="notice" text={props.t('connection.lost')} />}
      {snapshot.lastError && (
        <Banner tone="error" text={props.errorText(snapshot.lastError, remaining ? { remaining } : {})} />
      )}
      {notice && <Banner tone="notice" text={props.t(notice)} />}
      <div
        class="screen-host"
        onPointerDown={(event) => {
          if (snapshot.screen !== 'attract' || !(event.target instanceof HTMLHeadingElement)) return;
          const timer = setTimeout(() => setMaintenanceOpen(true), maintenanceHoldMs);
          const cancel = (): void => clearTimeout(timer);
          addEventListener('pointerup', cancel, { once: true });
          addEventListener('pointercancel', cancel, { once: true });
        }}
      >
        <Screen {...props} />
      </div>
    </main>
  );
}
