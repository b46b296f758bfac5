import type { KioskIntent, KioskSnapshot, MaintenanceRequest, MaintenanceState } from '@cashin/shared';
import { BridgeServerMessageSchema, defaultLimits, parseBridgeMessage } from '@cashin/shared';

/**
 * The UI's end of the bridge. It keeps one WebSocket to the agent open, re-opening it with backoff when the
 * agent restarts, sends the per-boot token first, and hands every newer snapshot to the UI. Older snapshots
 * (a reconnect racing a late frame) are dropped by version, so the screen never steps back in time.
 */
export interface BridgeClientOptions {
  url: string;
  token: string;
  onSnapshot: (snapshot: KioskSnapshot) => void;
  onMaintenance?: (state: MaintenanceState) => void;
  onConnection?: (connected: boolean) => void;
  /** Injected for tests in Node; the browser's own WebSocket otherwise. */
  webSocket?: typeof WebSocket;
  reconnectBackoffMsMin?: number;
  reconnectBackoffMsMax?: number;
  messageBytesMax?: number;
}

export interface BridgeClient {
  send(intent: KioskIntent): boolean;
  maintenance(request: MaintenanceRequest): boolean;
  close(): void;
}

export function connectBridge(options: BridgeClientOptions): BridgeClient {
  const Socket = options.webSocket ?? WebSocket;
  const backoffMinMs = options.reconnectBackoffMsMin ?? 250;
  const backoffMaxMs = options.reconnectBackoffMsMax ?? 5_000;
  const bytesMax = options.messageBytesMax ?? defaultLimits.system.bridgeMessageBytesMax;
  let socket: WebSocket | undefined;
  let lastVersion = -1;
  let failures = 0;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const open = (): void => {
    const current = new Socket(options.url);
    socket = current;
    current.onopen = () => {
      failures = 0;
      current.send(JSON.stringify({ type: 'hello', token: options.token }));
      options.onConnection?.(true);
    };
    current.onmessage = (event: MessageEvent) => {
      const message = parseBridgeMessage(BridgeServerMessageSchema, event.data, bytesMax);
      if (message?.type === 'maintenance') options.onMaintenance?.(message.state);
      if (message?.type !== 'snapshot') return;
      // A restarted agent counts versions from zero again: accept a lower version on a fresh connection.
      if (message.snapshot.version <= lastVersion) return;
      lastVersion = message.snapshot.version;
      options.onSnapshot(message.snapshot);
    };
    // A refused connection is followed by `close`, which reconnects; the error itself needs no action, and
    // an unhandled one would crash a Node client (the browser only logs it).
    current.onerror = () => {};
    current.onclose = () => {
      if (socket !== current) return;
      socket = undefined;
      options.onConnection?.(false);
      if (closed) return;
      lastVersion = -1;
      const delayMs = Math.min(backoffMaxMs, backoffMinMs * 2 ** failures);
      failures += 1;
      retry = setTimeout(open, delayMs);
    };
  };
  open();

  const sendMessage = (message: object): boolean => {
    if (!socket || socket.readyState !== Socket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  };

  return {
    send: (intent) => sendMessage({ type: 'intent', intent }),
    maintenance: (request) => sendMessage({ type: 'maintenance', request }),
    close() {
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
      socket?.close();
    },
  };
}
