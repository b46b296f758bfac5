import type { Code, CurrencyCode, ErrorCode } from '@cashin/shared';

/**
 * What the server says about a code. Expected failures are values: a refusal carries a catalogue code
 * (CODE_UNKNOWN, CODE_REVOKED, LIMIT_EXCEEDED...), and "unreachable" covers every way the network can fail,
 * which the deposit engine answers by going on offline under the offline caps.
 */
export type LookupResult =
  | {
      kind: 'found';
      /** "J*** D***": enough for the shopper to recognise themself, not enough to identify them. */
      maskedName: string;
      currency: CurrencyCode;
      /** What the wallet may still take today and this month, whichever is less. */
      remainingMinor: number;
      /** The wallet's balance before this deposit, if the server shares it; null when not. */
      balanceMinor: number | null;
    }
  | { kind: 'refused'; code: ErrorCode }
  | { kind: 'unreachable' };

/**
 * Code lookups, implemented later by the signed server client. A lookup must not throw for network
 * trouble: it resolves with `unreachable`. The runner passes an AbortSignal it aborts when it gives up.
 */
export interface ShopperLookup {
  lookup(code: Code, signal: AbortSignal): Promise<LookupResult>;
}
