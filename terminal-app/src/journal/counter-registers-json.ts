import { z } from 'zod';
import type { CounterRegisters } from '../devices/counter/counter-registers.js';
import { registerIdBytes, registersMax } from '../devices/counter/scan-coin-protocol.js';

/** The largest value a counter register holds: four bytes, most significant first (see registerValue). */
const registerValueMax = 0xffff_ffff;

/**
 * A bulk counter's registers as the journal stores them (`counter_registers.registers_json`). They are
 * read back at start, from a file that outlived the process that wrote it (and may have been written by
 * another version), so they are parsed against this schema rather than trusted.
 */
const CounterRegistersSchema = z.strictObject({
  counts: z
    .array(
      z.strictObject({
        register: z
          .int()
          .min(0)
          .max(registersMax - 1),
        ccTalkId: z.string().min(1).max(registerIdBytes),
        count: z.int().min(0).max(registerValueMax),
      }),
    )
    .max(registersMax),
  rejects: z.int().min(0).max(registerValueMax),
  atMs: z.int().min(0),
}) satisfies z.ZodType<CounterRegisters>;

/**
 * Registers that describe no counter (no register at all): what a stored row that does not parse reads
 * as. The driver then takes them for another counter's, raises `unknownMoney` and reports lost events, so
 * whatever the counter counted while the agent was down is held for review; skipping the row instead
 * would have the driver start from its live registers and drop those coins without a word.
 */
function unreadableRegisters(atMs: number): CounterRegisters {
  return { counts: [], rejects: 0, atMs };
}

/** The stored form: exactly the schema's fields, whatever else the object carries. */
export function counterRegistersToJson(registers: CounterRegisters): string {
  return JSON.stringify({
    counts: registers.counts.map(({ register, ccTalkId, count }) => ({ register, ccTalkId, count })),
    rejects: registers.rejects,
    atMs: registers.atMs,
  });
}

/** Parses a stored row; `atMs` is the row's own time, used when its JSON does not parse. */
export function counterRegistersFromJson(json: string, atMs: number): CounterRegisters {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return unreadableRegisters(atMs);
  }
  const parsed = CounterRegistersSchema.safeParse(value);
  return parsed.success ? parsed.data : unreadableRegisters(atMs);
}
