/**
 * How often the open wallet asks for news. Credits at a till or a kiosk land at once, so while the
 * barcode is on screen (the shopper is at the counter) the wallet asks often; elsewhere it asks less, and
 * not at all while the page is hidden. Each is a bound, checked against the other at load.
 */
export const walletPollMsWhileCodeShown = 4_000;
export const walletPollMsOtherwise = 15_000;
/** After failures the wait doubles up to this, so a dead connection does not drain a cheap phone. */
export const walletPollMsMax = 60_000;

if (!(walletPollMsWhileCodeShown <= walletPollMsOtherwise && walletPollMsOtherwise <= walletPollMsMax)) {
  throw new Error('wallet poll intervals are out of order');
}

export function nextPollMs(baseMs: number, failuresInARow: number): number {
  return Math.min(baseMs * 2 ** Math.min(failuresInARow, 8), walletPollMsMax);
}
