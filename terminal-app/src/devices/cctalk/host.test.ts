import { describe, expect, it } from 'vitest';
import { FakeClock } from '@cashin/shared';
import { duplexPair } from '../common/duplex-pair.js';
import type { ChecksumMode } from './checksum.js';
import { encodeFrame, toHex } from './frame.js';
import { CcTalkHost } from './host.js';

/**
 * A scripted device at address 2: for each request it gets, `answer` says what bytes to send back
 * (nothing for silence). Written against raw bytes, not the simulator, so the host is tested alone.
 */
function rig(mode: ChecksumMode, answer: (request: Buffer, index: number) => Uint8Array[]) {
  const clock = new FakeClock();
  const [hostEnd, deviceEnd] = duplexPair();
  const host = new CcTalkHost(hostEnd, {
    mode,
    clock,
    replyTimeoutMs: 100,
    retriesMax: 2,
    interByteTimeoutMs: 50,
    frameBytesMax: 260,
  });
  const requests: string[] = [];
  deviceEnd.on('data', (chunk: Buffer) => {
    requests.push(toHex(chunk));
    for (const bytes of answer(chunk, requests.length - 1)) deviceEnd.write(Buffer.from(bytes));
  });
  return { clock, host, requests };
}

const ack = (data: number[] = []) => encodeFrame('simple', 1, 2, 0, data);

async function settle(clock: FakeClock, ms: number): Promise<void> {
  for (let i = 0; i < ms; i += 10) {
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advanceAsync(10);
  }
}

describe('CcTalkHost', () => {
  it('sends the frame from the reference and returns the reply data, echo stripped', async () => {
    const { clock, host, requests } = rig('simple', (request) => [request, ack([0x45, 0x55])]);
    const reply = host.request(2, 184, [1]);
    await settle(clock, 20);
    expect(await reply).toEqual({ ok: true, data: Uint8Array.of(0x45, 0x55) });
    expect(requests).toEqual(['02 01 01 B8 01 43']);
    expect(host.echoDetected).toBe(true);
    expect(host.counters.echoesStripped).toBe(1);
  });

  it('detects that there is no echo', async () => {
    const { clock, host } = rig('simple', () => [ack()]);
    const reply = host.request(2, 254);
    await settle(clock, 20);
    expect((await reply).ok).toBe(true);
    expect(host.echoDetected).toBe(false);
  });

  it('retries a read that timed out, and gives up after retriesMax', async () => {
    const late = rig('simple', (_r, index) => (index < 2 ? [] : [ack([7])]));
    const reply = late.host.request(2, 229);
    await settle(late.clock, 400);
    expect(await reply).toEqual({ ok: true, data: Uint8Array.of(7) });
    expect(late.host.counters).toMatchObject({ timeouts: 2, retries: 2 });

    const silent = rig('simple', () => []);
    const none = silent.host.request(2, 229);
    await settle(silent.clock, 400);
    expect(await none).toEqual({ ok: false, failure: 'timeout' });
    expect(silent.requests).toHaveLength(3);
  });

  it('does not repeat a command marked not retryable', async () => {
    const { clock, host, requests } = rig('crc16', () => []);
    const reply = host.request(40, 154, [1], { retry: false });
    await settle(clock, 400);
    expect(await reply).toEqual({ ok: false, failure: 'timeout' });
    expect(requests).toEqual(['28 01 ' + toHex(encodeFrame('crc16', 40, 1, 154, [1])).slice(6)]);
  });

  it('reports NAK and BUSY, and ignores replies from another address', async () => {
    const nak = rig('simple', () => [encodeFrame('simple', 1, 2, 5)]);
    const r1 = nak.host.request(2, 1);
    await settle(nak.clock, 20);
    expect(await r1).toEqual({ ok: false, failure: 'nak' });

    const stranger = rig('simple', () => [
      encodeFrame('simple', 1, 3, 0),
      encodeFrame('simple', 1, 2, 0, [9]),
    ]);
    const r2 = stranger.host.request(2, 229);
    await settle(stranger.clock, 20);
    expect(await r2).toEqual({ ok: true, data: Uint8Array.of(9) });
    expect(stranger.host.counters.foreignFrames).toBe(1);
  });

  it('CRC-16 replies are matched too', async () => {
    const { clock, host } = rig('crc16', (request) => [request, encodeFrame('crc16', 1, 40, 0, [1, 2, 3])]);
    const reply = host.request(40, 159);
    await settle(clock, 20);
    expect(await reply).toEqual({ ok: true, data: Uint8Array.of(1, 2, 3) });
  });
});

describe('CcTalkHost and late replies', () => {
  it('skips a reply that does not fit the request (a late answer to an earlier one)', async () => {
    const late229 = encodeFrame('simple', 1, 2, 0, [3, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const { clock, host } = rig('simple', () => [late229, ack()]);
    const reply = host.request(2, 231, [0xff, 0xff], { accept: (data) => data.length === 0 });
    await settle(clock, 20);
    expect(await reply).toEqual({ ok: true, data: new Uint8Array(0) });
    expect(host.counters.staleReplies).toBe(1);
  });

  it('on an echoing bus, skips a reply that comes before the request echoes back, even one that fits', async () => {
    // The second answer to a retried 184 arrives while the next 184 is in flight: same shape, wrong channel.
    const channelOne = ack([0x55, 0x53, 0x30, 0x32, 0x35, 0x41]);
    const channelTwo = ack([0x55, 0x53, 0x31, 0x30, 0x30, 0x41]);
    const { clock, host } = rig('simple', (request, index) =>
      index === 0 ? [request, channelOne] : [channelOne, request, channelTwo],
    );
    const first = host.request(2, 184, [1]);
    await settle(clock, 20);
    expect(await first).toMatchObject({ ok: true, data: channelOne.subarray(4, 10) });
    const second = host.request(2, 184, [2]);
    await settle(clock, 20);
    expect(await second).toMatchObject({ ok: true, data: channelTwo.subarray(4, 10) });
    expect(host.counters.staleReplies).toBe(1);
    expect(host.echoDetected).toBe(true);
  });
});
