import { FakeClock } from '@cashin/shared';
import { fuzzParameters } from '@cashin/shared/testing/fuzz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplexPair } from '../common/duplex-pair.js';
import { CounterLink } from './counter-link.js';
import type { CounterCommand } from './scan-coin-protocol.js';
import { checkReply, checksum, counterCommands, registerValue, replyBytes } from './scan-coin-protocol.js';

/**
 * Fuzzing of the bulk coin counter's protocol as the kiosk reads it: any reply bytes, to any command, in any
 * chunks, or none at all. The link answers every request with a result, never throws, and calls a reply
 * good only when its length and checksum are right.
 */
const commands = Object.values(counterCommands) as CounterCommand[];

describe('the bulk counter protocol under fuzz', () => {
  it('checkReply answers any bytes, and passes only a reply with the right length and checksum', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.constantFrom(...commands), (reply, command) => {
        const expected = replyBytes(command);
        const result = checkReply(reply, expected);
        if (!result.ok) {
          expect(['badChecksum', 'nak', 'badLength']).toContain(result.why);
          return;
        }
        expect(reply.length).toBe(expected);
        if (expected > 1) {
          expect(checksum(result.data)).toBe(reply[reply.length - 1]);
          expect(registerValue(result.data)).toBeGreaterThanOrEqual(0);
        }
      }),
      fuzzParameters(5_000),
    );
  });

  it('the link answers every request whatever the line sends, in whatever chunks, or when it sends nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.constantFrom(...commands), fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 3 })),
          { minLength: 1, maxLength: 6 },
        ),
        async (exchanges) => {
          const clock = new FakeClock();
          const [hostEnd, deviceEnd] = duplexPair();
          const link = new CounterLink(hostEnd, clock, 200);
          for (const [command, chunks] of exchanges) {
            const answered = link.request(command);
            for (const chunk of chunks) deviceEnd.write(Buffer.from(chunk));
            // Let the written chunks reach the link, then run out the reply timeout.
            await new Promise((resolve) => setImmediate(resolve));
            clock.advance(200);
            const result = await answered;
            if (result.ok) expect(result.data.length).toBeLessThanOrEqual(replyBytes(command));
            else expect(['badChecksum', 'nak', 'badLength', 'timeout']).toContain(result.why);
          }
          link.close();
        },
      ),
      fuzzParameters(150),
    );
  });
});
