import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Code, KioskSnapshot, MaintenanceRequest, MaintenanceState } from '@cashin/shared';
import { depositReference, realClock, seededRandom } from '@cashin/shared';
import { Simulator } from '@cashin/hardware-sim';
import { createFaultyLink } from '@cashin/scripts/testing/faulty-fetch';
import { freeTcpPort } from '@cashin/scripts/testing/free-port';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectBridge } from '../bridge/client.js';
import { journalPathIn } from '../journal/database.js';
import { Journal } from '../journal/journal.js';
import type { ServerChaosBackend } from '../chaos/server-backend.js';
import { serverBackend } from '../chaos/server-backend.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import type { RunningAgent } from './agent.js';
import { startAgent } from './agent.js';
import { loadAgentConfig } from './agent-config.js';
import { enrollTerminal } from './enroll.js';
import { writeSimulatedKioskConfig } from './simulated-kiosk-config.js';

// The whole agent over real bytes: the hardware simulator's devices on TCP, the real drivers, journal,
// deposit runner, signed sync and bridge, and the real server listening on loopback (buildApp on a
// temporary SQLite file). Both run on the real clock, so the kiosk's signature timestamps sit in the
// server's skew window. The agent reaches the server through a link that can be cut, for a real outage.
const token = 'agent-e2e-bridge-token-0123456789';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A kiosk window on the agent's bridge: the snapshots it was shown, and maintenance mode's answers. After a
 * restart the agent listens on a new port, so a test connects again.
 */
function connectUi(agent: RunningAgent) {
  const snapshots: KioskSnapshot[] = [];
  const maintenanceStates: MaintenanceState[] = [];
  const bridge = connectBridge({
    url: `${agent.bridge.url.replace('http', 'ws')}/bridge`,
    token,
    onSnapshot: (snapshot) => snapshots.push(snapshot),
    onMaintenance: (state) => maintenanceStates.push(state),
    webSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  cleanups.push(async () => bridge.close());
  const latest = (): KioskSnapshot | undefined => snapshots.at(-1);
  const screen = (name: KioskSnapshot['screen']) =>
    expect.poll(() => latest()?.screen, { timeout: 10_000 }).toBe(name);
  /** Sends a maintenance request and waits for the answer to it. */
  const maintenance = async (request: MaintenanceRequest): Promise<MaintenanceState> => {
    const answered = maintenanceStates.length;
    await expect.poll(() => bridge.maintenance(request), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => maintenanceStates.length, { timeout: 10_000 }).toBeGreaterThan(answered);
    return maintenanceStates.at(-1)!;
  };
  return { bridge, latest, screen, maintenance };
}

/**
 * `coinPort`: configure the coin acceptor on this port with nothing there yet (it is plugged in later).
 * `server` and `token`: a server another kiosk of the test already uses, and the token this one enrolls with.
 * `counter`: the kiosk has a bulk coin counter too (the pour-in kiosk).
 * `heartbeatIntervalMs`: beats this often (ops' requests reach a kiosk in heartbeat answers).
 */
async function kiosk(
  options: {
    coinPort?: number;
    server?: ServerChaosBackend;
    token?: string;
    counter?: boolean;
    heartbeatIntervalMs?: number;
  } = {},
) {
  const clock = realClock();
  const sim = await Simulator.start({
    currency: 'USD',
    clock,
    devices: {
      ...(options.coinPort === undefined ? { coin: { kind: 'tcp', port: 0 } as const } : {}),
      bill: { kind: 'tcp', port: 0 },
      ...(options.counter === true ? { counter: { kind: 'tcp', port: 0 } as const } : {}),
      scanner: { kind: 'tcp', port: 0 },
      printer: { kind: 'tcp', port: 0 },
    },
    baud: undefined,
  });
  cleanups.push(() => sim.close());
  const server = options.server ?? (await serverBackend(clock, { listen: true }));
  if (options.server === undefined) cleanups.push(() => server.close());
  const link = createFaultyLink({ random: seededRandom(1), target: server.fetch });
  const dir = mkdtempSync(path.join(tmpdir(), 'agent-e2e-'));
  const configFile = path.join(dir, 'kiosk.json');
  let limitsFile: string | null = null;
  if (options.heartbeatIntervalMs !== undefined) {
    limitsFile = path.join(dir, 'limits.json');
    writeFileSync(
      limitsFile,
      JSON.stringify({ system: { heartbeatIntervalMs: options.heartbeatIntervalMs } }),
    );
  }
  writeSimulatedKioskConfig(configFile, {
    limitsFile,
    serverUrl: server.baseUrl,
    deviceUrls:
      options.coinPort === undefined
        ? sim.urls
        : { coin: `tcp://127.0.0.1:${options.coinPort}`, ...sim.urls },
    terminalName: 'E2E kiosk',
  });
  const config = loadAgentConfig(configFile);
  const { key } = loadOrCreateTerminalKey(config.dataDir);
  const enrolled = await enrollTerminal({
    serverUrl: server.baseUrl,
    token: options.token ?? (await server.enrollmentToken()),
    key,
    softwareVersion: 'e2e',
    dataDir: config.dataDir,
    clock,
    requestTimeoutMs: 5_000,
    fetch: link.fetch,
  });
  if (!enrolled.ok) throw new Error(`enrollment: ${JSON.stringify(enrolled)}`);
  const terminalId = enrolled.value.terminalId;
  const start = (): Promise<RunningAgent> =>
    startAgent({ config, bridgeToken: token, clock, logger: pino({ level: 'silent' }), fetch: link.fetch });
  const agent = await start();
  let running: RunningAgent | undefined = agent;
  cleanups.push(async () => running?.stop());
  const { bridge, latest, screen, maintenance } = connectUi(agent);
  return {
    sim,
    server,
    terminalId,
    link,
    /** The kiosk's data folder (its journal is there). */
    dataDir: config.dataDir,
    /** The deposits the server holds from this kiosk, as synced. */
    synced: async () => (await server.kioskDeposits(terminalId)).map((stored) => stored.deposit),
    bridge,
    latest,
    screen,
    maintenance,
    agent,
    /** Stops the agent and starts it again; `whileDown` happens in between, with no agent running. */
    restart: async (whileDown?: () => Promise<void>) => {
      await running?.stop();
      running = undefined;
      await whileDown?.();
      running = await start();
      return running;
    },
    /** The kiosk is switched off for good (it is being replaced). */
    stop: async () => {
      await running?.stop();
      running = undefined;
    },
  };
}
type Kiosk = Awaited<ReturnType<typeof kiosk>>;

/** A shopper starts at the attract screen, keys their code and confirms: the coin acceptor takes coins. */
async function openDeposit(
  { sim, bridge, screen }: Pick<Kiosk, 'sim' | 'bridge' | 'screen'>,
  code: Code,
): Promise<void> {
  await screen('attract');
  bridge.send({ type: 'start' });
  await screen('identify');
  bridge.send({ type: 'keyedCode', text: code });
  await screen('confirm');
  bridge.send({ type: 'confirm' });
  await screen('insertMoney');
  await sim.coin!.whenAccepting();
}

/** A shopper keys in their code and drops one coin; the kiosk commits, prints, and is back on attract. */
async function coinDeposit(
  { sim, bridge, latest, screen }: Pick<Kiosk, 'sim' | 'bridge' | 'latest' | 'screen'>,
  code: Code,
  coinMinor: number,
) {
  await openDeposit({ sim, bridge, screen }, code);
  expect(sim.coin!.insert(coinMinor)).toBe('accepted');
  await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(coinMinor);
  bridge.send({ type: 'finish' });
  await screen('done');
  const depositId = latest()!.receipt!.depositId;
  bridge.send({ type: 'dismiss' });
  await screen('attract');
  return depositId;
}

/**
 * A shopper's coin deposit, committed while the server is unreachable and then set aside in the journal
 * while the agent is down (as the sync does with a deposit it may never send again); the agent is started
 * again with the link mended.
 */
async function setAsideOneDeposit(k: Kiosk): Promise<{ depositId: string; agent: RunningAgent }> {
  const code = await k.server.signUpShopper('Rosa Diaz');
  k.link.faults.down = true;
  const depositId = await coinDeposit(k, code, 25);
  const agent = await k.restart(async () => {
    const journal = Journal.open(journalPathIn(k.dataDir), {
      signReceipt: () => {
        throw new Error('nothing is committed here');
      },
      syncBatchDepositsMax: 1,
    });
    try {
      expect(journal.outbox.quarantine(depositId, { test: 'set aside' }, Date.now())).toBe(true);
    } finally {
      journal.close();
    }
    k.link.faults.down = false;
  });
  return { depositId, agent };
}

describe('the terminal agent', { timeout: 60_000 }, () => {
  it('is out of service while its coin acceptor is not plugged in, and serves once it answers', async () => {
    const coinPort = await freeTcpPort();
    const { server, synced, bridge, latest, screen } = await kiosk({ coinPort });
    await screen('outOfService');
    expect(latest()?.outOfService).toMatchObject({ device: 'coin', errorCode: 'DEVICE_FAULT' });
    const clock = realClock();
    const late = await Simulator.start({
      currency: 'USD',
      clock,
      devices: { coin: { kind: 'tcp', port: coinPort } },
      baud: undefined,
    });
    cleanups.push(() => late.close());
    await screen('attract');
    const code = await server.signUpShopper('Ana Perez');
    bridge.send({ type: 'start' });
    await screen('identify');
    bridge.send({ type: 'keyedCode', text: code });
    await screen('confirm');
    bridge.send({ type: 'confirm' });
    await screen('insertMoney');
    await late.coin!.whenAccepting();
    expect(late.coin!.insert(25)).toBe('accepted');
    await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(25);
    bridge.send({ type: 'finish' });
    await screen('done');
    await expect.poll(async () => (await synced()).length, { timeout: 10_000 }).toBe(1);
    expect((await synced())[0]).toMatchObject({ code, totalMinor: 25 });
  });

  it('takes a scanned shopper through a coin and bill deposit, prints, and syncs it', async () => {
    const { sim, server, terminalId, synced, bridge, latest, screen } = await kiosk();
    const code = await server.signUpShopper('Maria Gonzalez');
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
    // A new wallet holds nothing before this deposit, so the printed balance is the deposit itself.
    expect(latest()?.receipt).toMatchObject({ totalMinor: 600, newBalanceMinor: 600, pending: false });
    await expect.poll(() => sim.printer!.receipts.length, { timeout: 10_000 }).toBe(1);
    expect(sim.printer!.text(sim.printer!.receipts[0]!)).toContain('$6.00');
    await expect.poll(async () => (await synced()).length, { timeout: 10_000 }).toBe(1);
    const [stored] = await server.kioskDeposits(terminalId);
    expect(stored).toMatchObject({
      deposit: {
        code,
        totalMinor: 600,
        sequence: 1,
        flags: { recovered: false, lostEvents: false, offline: false, deviceFault: false },
      },
      creditedTo: 'wallet',
      inReview: false,
    });
    expect(stored!.deposit.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'coin', valueMinor: 25, count: 4 }),
        expect.objectContaining({ kind: 'bill', valueMinor: 500, count: 1 }),
      ]),
    );
    expect(await server.creditedByDeposit(terminalId)).toEqual(new Map([[stored!.deposit.depositId, 600]]));
    expect(await server.bagDebitedMinor(terminalId)).toBe(600);
    expect(sim.accepted().totalMinor).toBe(600);
  });

  it('completes a deposit while the server is down and syncs it when the server answers again', async () => {
    const { sim, server, terminalId, synced, link, bridge, latest, screen } = await kiosk();
    const code = await server.signUpShopper('Luis Ortega');
    // The link to the server is cut: every request fails before it leaves, as with the cable pulled.
    link.faults.down = true;
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
    expect(link.stats.refusedWhileDown).toBeGreaterThan(0);
    expect(await synced()).toEqual([]);
    link.faults.down = false;
    await expect.poll(async () => (await synced()).length, { timeout: 20_000 }).toBe(1);
    const [stored] = await server.kioskDeposits(terminalId);
    expect(stored).toMatchObject({
      deposit: { code, sequence: 1, totalMinor: 100, flags: { offline: true, recovered: false } },
      creditedTo: 'wallet',
    });
    expect(await server.creditedByDeposit(terminalId)).toEqual(new Map([[stored!.deposit.depositId, 100]]));
  });

  it('tells ops of a deposit it set aside, with the cash it holds, and a tech sends it again once', async () => {
    const k = await kiosk();
    const { depositId, agent } = await setAsideOneDeposit(k);
    // The heartbeat an agent sends as it starts carries it: ops see the deposit and what it holds.
    await expect
      .poll(async () => (await k.server.openAlerts(k.terminalId)).map((alert) => alert.facts), {
        timeout: 15_000,
      })
      .toEqual([{ kind: 'depositsSetAside', deposits: 1, totalMinor: 25, currency: 'USD' }]);
    expect(await k.synced()).toEqual([]);

    // Its cause dealt with, a tech sends it again from maintenance: the server credits it, once.
    const ui = connectUi(agent);
    expect(await ui.maintenance({ op: 'unlock', pin: '2468' })).toMatchObject({ unlocked: true });
    const retried = await ui.maintenance({ op: 'retrySetAside' });
    expect(retried.lastResult).toEqual({
      op: 'retrySetAside',
      ok: true,
      code: null,
      outcome: { kind: 'setAsideRetried', requeued: 1, synced: 1, quarantined: 0 },
    });
    expect(retried.outbox).toMatchObject({ depth: 0, quarantined: 0, quarantinedTotalMinor: 0 });
    expect(await k.server.creditedByDeposit(k.terminalId)).toEqual(new Map([[depositId, 25]]));
    const again = await ui.maintenance({ op: 'retrySetAside' });
    expect(again.lastResult?.outcome).toEqual({
      kind: 'setAsideRetried',
      requeued: 0,
      synced: 0,
      quarantined: 0,
    });
    expect(await k.server.creditedByDeposit(k.terminalId)).toEqual(new Map([[depositId, 25]]));
  });

  it('sends a set-aside deposit again when ops ask from the console, once, and reports what came of it', async () => {
    const heartbeatIntervalMs = 300;
    const k = await kiosk({ heartbeatIntervalMs });
    const { depositId } = await setAsideOneDeposit(k);
    await expect
      .poll(async () => (await k.server.terminalSummary(k.terminalId)).setAsideDeposits, { timeout: 15_000 })
      .toBe(1);
    // No tech on site: ops ask from the console. The kiosk hears it in a heartbeat answer, sends the
    // deposit, and its next heartbeat says what came of it.
    const asked = await k.server.askSetAsideRetry(k.terminalId);
    expect(asked.setAsideRetryPending).not.toBeNull();
    await expect
      .poll(async () => (await k.server.terminalSummary(k.terminalId)).lastSetAsideRetry, { timeout: 15_000 })
      .toMatchObject({ requeued: 1, synced: 1, setAsideAgain: 0, errorCode: null });
    expect(await k.server.terminalSummary(k.terminalId)).toMatchObject({
      setAsideDeposits: 0,
      setAsideRetryPending: null,
    });
    expect(await k.server.creditedByDeposit(k.terminalId)).toEqual(new Map([[depositId, 25]]));
    await expect.poll(async () => k.server.openAlerts(k.terminalId), { timeout: 15_000 }).toEqual([]);
    // Heartbeats three intervals later the result stands, the deposit is still credited once, and there is
    // nothing left to ask. (That the kiosk runs each request once is remote-set-aside-retry.test's: a second
    // run here would send nothing and the server would ignore its report.)
    const settled = await k.server.terminalSummary(k.terminalId);
    await expect
      .poll(async () => (await k.server.terminalSummary(k.terminalId)).lastHeartbeatAtMs, { timeout: 15_000 })
      .toBeGreaterThan((settled.lastHeartbeatAtMs ?? 0) + 3 * heartbeatIntervalMs);
    expect((await k.server.terminalSummary(k.terminalId)).lastSetAsideRetry).toEqual(
      settled.lastSetAsideRetry,
    );
    await expect(k.server.askSetAsideRetry(k.terminalId)).rejects.toThrow(/nothingSetAside/);
    expect(await k.server.creditedByDeposit(k.terminalId)).toEqual(new Map([[depositId, 25]]));
  });

  it('commits a deposit left open by a crash as recovered when it starts again', async () => {
    const { sim, server, terminalId, synced, bridge, latest, screen, restart } = await kiosk();
    const code = await server.signUpShopper('Ana Perez');
    await screen('attract');
    bridge.send({ type: 'start' });
    await screen('identify');
    bridge.send({ type: 'keyedCode', text: code });
    await screen('confirm');
    expect(latest()?.shopper?.maskedName).toBe('Ana P.');
    bridge.send({ type: 'confirm' });
    await screen('insertMoney');
    await sim.coin!.whenAccepting();
    sim.coin!.insert(25);
    sim.coin!.insert(10);
    await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(35);
    await restart();
    await expect.poll(async () => (await synced()).length, { timeout: 20_000 }).toBe(1);
    const [stored] = await server.kioskDeposits(terminalId);
    // A recovered deposit is credited (the coins are in the bag) and held for a person to look at.
    expect(stored).toMatchObject({
      deposit: { code, sequence: 1, totalMinor: 35, flags: { recovered: true, lostEvents: false } },
      creditedTo: 'wallet',
      inReview: true,
      reviewFlags: 'recovered',
    });
    expect(await server.creditedByDeposit(terminalId)).toEqual(new Map([[stored!.deposit.depositId, 35]]));
    expect(sim.accepted().totalMinor).toBe(35);
  });

  it('credits coins poured into the bulk counter while the agent was down to the deposit open at the crash', async () => {
    const { sim, server, terminalId, synced, bridge, latest, screen, restart } = await kiosk({
      counter: true,
    });
    const counter = sim.counter!;
    const code = await server.signUpShopper('Ana Perez');
    await screen('attract');
    bridge.send({ type: 'start' });
    await screen('identify');
    bridge.send({ type: 'keyedCode', text: code });
    await screen('confirm');
    bridge.send({ type: 'confirm' });
    await screen('insertMoney');
    await counter.pour({ coins: 12, coinsPerMinute: 6_000, ccTalkId: 'US025A' });
    await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(300);
    // The agent dies mid-deposit. The counter cannot be inhibited: the shopper goes on pouring, and it
    // counts every coin while nobody polls it.
    await restart(() => counter.pour({ coins: 15, coinsPerMinute: 6_000, ccTalkId: 'US010A' }));
    expect(counter.totals.valueMinor).toBe(450);
    await expect.poll(async () => (await synced()).length, { timeout: 20_000 }).toBe(1);
    const [stored] = await server.kioskDeposits(terminalId);
    // The restarted agent resumed from the journaled registers: the coins poured while it was down are in
    // the recovered deposit (credited, and held for a person to look at as every recovered deposit is).
    expect(stored).toMatchObject({
      deposit: { code, totalMinor: 450, flags: { recovered: true, lostEvents: false } },
      creditedTo: 'wallet',
      inReview: true,
    });
    expect(stored!.deposit.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ccTalkId: 'US025A', count: 12 }),
        expect.objectContaining({ ccTalkId: 'US010A', count: 15 }),
      ]),
    );
    expect(await server.creditedByDeposit(terminalId)).toEqual(new Map([[stored!.deposit.depositId, 450]]));
  });

  it("numbers a replaced kiosk's deposits after those its predecessor synced, so they are credited, not conflicts", async () => {
    const first = await kiosk();
    const { server, terminalId } = first;
    const code = await server.signUpShopper('Rosa Diaz');
    const earlier = [await coinDeposit(first, code, 25), await coinDeposit(first, code, 10)];
    await expect.poll(async () => (await first.synced()).length, { timeout: 10_000 }).toBe(2);
    // The kiosk is replaced: ops rotate the terminal's key, and the new device, with a key of its own and
    // an empty journal, enrolls under the same terminal id and takes a deposit.
    await first.stop();
    const token = await server.rotateTerminalKey(terminalId);
    const replacement = await kiosk({ server, token });
    expect(replacement.terminalId).toBe(terminalId);
    const later = await coinDeposit(replacement, code, 100);
    // Committed at the receipt; the outbox empties once the server answered it, synced or quarantined.
    const outbox = replacement.agent.journal.outbox;
    await expect.poll(() => outbox.status().depth, { timeout: 20_000 }).toBe(0);
    expect(outbox.status()).toMatchObject({ quarantined: 0, lastSequence: 3 });
    const stored = await server.kioskDeposits(terminalId);
    expect(
      stored.map(({ deposit, creditedTo }) => [deposit.depositId, deposit.sequence, creditedTo]),
    ).toEqual([
      [earlier[0], 1, 'wallet'],
      [earlier[1], 2, 'wallet'],
      [later, 3, 'wallet'],
    ]);
    expect(await server.creditedByDeposit(terminalId)).toEqual(
      new Map([
        [earlier[0], 25],
        [earlier[1], 10],
        [later, 100],
      ]),
    );
  });

  it("lets a tech reprint a recovered deposit's receipt from maintenance after newer deposits, each answer as data", async () => {
    const k = await kiosk();
    const { sim, server, bridge, screen, latest, restart } = k;
    const code = await server.signUpShopper('Ana Perez');
    await openDeposit({ sim, bridge, screen }, code);
    sim.coin!.insert(25);
    await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(25);
    // Power goes mid-deposit: the restarted agent commits it as recovered, and prints nothing.
    const agent = await restart();
    const ui = connectUi(agent);
    const [recovered] = agent.journal.committedAfter(0, 10);
    expect(recovered).toMatchObject({ sequence: 1, totalMinor: 25, flags: { recovered: true } });
    // The shopper comes back after another shopper's deposit: theirs is no longer the last receipt.
    await coinDeposit({ sim, ...ui }, code, 10);
    await expect.poll(() => sim.printer!.receipts.length, { timeout: 10_000 }).toBe(1);

    expect(await ui.maintenance({ op: 'unlock', pin: '2468' })).toMatchObject({ unlocked: true });
    const listed = (await ui.maintenance({ op: 'refresh' })).recentDeposits;
    expect(listed.map((d) => [d.sequence, d.totalMinor, d.recovered])).toEqual([
      [2, 10, false],
      [1, 25, true],
    ]);
    const answer = await ui.maintenance({ op: 'reprint', depositId: listed[1]!.depositId });
    expect(answer.lastResult).toEqual({
      op: 'reprint',
      ok: true,
      code: null,
      outcome: { kind: 'receiptReprinted', sequence: 1 },
    });
    await expect.poll(() => sim.printer!.receipts.length, { timeout: 10_000 }).toBe(2);
    const reprinted = sim.printer!.text(sim.printer!.receipts[1]!);
    expect(reprinted).toContain('$0.25');
    expect(reprinted).toContain(depositReference(k.terminalId, 1));

    // The tech's other actions answer as data too, from the real drivers and sync engine.
    const synced = await ui.maintenance({ op: 'syncNow' });
    expect(synced.lastResult).toMatchObject({ ok: true, outcome: { kind: 'synced', quarantined: 0 } });
    sim.printer!.paperOut = true;
    expect((await ui.maintenance({ op: 'selfTest', device: 'printer' })).lastResult).toEqual({
      op: 'selfTest',
      ok: false,
      code: 'DEVICE_FAULT',
      outcome: {
        kind: 'selfTestFailed',
        device: 'printer',
        answered: true,
        faults: ['paperOut'],
        selfCheckFaultCode: null,
      },
    });
    expect((await ui.maintenance({ op: 'selfTest', device: 'coin' })).lastResult).toMatchObject({
      ok: true,
      outcome: { kind: 'selfTestPassed', device: 'coin' },
    });
  });

  it('sends ops a deposit that lost events with nothing counted, and an alarm for lost events with none open', async () => {
    const k = await kiosk();
    const { sim, server, terminalId, bridge, screen, latest } = k;
    // What the server holds from this kiosk, by deposit id; and the kiosk's queue, empty once all were
    // acknowledged (a deposit the server refused would sit quarantined instead).
    const onServer = () => server.creditedByDeposit(terminalId);
    const outbox = () => k.agent.journal.outbox.status();
    const code = await server.signUpShopper('Luis Ortega');
    // A first deposit moves both acceptors' event counters off 0, so a power loss shows as a reset.
    await openDeposit({ sim, bridge, screen }, code);
    sim.coin!.insert(25);
    expect(sim.bill!.insert('US0005A')).toBe('escrowed');
    await expect.poll(() => latest()?.totalMinor, { timeout: 10_000 }).toBe(525);
    bridge.send({ type: 'finish' });
    await screen('done');
    bridge.send({ type: 'dismiss' });
    await screen('attract');

    // The coin acceptor loses power while nobody is being served: an alarm deposit, synced.
    sim.coin!.powerCycle();
    await expect.poll(async () => (await onServer()).size, { timeout: 20_000 }).toBe(2);
    // The bill validator loses power during a deposit that has counted nothing: kept, flagged, synced.
    bridge.send({ type: 'start' });
    await screen('identify');
    bridge.send({ type: 'keyedCode', text: code });
    await screen('confirm');
    bridge.send({ type: 'confirm' });
    await screen('insertMoney');
    sim.bill!.powerCycle();
    await expect
      .poll(() => k.agent.runner.machineState(), { timeout: 10_000 })
      .toMatchObject({ phase: 'accepting', deposit: { lostEvents: true } });
    bridge.send({ type: 'finish' });
    await screen('done');
    expect(latest()?.receipt).toMatchObject({ totalMinor: 0 });
    await expect.poll(async () => (await onServer()).size, { timeout: 20_000 }).toBe(3);
    await expect.poll(() => outbox(), { timeout: 20_000 }).toMatchObject({ depth: 0, quarantined: 0 });

    const sent = k.agent.journal.committedAfter(0, 10);
    expect(sent.map((d) => [d.sequence, d.code, d.totalMinor, d.flags.lostEvents])).toEqual([
      [1, code, 525, false],
      [2, null, 0, true],
      [3, code, 0, true],
    ]);
    // The server took all three; the two flagged ones moved no money (there was none to move) and, being
    // flagged lostEvents, raise its lost-events alert for ops.
    expect(await onServer()).toEqual(
      new Map([
        [sent[0]!.depositId, 525],
        [sent[1]!.depositId, 0],
        [sent[2]!.depositId, 0],
      ]),
    );
    // The tech sees both on the maintenance screen; the alarm is nobody's receipt and is not listed.
    await k.maintenance({ op: 'unlock', pin: '2468' });
    const state = await k.maintenance({ op: 'refresh' });
    expect(state.recentErrors.filter((e) => e.code === 'DEVICE_FAULT').length).toBeGreaterThanOrEqual(2);
    expect(state.recentDeposits.map((d) => [d.sequence, d.heldForReview])).toEqual([
      [3, true],
      [1, false],
    ]);
  });
});
