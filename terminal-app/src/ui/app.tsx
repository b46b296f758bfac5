import type { KioskIntent, KioskSnapshot } from '@cashin/shared';
import { bridgePath } from '@cashin/shared';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { connectBridge } from '../bridge/client.js';
import type { BridgeClient } from '../bridge/client.js';
import { Banner } from './components/banner.js';
import type { ScreenProps } from './context.js';
import { screenProps } from './context.js';
import { AttractScreen } from './screens/attract.js';
import { ConfirmScreen } from './screens/confirm.js';
import { DoneScreen } from './screens/done.js';
import { IdentifyScreen } from './screens/identify.js';
import { InsertMoneyScreen } from './screens/insert-money.js';
import { UnavailableScreen } from './screens/unavailable.js';
import { WaitingScreen } from './screens/waiting.js';

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
export function App({ token }: { token: string }) {
  const [snapshot, setSnapshot] = useState<KioskSnapshot | null>(null);
  const [connected, setConnected] = useState(false);
  const [bridge, setBridge] = useState<BridgeClient | null>(null);

  useEffect(() => {
    const client = connectBridge({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${bridgePath}`,
      token,
      onSnapshot: setSnapshot,
      onConnection: setConnected,
    });
    setBridge(client);
    return () => client.close();
  }, [token]);

  useEffect(() => {
    if (snapshot) document.documentElement.lang = snapshot.language;
  }, [snapshot?.language]);

  const send = useMemo(() => (intent: KioskIntent) => void bridge?.send(intent), [bridge]);
  if (!snapshot) {
    return (
      <main class="screen screen-waiting" aria-busy="true">
        <div class="spinner" aria-hidden="true" />
      </main>
    );
  }
  const props = screenProps(snapshot, send);
  const remaining = snapshot.remainingMinor === null ? undefined : props.money(snapshot.remainingMinor);
  return (
    <main class={`kiosk ${connected ? '' : 'disconnected'}`} data-screen={snapshot.screen}>
      {!connected && <Banner tone="notice" text={props.t('connection.lost')} />}
      {snapshot.lastError && (
        <Banner tone="error" text={props.errorText(snapshot.lastError, remaining ? { remaining } : {})} />
      )}
      {snapshot.notice && <Banner tone="notice" text={props.t(`notice.${snapshot.notice}`)} />}
      <Screen {...props} />
    </main>
  );
}
