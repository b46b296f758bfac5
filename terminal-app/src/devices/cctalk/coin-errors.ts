/**
 * What a 229 error code (A = 0, code in B) means for the kiosk. Codes per the reference notes (ccTalk-HLA,
 * SR3 manual table 15). Fraud codes are the ones public drivers treat as an attempt on the acceptor.
 */
export type CoinErrorClass =
  | { kind: 'none' }
  | { kind: 'rejected' }
  | { kind: 'inhibited'; channel?: number }
  | { kind: 'fraud' }
  | { kind: 'jam' }
  | { kind: 'flightDeckOpen' }
  | { kind: 'hardware' };

const fraudCodes = new Set([17, 18, 19, 20, 22, 23, 24, 25, 40]);
const jamCodes = new Set([14, 15, 21, 26, 31, 32]);
const hardwareCodes = new Set([27, 28, 29, 30, 33, 34, 35, 36]);

/** Inhibited coin by channel: 128 is channel 1 ... 159 is channel 32. */
const inhibitedByChannelFirst = 128;
const inhibitedByChannelLast = 159;

export const coinErrorCodes = {
  nullEvent: 0,
  rejectCoin: 1,
  inhibitedCoin: 2,
  creditSensorBlocked: 14,
  coinOnString: 20,
  rejectSlug: 25,
  flightDeckOpen: 254,
} as const;

export function classifyCoinError(code: number): CoinErrorClass {
  if (code === coinErrorCodes.nullEvent) return { kind: 'none' };
  if (code === coinErrorCodes.inhibitedCoin) return { kind: 'inhibited' };
  if (code >= inhibitedByChannelFirst && code <= inhibitedByChannelLast) {
    return { kind: 'inhibited', channel: code - inhibitedByChannelFirst + 1 };
  }
  if (code === coinErrorCodes.flightDeckOpen) return { kind: 'flightDeckOpen' };
  if (fraudCodes.has(code)) return { kind: 'fraud' };
  if (jamCodes.has(code)) return { kind: 'jam' };
  if (hardwareCodes.has(code)) return { kind: 'hardware' };
  // Everything else (validation and sensor timeouts, 255 unspecified) gave the coin back.
  return { kind: 'rejected' };
}
