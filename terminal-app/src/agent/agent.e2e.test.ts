import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KioskSnapshot } from '@cashin/shared';
import { generateCode, realClock } from '@cashin/shared';
import { Simulator } from '@cashin/hardware-sim';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectBridge } from '../bridge/client.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import type { TerminalServerDouble } from '../testing/terminal-server-double.js';
import { startTerminalServerDouble } from '../testing/terminal-server-double.js';
import type { RunningAgent } from './agent.js';
import { startAgent } from './agent.js';
import { loadAgentConfig } from './agent-config.js';
import { enrollTerminal } from './enroll.js';
import { writeSimulatedKioskConfig } from './simulated-kiosk-config.js';

// The whole agent over real bytes: the hardware simulator's devices on TCP, the real drivers, journal,
// deposit runner, signed sync and bridge. The server's terminal channel is the labelled test double until
// the real one lands (issue 4).
const token = 'agent-e2e-bridge-token-0123456789';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function kiosk() {
  const clock = realClock();
  const sim = await Simulator.start({
    currency: 'USD',
    clock,
    devices: {
      coin: { kind: 'tcp', port: 0 },
      bill: { kind: 'tcp', port: 0 },
      scanner: { kind: 'tcp', port: 0 },
      printer: { kind: 'tcp', port: 0 },
    },
    baud: undefined,
  });
  cleanups.push(() => sim.close());
  const server: TerminalServerDouble = await startTerminalServerDouble(
    'kiosk-e2e',
    null,
    'enroll-token-e2e-0123456789',
  );
  cleanups.push(() => server.close());
  const dir = mkdtempSync(path.join(tmpdir(), 'agent-e2e-'));
  const configFile = path.join(dir, 'kiosk.json');
  writeSimulatedKioskConfig(configFile, {
    serverUrl: server.baseUrl,
    deviceUrls: sim.urls,
    terminalName: 'E2E kiosk',
  });
  const config = loadAgentConfig(configFile);
  const { key } = loadOrCreateTerminalKey(config.dataDir);
  const enrolled = await enrollTerminal({
    serverUrl: server.baseUrl,
    token: 'enroll-token-e2e-0123456789',
    key,
    softwareVersion: 'e2e',
    dataDir: config.dataDir,
    clock,
    requestTimeoutMs: 5_000,
  });
  expect(enrolled.ok).toBe(true);
  const start = (): Promise<RunningAgent> =>
    startAgent({ config, bridgeToken: token, clock, logger: pino({ level: 'silent' }) });
  const agent = await start();
  let running = agent;
  cleanups.push(() => running.stop());
  const snapshots: KioskSnapshot[] = [];
  const bridge = connectBridge({
    url: `${agent.bridge.url.replace('http', 'ws')}/bridge`,
    token,
    onSnapshot: (snapshot) => snapshots.push(snapshot),
    webSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  cleanups.push(async () => bridge.close());
  const latest = (): KioskSnapshot | undefined => snapshots.at(-1);
  const screen = (name: KioskSnapshot['screen']) =>
    expect.poll(() => latest()?.screen, { timeout: 10_000 }).toBe(name);
  return {
    sim,
    server,
    bridge,
    latest,
    screen,
    agent,
    restart: async () => {
      await running.stop();
      running = await start();
      return running;
    },
  };
}

describe('the terminal agent', { timeout: 60_000 }, () => {
  it('takes a scanned shopper through a coin and bill deposit, prints, and syncs it', async () => {
    const { sim, server, bridge, latest, screen } = await kiosk();
    const code = generateCode('deposit');
    server.shoppers.set(code, { maskedName: 'Maria G.', remainingMinor: 95_000, balanceMinor: 1_000 });
    await screen('attract');
    bridge.send({ type: 'start' });
    await screen('identify');
    await sim.scanner!.scan(code);
    await screen('confirm');
    expect(latest()?.shopper?.maskedName).toBe('Maria G.');
    bridge.send({ type: 'confirm' });
    await screen('insertMoney');
    await sim.coin!.whenAccepting();
    for (let coin = 1; coin <= 4; coin += 1) {
      sim.coin!.insert(25);
      await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(coin * 25);
    }
    expect(sim.bill!.insert('US0005A')).toBe('escrowed');
    await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(600);
    bridge.send({ type: 'finish' });
    await screen('done');
    expect(latest()?.receipt).toMatchObject({ totalMinor: 600, newBalanceMinor: 1_600, pending: false });
    await expect.poll(() => sim.printer!.receipts.length, { timeout: 10_000 }).toBe(1);
    expect(sim.printer!.text(sim.printer!.receipts[0]!)).toContain('$6.00');
    await expect.poll(() => server.deposits.size, { timeout: 10_000 }).toBe(1);
    const [synced] = [...server.deposits.values()];
    expect(synced).toMatchObject({ code, totalMinor: 600, sequence: 1 });
    expect(sim.accepted().totalMinor).toBe(600);
  });

  it('completes a deposit while the server is down and syncs it when the server answers again', async () => {
    const { sim, server, bridge, latest, screen } = await kiosk();
    server.misbehave(1_000, 'http500');
    const code = generateCode('deposit');
    await screen('attract');
    bridge.send({ type: 'start' });
    await screen('identify');
    bridge.send({ type: 'keyedCode', text: code });
    await screen('confirm');
    expect(latest()?.shopper).toMatchObject({ offline: true });
    bridge.send({ type: 'confirm' });
    await screen('insertMoney');
    // The accept limit reaches the acceptor on its next poll; a coin before that is (rightly) refused.
    await sim.coin!.whenAccepting();
    expect(sim.coin!.insert(100)).toBe('accepted');
    await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(100);
    bridge.send({ type: 'finish' });
    await screen('done');
    expect(latest()?.receipt).toMatchObject({ pending: true });
    expect(server.deposits.size).toBe(0);
    server.misbehave(0, 'http500');
    await expect.poll(() => server.deposits.size, { timeout: 20_000 }).toBe(1);
    expect([...server.deposits.values()][0]).toMatchObject({ flags: { offline: true }, totalMinor: 100 });
  });

  it('commits a deposit left open by a crash as recovered when it starts again', async () => {
    const { sim, server, bridge, latest, screen, restart } = await kiosk();
    const code = generateCode('deposit');
    server.shoppers.set(code, { maskedName: 'Ana P.', remainingMinor: 95_000, balanceMinor: 0 });
    await screen('attract');
    bridge.send({ type: 'start' });
    await screen('identify');
    bridge.send({ type: 'keyedCode', text: code });
    await screen('confirm');
    bridge.send({ type: 'confirm' });
    await screen('insertMoney');
    await sim.coin!.whenAccepting();
    sim.coin!.insert(25);
    sim.coin!.insert(10);
    await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(35);
    await restart();
    await expect.poll(() => server.deposits.size, { timeout: 20_000 }).toBe(1);
    expect([...server.deposits.values()][0]).toMatchObject({ totalMinor: 35, flags: { recovered: true } });
  });
});
