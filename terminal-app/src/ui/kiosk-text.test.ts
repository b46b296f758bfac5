import type { KioskNotice, KioskScreen } from '@cashin/shared';
import { KioskNoticeSchema, languages, translator } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import { bagCountsText, noticeKey, outboxDepthText, returnedTexts } from './kiosk-text.js';
import { kioskMessages } from './messages.js';

describe('notice wording', () => {
  it.each([
    // A bill handed back says its own reason, wherever it is shown.
    ['billOverLimit', 'insertMoney', 'notice.billOverLimit'],
    ['billOtherCurrency', 'insertMoney', 'notice.billOtherCurrency'],
    ['billEscrowBusy', 'insertMoney', 'notice.billEscrowBusy'],
    ['billNotStacked', 'insertMoney', 'notice.billNotStacked'],
    // After Finish the deposit is closing: that, not the limit, is why the bill came back.
    ['billAfterFinish', 'finishing', 'notice.billAfterFinish'],
    ['billOverLimit', 'finishing', 'notice.billOverLimit'],
    ['scanIgnored', 'insertMoney', 'notice.scanIgnored'],
    // On the done screen no deposit is open: the scan waits for the shopper to leave it.
    ['scanIgnored', 'done', 'notice.scanIgnoredDone'],
    ['coinRejected', 'insertMoney', 'notice.coinRejected'],
  ] as const)('%s on %s reads as %s', (notice, screen, key) => {
    expect(noticeKey({ notice, screen })).toBe(key);
  });

  it('has words for every notice on every screen, in every language', () => {
    const screens: KioskScreen[] = ['insertMoney', 'finishing', 'done', 'identify', 'confirm'];
    for (const notice of KioskNoticeSchema.options as readonly KioskNotice[]) {
      for (const screen of screens) {
        const key = noticeKey({ notice, screen });
        for (const language of languages)
          expect(kioskMessages[language][key!], `${notice} ${screen}`).toBeTruthy();
      }
    }
    expect(noticeKey({ notice: null, screen: 'done' })).toBeNull();
  });

  it.each(languages)('in %s: each reason a bill was handed back has words of its own', (language) => {
    const billNotices = [
      'billOverLimit',
      'billOtherCurrency',
      'billEscrowBusy',
      'billAfterFinish',
      'billNotStacked',
    ];
    const texts = billNotices.map((notice) => {
      const key = noticeKey({ notice: KioskNoticeSchema.parse(notice), screen: 'insertMoney' });
      return kioskMessages[language][key!];
    });
    expect(new Set(texts).size).toBe(billNotices.length);
  });
});

describe('returned coins and bills', () => {
  it.each(languages)('in %s: coins and bills each in their own words, singular and plural', (language) => {
    const t = translator(kioskMessages, language);
    expect(returnedTexts({ rejectedCoinCount: 0, rejectedBillCount: 0 }, t)).toEqual([]);
    expect(returnedTexts({ rejectedCoinCount: 1, rejectedBillCount: 0 }, t)).toEqual([
      t('insert.coinsReturnedOne'),
    ]);
    expect(returnedTexts({ rejectedCoinCount: 3, rejectedBillCount: 0 }, t)).toEqual([
      t('insert.coinsReturnedMany', { count: 3 }),
    ]);
    expect(returnedTexts({ rejectedCoinCount: 0, rejectedBillCount: 1 }, t)).toEqual([
      t('insert.billsReturnedOne'),
    ]);
    expect(returnedTexts({ rejectedCoinCount: 2, rejectedBillCount: 2 }, t)).toEqual([
      t('insert.coinsReturnedMany', { count: 2 }),
      t('insert.billsReturnedMany', { count: 2 }),
    ]);
    // A returned bill is never sent to the coin cup, nor a coin to the bill slot.
    const m = kioskMessages[language];
    expect(m['insert.billsReturnedOne']).not.toBe(m['insert.coinsReturnedOne']);
    expect(m['insert.billsReturnedMany']).not.toBe(m['insert.coinsReturnedMany']);
  });

  it('says in English where each comes back', () => {
    const t = translator(kioskMessages, 'en');
    const [bill] = returnedTexts({ rejectedCoinCount: 0, rejectedBillCount: 1 }, t);
    expect(bill).toMatch(/^1 bill returned: .*bill slot/);
    expect(bill).not.toMatch(/coin/i);
    const [coins] = returnedTexts({ rejectedCoinCount: 2, rejectedBillCount: 0 }, t);
    expect(coins).toMatch(/^2 coins returned: .*coin return cup/);
  });
});

describe('maintenance counts', () => {
  it.each([
    ['en', 1, 1, '1 coin, 1 bill'],
    ['en', 0, 2, '0 coins, 2 bills'],
    ['en', 12, 1, '12 coins, 1 bill'],
    ['es', 1, 1, '1 moneda, 1 billete'],
    ['es', 5, 0, '5 monedas, 0 billetes'],
  ] as const)('in %s the bag of %i coins and %i bills reads "%s"', (language, coins, bills, text) => {
    expect(bagCountsText(coins, bills, translator(kioskMessages, language))).toBe(text);
  });

  it.each([
    ['en', 1, '1 deposit, $5.00'],
    ['en', 0, '0 deposits, $5.00'],
    ['en', 3, '3 deposits, $5.00'],
    ['es', 1, '1 depósito, $5.00'],
    ['es', 2, '2 depósitos, $5.00'],
  ] as const)('in %s %i deposits waiting read "%s"', (language, count, text) => {
    expect(outboxDepthText(count, '$5.00', translator(kioskMessages, language))).toBe(text);
  });
});
