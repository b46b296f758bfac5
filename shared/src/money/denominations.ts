import type { CurrencyCode } from './currency.js';

export type DenominationKind = 'coin' | 'bill';

/**
 * A coin or bill the network accepts. `ccTalkId` is what a device reports for it: 6 characters for coins
 * (header 184, "US025A") and 7 for bills (header 157, "US0020A"): country, value code, issue letter. The value
 * code's scale is the issuing country's convention (cents for US coins, pesos for Mexican ones), so drivers
 * map ids through this table rather than reading a number out of the text.
 */
export interface Denomination {
  readonly currency: CurrencyCode;
  readonly kind: DenominationKind;
  readonly valueMinor: number;
  readonly ccTalkId: string;
}

function coins(currency: CurrencyCode, entries: ReadonlyArray<readonly [string, number]>): Denomination[] {
  return entries.map(([ccTalkId, valueMinor]) => ({ currency, kind: 'coin', valueMinor, ccTalkId }));
}

function bills(currency: CurrencyCode, entries: ReadonlyArray<readonly [string, number]>): Denomination[] {
  return entries.map(([ccTalkId, valueMinor]) => ({ currency, kind: 'bill', valueMinor, ccTalkId }));
}

export const denominations: readonly Denomination[] = [
  ...coins('USD', [
    ['US001A', 1],
    ['US005A', 5],
    ['US010A', 10],
    ['US025A', 25],
    ['US050A', 50],
    ['US100A', 100],
  ]),
  ...bills('USD', [
    ['US0001A', 100],
    ['US0002A', 200],
    ['US0005A', 500],
    ['US0010A', 1_000],
    ['US0020A', 2_000],
    ['US0050A', 5_000],
    ['US0100A', 10_000],
  ]),
  ...coins('MXN', [
    ['MX.50A', 50],
    ['MX001A', 100],
    ['MX002A', 200],
    ['MX005A', 500],
    ['MX010A', 1_000],
    ['MX020A', 2_000],
  ]),
  ...bills('MXN', [
    ['MX0020A', 2_000],
    ['MX0050A', 5_000],
    ['MX0100A', 10_000],
    ['MX0200A', 20_000],
    ['MX0500A', 50_000],
    ['MX1000A', 100_000],
  ]),
  ...coins('EUR', [
    ['EU001A', 1],
    ['EU002A', 2],
    ['EU005A', 5],
    ['EU010A', 10],
    ['EU020A', 20],
    ['EU050A', 50],
    ['EU100A', 100],
    ['EU200A', 200],
  ]),
  ...bills('EUR', [
    ['EU0005A', 500],
    ['EU0010A', 1_000],
    ['EU0020A', 2_000],
    ['EU0050A', 5_000],
    ['EU0100A', 10_000],
    ['EU0200A', 20_000],
  ]),
  ...coins('GBP', [
    ['GB001A', 1],
    ['GB002A', 2],
    ['GB005A', 5],
    ['GB010A', 10],
    ['GB020A', 20],
    ['GB050A', 50],
    ['GB100A', 100],
    ['GB200A', 200],
  ]),
  ...bills('GBP', [
    ['GB0005A', 500],
    ['GB0010A', 1_000],
    ['GB0020A', 2_000],
    ['GB0050A', 5_000],
  ]),
  ...coins('INR', [
    ['IN001A', 100],
    ['IN002A', 200],
    ['IN005A', 500],
    ['IN010A', 1_000],
    ['IN020A', 2_000],
  ]),
  ...bills('INR', [
    ['IN0010A', 1_000],
    ['IN0020A', 2_000],
    ['IN0050A', 5_000],
    ['IN0100A', 10_000],
    ['IN0200A', 20_000],
    ['IN0500A', 50_000],
  ]),
  ...coins('JPY', [
    ['JP001A', 1],
    ['JP005A', 5],
    ['JP010A', 10],
    ['JP050A', 50],
    ['JP100A', 100],
    ['JP500A', 500],
  ]),
  ...bills('JPY', [
    ['JP1000A', 1_000],
    ['JP2000A', 2_000],
    ['JP5000A', 5_000],
    ['JP10K0A', 10_000],
  ]),
];

/** The coins or bills of one currency, smallest first. */
export function denominationsOf(currency: CurrencyCode, kind?: DenominationKind): Denomination[] {
  return denominations
    .filter((d) => d.currency === currency && (kind === undefined || d.kind === kind))
    .sort((a, b) => a.valueMinor - b.valueMinor);
}

/**
 * Maps the id a device reports for a channel to a denomination. Devices pad unused channels with spaces or
 * dots and may report a later issue letter ("US025B"); an exact match wins, then one that differs only in
 * the issue letter. An id we do not know gives undefined: the driver inhibits that channel.
 */
export function denominationForCcTalkId(reported: string): Denomination | undefined {
  const id = reported.trim().toUpperCase();
  const exact = denominations.find((d) => d.ccTalkId === id);
  if (exact) return exact;
  if (id.length < 6) return undefined;
  const withoutIssue = id.slice(0, -1);
  return denominations.find(
    (d) => d.ccTalkId.length === id.length && d.ccTalkId.slice(0, -1) === withoutIssue,
  );
}

export function denominationOf(
  currency: CurrencyCode,
  kind: DenominationKind,
  valueMinor: number,
): Denomination | undefined {
  return denominations.find((d) => d.currency === currency && d.kind === kind && d.valueMinor === valueMinor);
}
