import type { KioskIntent, KioskSnapshot, MessageParams } from '@cashin/shared';
import { errorMessage, formatMoney, localeFor, translator } from '@cashin/shared';
import type { KioskMessageKey } from './messages.js';
import { kioskMessages } from './messages.js';

/** What every screen needs: the snapshot, words and money in the shopper's language, and a way to ask. */
export interface ScreenProps {
  snapshot: KioskSnapshot;
  t: (key: KioskMessageKey, params?: MessageParams) => string;
  money: (amountMinor: number) => string;
  errorText: (code: NonNullable<KioskSnapshot['lastError']>, params?: MessageParams) => string;
  send: (intent: KioskIntent) => void;
}

export function screenProps(snapshot: KioskSnapshot, send: (intent: KioskIntent) => void): ScreenProps {
  const locale = localeFor(snapshot.language, snapshot.currency);
  return {
    snapshot,
    t: translator(kioskMessages, snapshot.language),
    money: (amountMinor) => formatMoney(amountMinor, snapshot.currency, locale),
    errorText: (code, params) => errorMessage(code, snapshot.language, params),
    send,
  };
}
