/**
 * What a 229 error code (A = 0, code in B) means for the kiosk. Codes per the reference notes (ccTalk-HLA,
 * SR3 manual table 15).
 *
 * A coin the acceptor gave back is a rejected coin whatever the reason, including the codes public drivers
 * call fraud attempts (a coin on a string, a coin too fast or too slow, a slug): those are one-off alarms
 * about one coin, `rejected` with `fraud` set so the driver can log them, never a fault, because nothing
 * stays broken and no later event would say it was over. Only a condition a technician must clear (a coin
 * jam, a blocked sensor, a failed gate or motor, the flight deck open) is a fault.
 */
export type CoinErrorClass =
  | { kind: 'none' }
  | { kind: 'rejected'; fraud: boolean }
  | { kind: 'inhibited'; channel?: number }
  | { kind: 'jam' }
  | { kind: 'flightDeckOpen' }
  | { kind: 'hardware' }
  | { kind: 'swallowed' };

/** Codes public drivers map to fraud attempts: 16 credit sequence error, 17 to 25 but 21, 40 light attack. */
const fraudCodes = new Set([16, 17, 18, 19, 20, 22, 23, 24, 25, 40]);
/** Blocked sensors and opto timeouts: a coin is stuck in the mechanism. */
const jamCodes = new Set([14, 15, 21, 26, 31, 32]);
/** Gate, manifold, motor and security faults. */
const hardwareCodes = new Set([27, 28, 29, 30, 33, 34, 35]);

/** Inhibited coin by channel: 128 is channel 1 ... 159 is channel 32. */
const inhibitedByChannelFirst = 128;
const inhibitedByChannelLast = 159;

export const coinErrorCodes = {
  nullEvent: 0,
  rejectCoin: 1,
  inhibitedCoin: 2,
  creditSensorBlocked: 14,
  coinTooFast: 18,
  coinOnString: 20,
  rejectSlug: 25,
  /** The coin went into the cash box without a credit: money of unknown value. */
  swallowedCoin: 36,
  externalLightAttack: 40,
  flightDeckOpen: 254,
} as const;

export function classifyCoinError(code: number): CoinErrorClass {
  if (code === coinErrorCodes.nullEvent) return { kind: 'none' };
  if (code === coinErrorCodes.inhibitedCoin) return { kind: 'inhibited' };
  if (code >= inhibitedByChannelFirst && code <= inhibitedByChannelLast) {
    return { kind: 'inhibited', channel: code - inhibitedByChannelFirst + 1 };
  }
  if (code === coinErrorCodes.flightDeckOpen) return { kind: 'flightDeckOpen' };
  if (code === coinErrorCodes.swallowedCoin) return { kind: 'swallowed' };
  if (jamCodes.has(code)) return { kind: 'jam' };
  if (hardwareCodes.has(code)) return { kind: 'hardware' };
  // Everything else (validation and sensor timeouts, slugs, fraud alarms, 255 unspecified) gave the coin back.
  return { kind: 'rejected', fraud: fraudCodes.has(code) };
}
