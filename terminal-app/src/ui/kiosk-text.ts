import type { KioskSnapshot, MessageParams } from '@cashin/shared';
import type { KioskMessageKey } from './messages.js';

type Translate = (key: KioskMessageKey, params?: MessageParams) => string;

/**
 * Which words a notice is shown in. The agent names what happened and why (a bill handed back says its own
 * reason); only a scan ignored is worded by where it happened: on the done screen it found the last
 * deposit finished, not one open.
 */
export function noticeKey(snapshot: Pick<KioskSnapshot, 'notice' | 'screen'>): KioskMessageKey | null {
  switch (snapshot.notice) {
    case null:
      return null;
    case 'scanIgnored':
      return snapshot.screen === 'done' ? 'notice.scanIgnoredDone' : 'notice.scanIgnored';
    default:
      return `notice.${snapshot.notice}`;
  }
}

/**
 * What the insert-money screen says about what the acceptors handed back, one sentence per kind: a coin
 * drops into the coin return cup, a bill comes back out of the bill slot, and each is refused for its own
 * reasons. Empty when nothing was handed back.
 */
export function returnedTexts(
  snapshot: Pick<KioskSnapshot, 'rejectedCoinCount' | 'rejectedBillCount'>,
  t: Translate,
): string[] {
  const texts: string[] = [];
  const coins = snapshot.rejectedCoinCount;
  const bills = snapshot.rejectedBillCount;
  if (coins > 0)
    texts.push(coins === 1 ? t('insert.coinsReturnedOne') : t('insert.coinsReturnedMany', { count: coins }));
  if (bills > 0)
    texts.push(bills === 1 ? t('insert.billsReturnedOne') : t('insert.billsReturnedMany', { count: bills }));
  return texts;
}

/** "3 coins, 1 bill": a count of each, each word in the number it takes. */
export function bagCountsText(coins: number, bills: number, t: Translate): string {
  return t('maintenance.bagCounts', {
    coins: coins === 1 ? t('maintenance.coinsOne') : t('maintenance.coinsMany', { count: coins }),
    bills: bills === 1 ? t('maintenance.billsOne') : t('maintenance.billsMany', { count: bills }),
  });
}

/** "1 deposit, $5.00" or "4 deposits, $20.00": the deposits waiting to sync and what they hold. */
export function outboxDepthText(count: number, amount: string, t: Translate): string {
  return count === 1
    ? t('maintenance.outboxDepthOne', { amount })
    : t('maintenance.outboxDepthMany', { count, amount });
}
