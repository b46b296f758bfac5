import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '@cashin/shared';
import { duplexPair } from '../common/duplex-pair.js';
import { CounterLink } from './counter-link.js';
import {
  NAK,
  checkReply,
  counterCommands,
  encodeCommand,
  encodeRegister,
  encodeReply,
  registerValue,
} from './scan-coin-protocol.js';

describe('Scan Coin style counter protocol', () => {
  it('log on is ESC Q F with (Q + F) AND 0xFF, as the handbook has it', () => {
    expect(Array.from(encodeCommand(counterCommands.logOn))).toEqual([0x1b, 0x51, 0x46, 0x97]);
    expect(Array.from(encodeCommand(counterCommands.readRegister, 2))).toEqual([
      0x1b, 0x52, 0x44, 0x02, 0x98,
    ]);
  });

  it('checks reply checksums and reads 32-bit registers', () => {
    const reply = encodeReply(encodeRegister(4_000_000_123));
    expect(checkReply(reply, 5)).toMatchObject({ ok: true });
    const result = checkReply(reply, 5);
    if (result.ok) expect(registerValue(result.data)).toBe(4_000_000_123);
    reply[2] = (reply[2] ?? 0) ^ 1;
    expect(checkReply(reply, 5)).toEqual({ ok: false, why: 'badChecksum' });
    expect(checkReply(Uint8Array.of(NAK), 5)).toEqual({ ok: false, why: 'nak' });
  });

  it('a reply cut into any chunks is read whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.nat({ max: 5 })),
        async (value, cuts) => {
          const clock = new FakeClock();
          const [hostEnd, deviceEnd] = duplexPair();
          const link = new CounterLink(hostEnd, clock, 200);
          const reply = encodeReply(encodeRegister(value));
          deviceEnd.once('data', () => {
            let start = 0;
            for (const p of [...new Set(cuts)].sort((a, b) => a - b).concat(reply.length)) {
              if (p > start) deviceEnd.write(Buffer.from(reply.subarray(start, p)));
              start = Math.max(start, p);
            }
          });
          const result = await link.request(counterCommands.readCount);
          expect(result.ok && registerValue(result.data)).toBe(value);
          link.close();
        },
      ),
      { numRuns: 50 },
    );
  });
});
