import { createHash, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HeartbeatRequest } from '@cashin/shared';
import { FakeClock, answerSignatureBase, contentDigestHeader, terminalHeaders } from '@cashin/shared';
import { newKeyPair } from '@cashin/server/test-kit/terminal-kit.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerChaosBackend } from '../chaos/server-backend.js';
import { serverBackend } from '../chaos/server-backend.js';
import { createSignedClient } from '../sync/signed-client.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import { enrollTerminal } from './enroll.js';
import { Heartbeat } from './heartbeat.js';
import { ServerKeyPins } from './server-key-pins.js';
import type { TerminalIdentity } from './terminal-identity.js';
import { readTerminalIdentity, writeTerminalIdentity } from './terminal-identity.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-pins-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Who answers the kiosk. `server`: the real server (buildApp), signing with its configured key A and
 * listing the next key B (SERVER_TRUSTED_KEYS). `switched`: the same server after its signing key became B
 * (a machine in between holding B's private half re-signs each true answer, as the switched server would
 * sign it). `nextOnly`: switched and the old key dropped from the list. `stranger`: someone with a key of
 * their own, listing only it.
 */
type Answerer = 'server' | 'switched' | 'nextOnly' | 'stranger';

async function rollover() {
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12));
  const next = newKeyPair();
  const stranger = newKeyPair();
  const server: ServerChaosBackend = await serverBackend(clock, {
    env: { SERVER_TRUSTED_KEYS: next.publicKey },
  });
  cleanups.push(() => server.close());
  const dataDir = tempDir();
  const { key } = loadOrCreateTerminalKey(dataDir);
  const enrolled = await enrollTerminal({
    serverUrl: server.baseUrl,
    token: await server.enrollmentToken(),
    key,
    softwareVersion: 'test',
    dataDir,
    clock,
    requestTimeoutMs: 5_000,
    fetch: server.fetch,
  });
  if (!enrolled.ok) throw new Error(`enrollment: ${JSON.stringify(enrolled)}`);
  const { terminalId } = enrolled.value;
  let answerer: Answerer = 'server';
  const resign = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const answer = await server.fetch(input, init);
    if (answerer === 'server') return answer;
    const signer = answerer === 'stranger' ? stranger : next;
    let body = Buffer.from(await answer.arrayBuffer());
    if (answerer !== 'switched') {
      const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      if ('serverKeys' in json)
        body = Buffer.from(JSON.stringify({ ...json, serverKeys: [signer.publicKey] }));
    }
    const headers = new Headers(init?.headers);
    const base = answerSignatureBase({
      path: new URL(String(input)).pathname,
      terminalId: headers.get(terminalHeaders.terminalId) ?? '',
      nonce: headers.get(terminalHeaders.nonce) ?? '',
      status: answer.status,
      contentDigest: contentDigestHeader(createHash('sha256').update(body).digest('base64')),
    });
    const signature = sign(null, Buffer.from(base, 'utf8'), signer.privateKey).toString('base64url');
    const answerHeaders = new Headers(answer.headers);
    answerHeaders.set(terminalHeaders.answerSignature, signature);
    return new Response(body, { status: answer.status, headers: answerHeaders });
  };
  /** The kiosk's pins, heartbeat and signed client, as the agent wires them, read from its data folder. */
  const kiosk = () => {
    const identity = readTerminalIdentity(dataDir);
    if (identity === null) throw new Error('not enrolled');
    const pins = new ServerKeyPins(dataDir, identity);
    const client = createSignedClient({
      baseUrl: server.baseUrl,
      terminalId,
      key,
      clock,
      requestTimeoutMs: 5_000,
      serverKeys: () => pins.list() ?? [],
      fetch: resign,
    });
    const collect = (): HeartbeatRequest => ({
      softwareVersion: 'test',
      uptimeMs: 1_000,
      devices: [],
      outbox: { depth: 0, unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, quarantined: 0, lastSequence: 0 },
      bag: { currency: 'USD', totalMinor: 0, coinCount: 0, billCount: 0 },
      lastError: null,
      serverKeys: pins.list()?.slice(),
    });
    const heartbeat = new Heartbeat({
      client,
      clock,
      intervalMs: 60_000,
      collect,
      onAnswer: (answer) => pins.heard(answer.serverKeys),
    });
    return { pins, beat: () => heartbeat.sendNow() };
  };
  return {
    server,
    terminalId,
    dataDir,
    signing: enrolled.value.serverPublicKey ?? '',
    next: next.publicKey,
    answeredBy: (who: Answerer) => (answerer = who),
    kiosk,
  };
}

describe("a rollover of the server's answer-signing key, as a kiosk lives it", () => {
  it('takes the next key from a signed heartbeat, believes it once the server signs with it, then only it', async () => {
    const r = await rollover();
    // A kiosk enrolled before the rollover began holds the one key it was enrolled with.
    const enrolledWith = readTerminalIdentity(r.dataDir)!;
    const { serverKeys: _listed, ...before } = enrolledWith;
    writeTerminalIdentity(r.dataDir, before satisfies TerminalIdentity);
    let kiosk = r.kiosk();
    expect(kiosk.pins.list()).toEqual([r.signing]);

    // The server lists the next key in a heartbeat answer signed with the current one: the kiosk pins it,
    // in its identity file too, and its next heartbeat tells ops it holds both.
    expect((await kiosk.beat()).ok).toBe(true);
    expect(kiosk.pins.list()).toEqual([r.signing, r.next]);
    expect(readTerminalIdentity(r.dataDir)?.serverKeys).toEqual([r.signing, r.next]);
    await kiosk.beat();
    expect((await r.server.terminalSummary(r.terminalId)).serverKeys).toEqual([r.signing, r.next]);
    // The same keys in another order (a process already switched lists the next key first) change nothing.
    expect(kiosk.pins.heard([r.next, r.signing])).toBe(false);

    // The server signs with the next key now: believed.
    r.answeredBy('switched');
    expect(await kiosk.beat()).toMatchObject({ ok: true });
    // Someone else's key is not, and changes nothing, whatever their answer lists.
    r.answeredBy('stranger');
    expect(await kiosk.beat()).toMatchObject({ ok: false, kind: 'unreachable' });
    expect(kiosk.pins.list()).toEqual([r.signing, r.next]);

    // The old key is dropped from the list: the kiosk believes the next key alone, after a restart too.
    r.answeredBy('nextOnly');
    expect((await kiosk.beat()).ok).toBe(true);
    expect(kiosk.pins.list()).toEqual([r.next]);
    kiosk = r.kiosk();
    expect(kiosk.pins.list()).toEqual([r.next]);
    // An answer signed with the old key (a forgotten process, or whoever has the old key) is not believed.
    r.answeredBy('server');
    expect(await kiosk.beat()).toMatchObject({
      ok: false,
      kind: 'unreachable',
      detail: expect.stringMatching(/not signed by the server/),
    });
    expect(kiosk.pins.list()).toEqual([r.next]);
  });

  it('leaves a kiosk enrolled before answers were signed unpinned, whatever a heartbeat lists', async () => {
    const r = await rollover();
    const { serverKeys: _listed, serverPublicKey: _key, ...unpinned } = readTerminalIdentity(r.dataDir)!;
    writeTerminalIdentity(r.dataDir, unpinned);
    const kiosk = r.kiosk();
    expect(kiosk.pins.list()).toBeNull();
    expect(kiosk.pins.heard([r.signing, r.next])).toBe(false);
    expect(readTerminalIdentity(r.dataDir)?.serverKeys).toBeUndefined();
  });
});
