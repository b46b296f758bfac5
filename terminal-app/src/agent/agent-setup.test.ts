import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HeartbeatRequest } from '@cashin/shared';
import { FakeClock, generateCode } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerLookup } from '../sync/server-lookup.js';
import { createSignedClient } from '../sync/signed-client.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import type { TerminalServerDouble } from '../testing/terminal-server-double.js';
import { startTerminalServerDouble } from '../testing/terminal-server-double.js';
import { AgentConfigError, loadAgentConfig, parseAgentArgs } from './agent-config.js';
import { enrollTerminal } from './enroll.js';
import { Heartbeat } from './heartbeat.js';
import { checkTechnicianPin, hashTechnicianPin } from './technician-pin.js';
import { readTerminalIdentity } from './terminal-identity.js';

const servers: TerminalServerDouble[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

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
  it('enrolls once with the token, then signs heartbeats and lookups the server accepts', async () => {
    const dataDir = tempDir();
    const { key } = loadOrCreateTerminalKey(dataDir);
    const server = await startTerminalServerDouble('kiosk-9', null, 'a-one-time-enrollment-token');
    servers.push(server);
    const clock = new FakeClock();
    const common = {
      serverUrl: server.baseUrl,
      key,
      softwareVersion: '1.2.3',
      dataDir,
      clock,
      requestTimeoutMs: 5_000,
    };
    const enrolled = await enrollTerminal({ ...common, token: 'a-one-time-enrollment-token' });
    expect(enrolled).toMatchObject({ ok: true, value: { terminalId: 'kiosk-9', storeId: 'store-1' } });
    expect(readTerminalIdentity(dataDir)).toMatchObject({ terminalId: 'kiosk-9', serverUrl: server.baseUrl });
    expect(await enrollTerminal({ ...common, token: 'a-one-time-enrollment-token' })).toMatchObject({
      ok: false,
      kind: 'refused',
      code: 'ENROLLMENT_TOKEN_INVALID',
    });

    const client = createSignedClient({
      baseUrl: server.baseUrl,
      terminalId: 'kiosk-9',
      key,
      clock,
      requestTimeoutMs: 5_000,
    });
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
    const answers: boolean[] = [];
    const heartbeat = new Heartbeat({
      client,
      clock,
      intervalMs: 30_000,
      collect: () => beat,
      onAnswer: (a) => answers.push(a.disabled),
    });
    heartbeat.start();
    await expect.poll(() => server.heartbeats.length).toBe(1);
    // The next beat is scheduled once the first answer is in: only then may the clock move past it.
    await expect.poll(() => answers).toEqual([false]);
    server.disabled = true;
    await clock.advanceAsync(30_000);
    await expect.poll(() => answers).toEqual([false, true]);
    expect(server.heartbeats[1]).toEqual(beat);
    heartbeat.stop();

    const code = generateCode('deposit');
    server.shoppers.set(code, { maskedName: 'Maria G.', remainingMinor: 95_000, balanceMinor: 5_000 });
    const lookup = createServerLookup(client);
    expect(await lookup.lookup(code, new AbortController().signal)).toEqual({
      kind: 'found',
      maskedName: 'Maria G.',
      currency: 'USD',
      remainingMinor: 95_000,
      balanceMinor: 5_000,
    });
    expect(await lookup.lookup(generateCode('deposit'), new AbortController().signal)).toEqual({
      kind: 'refused',
      code: 'CODE_UNKNOWN',
    });
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
    });
    expect(
      await createServerLookup(client).lookup(generateCode('deposit'), new AbortController().signal),
    ).toEqual({
      kind: 'unreachable',
    });
  });
});
