import type { DeviceKind } from '@cashin/shared';

/**
 * What came back uncounted in one deposit, by where the shopper finds it: a coin drops into the coin
 * return cup, a bill comes back out of the bill slot. The receipt prints each apart, as the screen says it.
 *
 * `unsortedCount` is what a journal from before it kept the kind of each return holds: those rows say only
 * how many came back, so a receipt of them prints one line for both, which is all that is known.
 */
export interface ReturnedPieces {
  coinCount: number;
  billCount: number;
  unsortedCount: number;
}

export const noneReturned: ReturnedPieces = { coinCount: 0, billCount: 0, unsortedCount: 0 };

/**
 * Where a device hands back what it does not take: a bill validator out of its slot, a coin acceptor or a
 * bulk counter into the coin return cup. A device the configuration does not name is taken for a coin
 * device, as the deposit machine always has.
 */
export function returnedKindOf(deviceKind: DeviceKind | undefined): 'coin' | 'bill' {
  return deviceKind === 'billValidator' ? 'bill' : 'coin';
}
