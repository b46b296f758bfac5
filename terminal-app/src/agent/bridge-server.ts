import { randomUUID, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { KioskIntent, KioskSnapshot, MaintenanceRequest, MaintenanceState } from '@cashin/shared';
import { BridgeClientMessageSchema, bridgePath, parseBridgeMessage } from '@cashin/shared';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';

/**
 * The agent's end of the UI bridge: an HTTP server bound to 127.0.0.1 that serves the built kiosk UI and
 * upgrades `/bridge` to a WebSocket. A connection counts only after its first message carries the per-boot
 * token; until then it receives nothing, and it is closed if the token is wrong or late. Authenticated
 * connections get the current snapshot at once and every snapshot after it; their intents go to the
 * deposit engine, which alone decides what they mean.
 */
export interface SnapshotSource {
  current(): KioskSnapshot;
  subscribe(listener: (snapshot: KioskSnapshot) => void): () => void;
}

/** Maintenance requests are answered to the asking connection only; each connection is its own session. */
export interface MaintenanceHandler {
  handle(sessionId: string, request: MaintenanceRequest): Promise<MaintenanceState>;
  end(sessionId: string): void;
}

export interface BridgeServerOptions {
  port: number;
  token: string;
  /** The folder of the built UI (index.html and its assets); null serves only the bridge. */
  uiDir: string | null;
  source: SnapshotSource;
  onIntent: (intent: KioskIntent) => void;
  maintenance?: MaintenanceHandler;
  messageBytesMax: number;
  helloTimeoutMs: number;
  /** The kiosk window, a maintenance tablet, a test: never more than a handful at once. */
  connectionsMax: number;
}

export interface BridgeServer {
  port: number;
  url: string;
  connections(): number;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

// The UI loads only its own files and talks only to this server; nothing else is allowed to run.
const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function tokensMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function serveUi(
  uiDir: string | null,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void => {
    response.writeHead(status, { ...securityHeaders, 'content-type': type }).end(body);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed');
  if (!uiDir) return send(404, 'not found');
  const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
  const file = path.resolve(uiDir, relative);
  // Refuse anything that resolves outside the UI folder ("/../../etc/passwd").
  if (file !== uiDir && !file.startsWith(uiDir + path.sep)) return send(404, 'not found');
  try {
    const body = await readFile(file);
    send(200, body, contentTypes[path.extname(file)] ?? 'application/octet-stream');
  } catch {
    send(404, 'not found');
  }
}

export async function startBridgeServer(options: BridgeServerOptions): Promise<BridgeServer> {
  const uiDir = options.uiDir ? path.resolve(options.uiDir) : null;
  const server = createServer((request, response) => {
    serveUi(uiDir, request, response).catch(() => response.destroy());
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: options.messageBytesMax });
  const authenticated = new Set<WebSocket>();

  server.on('upgrade', (request, socket, head) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== bridgePath || sockets.clients.size >= options.connectionsMax) {
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws));
  });

  sockets.on('connection', (ws: WebSocket) => {
    const sessionId = randomUUID();
    const refuse = (): void => {
      ws.send(JSON.stringify({ type: 'refused', code: 'UNAUTHENTICATED' }));
      ws.close(4401, 'unauthenticated');
    };
    const helloTimer = setTimeout(refuse, options.helloTimeoutMs);
    let unsubscribe: (() => void) | undefined;
    ws.on('message', (data, isBinary) => {
      const message = parseBridgeMessage(
        BridgeClientMessageSchema,
        isBinary ? undefined : data.toString(),
        options.messageBytesMax,
      );
      if (!authenticated.has(ws)) {
        clearTimeout(helloTimer);
        if (message?.type !== 'hello' || !tokensMatch(options.token, message.token)) {
          refuse();
          return;
        }
        authenticated.add(ws);
        const push = (snapshot: KioskSnapshot): void =>
          ws.send(JSON.stringify({ type: 'snapshot', snapshot }));
        push(options.source.current());
        unsubscribe = options.source.subscribe(push);
        return;
      }
      // Malformed or unknown messages from an authenticated UI are dropped: the UI is ours, so one is a bug,
      // and a bug in the window must not be able to disturb a deposit.
      if (message?.type === 'intent') options.onIntent(message.intent);
      if (message?.type === 'maintenance' && options.maintenance) {
        void options.maintenance.handle(sessionId, message.request).then((state) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'maintenance', state }));
        });
      }
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      authenticated.delete(ws);
      unsubscribe?.();
      options.maintenance?.end(sessionId);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connections: () => authenticated.size,
    close: async () => {
      for (const ws of sockets.clients) ws.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
