import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KioskIntent, KioskSnapshot } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectBridge } from '../bridge/client.js';
import { ManualSnapshotSource } from '../testing/manual-snapshot-source.js';
import type { BridgeServer } from './bridge-server.js';
import { startBridgeServer } from './bridge-server.js';

const token = 'a-per-boot-token-of-enough-length';

const servers: BridgeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(overrides: { uiDir?: string | null; port?: number } = {}) {
  const source = new ManualSnapshotSource();
  const intents: KioskIntent[] = [];
  const server = await startBridgeServer({
    port: overrides.port ?? 0,
    token,
    uiDir: overrides.uiDir ?? null,
    source,
    onIntent: (intent) => intents.push(intent),
    messageBytesMax: 64 * 1024,
    helloTimeoutMs: 500,
    connectionsMax: 2,
  });
  servers.push(server);
  return { server, source, intents };
}

function until<T>(check: () => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const poll = (): void => {
      const value = check();
      if (value !== undefined) resolve(value);
      else setTimeout(poll, 5);
    };
    poll();
  });
}

function rawClient(url: string): Promise<{ ws: WebSocket; messages: unknown[]; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  const messages: unknown[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, closed }));
    ws.once('error', reject);
  });
}

describe('bridge server and client', () => {
  it('sends snapshots only after the token, and carries intents back', async () => {
    const { server, source, intents } = await start();
    const seen: KioskSnapshot[] = [];
    const client = connectBridge({
      url: `${server.url.replace('http', 'ws')}/bridge`,
      token,
      onSnapshot: (s) => seen.push(s),
      webSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    await until(() => seen[0]);
    source.publish({ screen: 'identify' });
    await until(() => seen[1]);
    expect(seen.map((s) => s.screen)).toEqual(['attract', 'identify']);
    expect(client.send({ type: 'keyedCode', text: '4112 3456' })).toBe(true);
    await until(() => intents[0]);
    expect(intents).toEqual([{ type: 'keyedCode', text: '4112 3456' }]);
    client.close();
  });

  it('refuses a wrong token and sends nothing to it', async () => {
    const { server } = await start();
    const { ws, messages, closed } = await rawClient(`${server.url.replace('http', 'ws')}/bridge`);
    ws.send(JSON.stringify({ type: 'hello', token: 'wrong-token-of-enough-length!!' }));
    expect(await closed).toBe(4401);
    expect(messages).toEqual([{ type: 'refused', code: 'UNAUTHENTICATED' }]);
    expect(server.connections()).toBe(0);
  });

  it('closes a connection that never says hello, and ignores intents sent before it', async () => {
    const { server, intents } = await start();
    const { ws, closed } = await rawClient(`${server.url.replace('http', 'ws')}/bridge`);
    ws.send(JSON.stringify({ type: 'intent', intent: { type: 'finish' } }));
    expect(await closed).toBe(4401);
    expect(intents).toEqual([]);
  });

  it('drops malformed and unknown messages from an authenticated UI', async () => {
    const { server, intents } = await start();
    const { ws, messages } = await rawClient(`${server.url.replace('http', 'ws')}/bridge`);
    ws.send(JSON.stringify({ type: 'hello', token }));
    await until(() => messages[0]);
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'intent', intent: { type: 'dispense', amountMinor: 100 } }));
    ws.send(JSON.stringify({ type: 'intent', intent: { type: 'finish' } }));
    await until(() => intents[0]);
    expect(intents).toEqual([{ type: 'finish' }]);
    ws.close();
  });

  it('reconnects after the agent restarts and accepts its fresh version count', async () => {
    const first = await start();
    const port = first.server.port;
    const seen: KioskSnapshot[] = [];
    const connections: boolean[] = [];
    const client = connectBridge({
      url: `ws://127.0.0.1:${port}/bridge`,
      token,
      onSnapshot: (s) => seen.push(s),
      onConnection: (up) => connections.push(up),
      webSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      reconnectBackoffMsMin: 20,
    });
    for (let step = 0; step < 5; step += 1)
      first.source.publish({ screen: 'insertMoney', totalMinor: step * 25 });
    await until(() => seen.find((s) => s.version === 5));
    await servers.splice(0, 1)[0]!.close();
    const second = await start({ port });
    // A restarted agent counts versions from zero again; the client must still take its snapshots.
    second.source.publish({ screen: 'done' });
    await until(() => seen.find((s) => s.screen === 'done'));
    expect(connections.slice(0, 3)).toEqual([true, false, true]);
    client.close();
  });

  it('serves the UI files and nothing outside their folder', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kiosk-ui-'));
    const uiDir = path.join(root, 'ui');
    await import('node:fs/promises').then((fs) => fs.mkdir(uiDir));
    writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>kiosk</title>');
    writeFileSync(path.join(root, 'secret.txt'), 'journal');
    const { server } = await start({ uiDir });
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    for (const attempt of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const response = await fetch(`${server.url}${attempt}`);
      expect(response.status, attempt).toBe(404);
    }
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
  });

  it('turns away connections beyond its maximum', async () => {
    const { server } = await start();
    const url = `${server.url.replace('http', 'ws')}/bridge`;
    const a = await rawClient(url);
    const b = await rawClient(url);
    await expect(rawClient(url)).rejects.toThrow();
    a.ws.close();
    b.ws.close();
  });
});
