import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HeartbeatRequest, KioskDeposit } from '@cashin/shared';
import {
  FakeClock,
  HeartbeatResponseSchema,
  SyncResponseSchema,
  createUuidV7Generator,
  defaultLimits,
  generateCode,
  moneyLimitsFor,
  terminalApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerChaosBackend } from '../chaos/server-backend.js';
import { serverBackend } from '../chaos/server-backend.js';
import { createServerLookup } from '../sync/server-lookup.js';
import { createSignedClient } from '../sync/signed-client.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import { AgentConfigError, loadAgentConfig, parseAgentArgs } from './agent-config.js';
import { CurrencyMismatchError, JournalMissingError, startAgent } from './agent.js';
import { enrollTerminal } from './enroll.js';
import { journalPathIn } from '../journal/database.js';
import { pino } from 'pino';
import { Heartbeat } from './heartbeat.js';
import { checkTechnicianPin, hashTechnicianPin } from './technician-pin.js';
import { readTerminalIdentity } from './terminal-identity.js';

const servers: ServerChaosBackend[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The kiosk's signed channel to the in-process server, on the test's clock. */
function signedClientOf(
  server: ServerChaosBackend,
  terminalId: string,
  key: Parameters<typeof createSignedClient>[0]['key'],
  clock: FakeClock,
  serverKeys: readonly string[] | undefined,
) {
  return createSignedClient({
    baseUrl: server.baseUrl,
    terminalId,
    key,
    clock,
    requestTimeoutMs: 5_000,
    serverKeys: serverKeys === undefined ? null : () => serverKeys,
    fetch: server.fetch,
  });
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'kiosk-agent-'));
}

const validConfig = {
  serverUrl: 'http://127.0.0.1:8080',
  dataDir: './data',
  terminalName: 'Store 1 entrance',
  timeZone: 'America/New_York',
  currency: 'USD',
  languages: ['en', 'es'],
  devices: [
    { name: 'coin', kind: 'coinAcceptor', url: 'tcp://127.0.0.1:7001', currency: 'USD' },
    { name: 'printer', kind: 'printer', url: 'tcp://127.0.0.1:7004', currency: 'USD' },
  ],
  technicianPinHash: hashTechnicianPin('2468'),
};

describe('agent config', () => {
  it('reads the file once, resolving folders against it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'kiosk.json');
    writeFileSync(file, JSON.stringify(validConfig));
    const config = loadAgentConfig(file);
    expect(config.dataDir).toBe(path.join(dir, 'data'));
    expect(config.uiPort).toBe(8090);
    expect(config.devices.map((d) => d.name)).toEqual(['coin', 'printer']);
  });

  it('names every problem in a bad file', () => {
    const dir = tempDir();
    const write = (value: unknown): string => {
      const file = path.join(dir, `${Math.random()}.json`);
      writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
      return file;
    };
    const problemsOf = (file: string): string[] => {
      try {
        loadAgentConfig(file);
        return [];
      } catch (error) {
        if (error instanceof AgentConfigError) return error.problems;
        throw error;
      }
    };
    expect(problemsOf(write('{not json'))).toHaveLength(1);
    expect(problemsOf(write({ ...validConfig, currency: 'XYZ', serverUrl: 'ftp://x' }))).toHaveLength(2);
    const twice = [validConfig.devices[0], validConfig.devices[0]];
    expect(problemsOf(write({ ...validConfig, devices: twice }))).toHaveLength(1);
    const pesos = [{ ...validConfig.devices[0], currency: 'MXN' }];
    expect(problemsOf(write({ ...validConfig, devices: pesos }))).toHaveLength(1);
  });

  it('takes a server only over https, or plain http on this machine (the demo and tests)', () => {
    const dir = tempDir();
    const problemsOf = (serverUrl: string): string[] => {
      const file = path.join(dir, `${Math.random()}.json`);
      writeFileSync(file, JSON.stringify({ ...validConfig, serverUrl }));
      try {
        loadAgentConfig(file);
        return [];
      } catch (error) {
        if (error instanceof AgentConfigError) return error.problems;
        throw error;
      }
    };
    for (const allowed of [
      'https://cashin.example',
      'https://10.0.0.5:8443',
      'http://127.0.0.1:8080',
      'http://127.8.9.10',
      'http://[::1]:8080',
      'http://localhost:8080',
    ])
      expect(problemsOf(allowed), allowed).toEqual([]);
    // Anyone on the store's network could answer these, and the kiosk would believe its deposits synced.
    for (const refused of [
      'http://cashin.example',
      'http://10.0.0.5:8080',
      'http://192.168.1.20',
      'http://127.0.0.1.cashin.example',
      'http://localhost.cashin.example',
      'http://[::2]',
    ]) {
      const problems = problemsOf(refused);
      expect(problems, refused).toHaveLength(1);
      expect(problems[0], refused).toMatch(/^serverUrl: /);
    }
  });

  it('takes the config path and enrollment token from the command line', () => {
    expect(parseAgentArgs(['--config', 'k.json', '--enroll', 'a'.repeat(20)], {})).toEqual({
      configPath: 'k.json',
      enrollToken: 'a'.repeat(20),
    });
    expect(() => parseAgentArgs([], {})).toThrow();
  });
});

describe('technician PIN', () => {
  it('is kept as a salted slow hash and checked in constant time', () => {
    const stored = hashTechnicianPin('2468');
    expect(stored).not.toContain('2468');
    expect(hashTechnicianPin('2468')).not.toBe(stored);
    expect(checkTechnicianPin('2468', stored)).toBe(true);
    expect(checkTechnicianPin('2469', stored)).toBe(false);
    expect(checkTechnicianPin('2468', 'scrypt$garbage')).toBe(false);
  });
});

describe('enrollment and the signed channel', () => {
  it('enrolls with a one-time token, then signs heartbeats, lookups and a sync the real server accepts', async () => {
    const dataDir = tempDir();
    const { key } = loadOrCreateTerminalKey(dataDir);
    // The real server in process, on the test's clock so the signature timestamps sit in its skew window.
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 9));
    const server = await serverBackend(clock);
    servers.push(server);
    const { terminalId, token } = await server.newTerminal();
    const common = {
      serverUrl: server.baseUrl,
      key,
      softwareVersion: '1.2.3',
      dataDir,
      clock,
      requestTimeoutMs: 5_000,
      fetch: server.fetch,
    };
    const enrolled = await enrollTerminal({ ...common, token });
    expect(enrolled).toMatchObject({ ok: true, value: { terminalId, storeId: server.storeId } });
    // The server's answer-signing key is pinned beside the identity, as enrollment answered it.
    expect(readTerminalIdentity(dataDir)).toMatchObject({
      terminalId,
      serverUrl: server.baseUrl,
      serverPublicKey: enrolled.ok ? enrolled.value.serverPublicKey : 'none',
    });
    expect(readTerminalIdentity(dataDir)?.serverPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // It is the one key to believe: this server lists no other.
    expect(readTerminalIdentity(dataDir)?.serverKeys).toEqual([
      readTerminalIdentity(dataDir)?.serverPublicKey,
    ]);
    // The same kiosk retrying (it lost the answer) is answered the same; the token in any other hands is not.
    expect(await enrollTerminal({ ...common, token })).toMatchObject({ ok: true, value: { terminalId } });
    const otherDir = tempDir();
    const other = loadOrCreateTerminalKey(otherDir).key;
    expect(await enrollTerminal({ ...common, key: other, dataDir: otherDir, token })).toMatchObject({
      ok: false,
      kind: 'refused',
      code: 'ENROLLMENT_TOKEN_INVALID',
    });
    expect(readTerminalIdentity(otherDir)).toBeNull();
    expect(await server.terminalSummary(terminalId)).toMatchObject({
      status: 'offline',
      lastHeartbeatAtMs: null,
    });

    const client = signedClientOf(server, terminalId, key, clock, readTerminalIdentity(dataDir)?.serverKeys);
    const beat: HeartbeatRequest = {
      softwareVersion: '1.2.3',
      uptimeMs: 1_000,
      devices: [{ device: 'coin', kind: 'coinAcceptor', state: 'ok', faults: [] }],
      outbox: {
        depth: 2,
        unsyncedTotalMinor: 150,
        oldestUnsyncedAtMs: clock.nowMs(),
        quarantined: 0,
        lastSequence: 9,
      },
      bag: { currency: 'USD', totalMinor: 12_345, coinCount: 300, billCount: 4 },
      lastError: null,
    };
    // What the ops console shows of a terminal once `beat` arrived at `atMs`.
    const seenByOps = (atMs: number) => ({
      lastHeartbeatAtMs: atMs,
      softwareVersion: beat.softwareVersion,
      devices: beat.devices,
      queueDepth: beat.outbox.depth,
      unsyncedTotalMinor: beat.outbox.unsyncedTotalMinor,
      bagTotalMinor: beat.bag.totalMinor,
      lastSequence: beat.outbox.lastSequence,
    });
    const answers: boolean[] = [];
    const heartbeat = new Heartbeat({
      client,
      clock,
      intervalMs: 30_000,
      collect: () => beat,
      onAnswer: (a) => answers.push(a.disabled),
    });
    const firstBeatAtMs = clock.nowMs();
    heartbeat.start();
    // The next beat is scheduled once the first answer is in: only then may the clock move past it.
    await expect.poll(() => answers).toEqual([false]);
    expect(await server.terminalSummary(terminalId)).toMatchObject({
      ...seenByOps(firstBeatAtMs),
      status: 'online',
    });
    expect(await server.setTerminalEnabled(terminalId, false)).toMatchObject({ status: 'disabled' });
    await clock.advanceAsync(30_000);
    await expect.poll(() => answers).toEqual([false, true]);
    // A disabled terminal is still heard, so it can be told; ops sees the second beat.
    expect(await server.terminalSummary(terminalId)).toMatchObject({
      ...seenByOps(firstBeatAtMs + 30_000),
      status: 'disabled',
    });
    heartbeat.stop();

    const lookup = createServerLookup(client);
    const code = await server.signUpShopper('Maria Gonzalez');
    // A disabled terminal may not look codes up; ops enabling it again lets it.
    expect(await lookup.lookup(code, new AbortController().signal)).toEqual({
      kind: 'refused',
      code: 'TERMINAL_DISABLED',
    });
    expect(await server.setTerminalEnabled(terminalId, true)).toMatchObject({ status: 'online' });
    const dailyMaxMinor = moneyLimitsFor(defaultLimits, 'USD').tiers[0].walletDailyMaxMinor;
    expect(await lookup.lookup(code, new AbortController().signal)).toEqual({
      kind: 'found',
      maskedName: 'Maria G.',
      currency: 'USD',
      remainingMinor: dailyMaxMinor,
      balanceMinor: 0,
    });

    // A signed sync credits the wallet; the next lookup sees the balance and what is left of the day.
    const depositId = createUuidV7Generator(() => clock.nowMs())();
    const at = new Date(clock.nowMs()).toISOString();
    const deposit: KioskDeposit = {
      depositId,
      sequence: 1,
      code,
      claimCode: null,
      currency: 'USD',
      items: [{ kind: 'bill', ccTalkId: 'US0050A', valueMinor: 5_000, count: 1 }],
      rejectedCount: 0,
      totalMinor: 5_000,
      startedAt: at,
      committedAt: at,
      flags: { recovered: false, lostEvents: false, offline: false, deviceFault: false },
      receiptSignature: null,
    };
    expect(
      await client.post(terminalApiPaths.sync, { deposits: [deposit] }, SyncResponseSchema),
    ).toMatchObject({
      ok: true,
      value: { results: [{ depositId, status: 'created', creditedTo: 'wallet', inReview: false }] },
    });
    expect(await server.creditedByDeposit(terminalId)).toEqual(new Map([[depositId, 5_000]]));
    expect(await lookup.lookup(code, new AbortController().signal)).toEqual({
      kind: 'found',
      maskedName: 'Maria G.',
      currency: 'USD',
      remainingMinor: dailyMaxMinor - 5_000,
      balanceMinor: 5_000,
    });
    expect(await lookup.lookup(generateCode('deposit'), new AbortController().signal)).toEqual({
      kind: 'refused',
      code: 'CODE_UNKNOWN',
    });
  });

  it('will not start an enrolled kiosk whose journal is gone; enrolled again, it numbers after what the server knows', async () => {
    const folder = tempDir();
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 9));
    const server = await serverBackend(clock);
    servers.push(server);
    const configFile = path.join(folder, 'kiosk.json');
    writeFileSync(configFile, JSON.stringify({ ...validConfig, serverUrl: server.baseUrl }));
    const config = loadAgentConfig(configFile);
    const { key } = loadOrCreateTerminalKey(config.dataDir);
    const enroll = (token: string) =>
      enrollTerminal({
        serverUrl: server.baseUrl,
        token,
        key,
        softwareVersion: '1.2.3',
        dataDir: config.dataDir,
        clock,
        requestTimeoutMs: 5_000,
        fetch: server.fetch,
      });
    const { terminalId, token } = await server.newTerminal();
    expect(await enroll(token)).toMatchObject({ ok: true });
    // The kiosk had numbered its deposits up to 9 when it last told the server.
    const client = signedClientOf(
      server,
      terminalId,
      key,
      clock,
      readTerminalIdentity(config.dataDir)?.serverKeys,
    );
    const beat: HeartbeatRequest = {
      softwareVersion: '1.2.3',
      uptimeMs: 1_000,
      devices: [],
      outbox: { depth: 0, unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, quarantined: 0, lastSequence: 9 },
      bag: { currency: 'USD', totalMinor: 0, coinCount: 0, billCount: 0 },
      lastError: null,
    };
    expect(await client.post(terminalApiPaths.heartbeat, beat, HeartbeatResponseSchema)).toMatchObject({
      ok: true,
    });
    rmSync(journalPathIn(config.dataDir));
    const start = () =>
      startAgent({
        config,
        bridgeToken: 'x'.repeat(32),
        clock,
        logger: pino({ level: 'silent' }),
        fetch: server.fetch,
      });
    const refused = await start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(JournalMissingError);
    expect((refused as Error).message).toContain('--enroll');
    // Enrolled again with a key rotation token, its new journal numbers after what the server knows.
    expect(await enroll(await server.rotateTerminalKey(terminalId))).toMatchObject({ ok: true });
    const journal = new Database(journalPathIn(config.dataDir), { readonly: true });
    try {
      expect(journal.prepare("SELECT value FROM counters WHERE name = 'serverSequenceHigh'").get()).toEqual({
        value: 9,
      });
    } finally {
      journal.close();
    }
  });

  it('will not start a kiosk configured for another currency than the store it was enrolled in', async () => {
    const folder = tempDir();
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 9));
    const server = await serverBackend(clock);
    servers.push(server);
    const pesos = {
      ...validConfig,
      serverUrl: server.baseUrl,
      currency: 'MXN',
      devices: validConfig.devices.map((device) => ({ ...device, currency: 'MXN' })),
    };
    const configFile = path.join(folder, 'kiosk.json');
    writeFileSync(configFile, JSON.stringify(pesos));
    const config = loadAgentConfig(configFile);
    const { key } = loadOrCreateTerminalKey(config.dataDir);
    const { token } = await server.newTerminal();
    const enrolled = await enrollTerminal({
      serverUrl: server.baseUrl,
      token,
      key,
      softwareVersion: '1.2.3',
      dataDir: config.dataDir,
      clock,
      requestTimeoutMs: 5_000,
      fetch: server.fetch,
    });
    expect(enrolled).toMatchObject({ ok: true, value: { currency: 'USD' } });
    const refused = await startAgent({
      config,
      bridgeToken: 'x'.repeat(32),
      clock,
      logger: pino({ level: 'silent' }),
      fetch: server.fetch,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Every deposit it took would be answered as a conflict and set aside: it takes none, and says why.
    expect(refused).toBeInstanceOf(CurrencyMismatchError);
    expect(refused).toMatchObject({
      code: 'CURRENCY_MISMATCH',
      configuredCurrency: 'MXN',
      enrolledCurrency: 'USD',
    });
  });

  it('will not start a kiosk enrolled at a plain-http server address off this machine', async () => {
    const folder = tempDir();
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 9));
    const server = await serverBackend(clock);
    servers.push(server);
    const configFile = path.join(folder, 'kiosk.json');
    writeFileSync(configFile, JSON.stringify({ ...validConfig, serverUrl: server.baseUrl, uiPort: 0 }));
    const config = loadAgentConfig(configFile);
    const { key } = loadOrCreateTerminalKey(config.dataDir);
    // Enrolled by an older agent that took plain http: the identity keeps the address it talks to.
    const enrolled = await enrollTerminal({
      serverUrl: 'http://cashin.store.example',
      token: (await server.newTerminal()).token,
      key,
      softwareVersion: '1.2.3',
      dataDir: config.dataDir,
      clock,
      requestTimeoutMs: 5_000,
      fetch: server.fetch,
    });
    expect(enrolled).toMatchObject({ ok: true });
    const refused = await startAgent({
      config,
      bridgeToken: 'x'.repeat(32),
      clock,
      logger: pino({ level: 'silent' }),
      fetch: server.fetch,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AgentConfigError);
    expect((refused as AgentConfigError).problems[0]).toMatch(/^serverUrl /);
  });

  it('reports an unreachable server as a value, not a throw', async () => {
    const dataDir = tempDir();
    const { key } = loadOrCreateTerminalKey(dataDir);
    const clock = new FakeClock();
    const client = createSignedClient({
      baseUrl: 'http://127.0.0.1:9',
      terminalId: 'k',
      key,
      clock,
      requestTimeoutMs: 2_000,
      serverKeys: null,
    });
    expect(
      await createServerLookup(client).lookup(generateCode('deposit'), new AbortController().signal),
    ).toEqual({
      kind: 'unreachable',
    });
  });
});
