import type { Code } from '@cashin/shared';

/**
 * The server side of a kiosk chaos run. The run talks to it only through HTTP (`fetch`, which the run wraps
 * in a faulty link) and asks it, at the end, what it credited. The one implementation is the real server in
 * process (server-backend.ts); this interface is the narrow part of it a run may use, so a run cannot
 * reach into the server's tables for anything but the final accounting.
 */
export interface ChaosBackend {
  readonly name: string;
  readonly baseUrl: string;
  /** How requests reach the server; the run wraps it with faults. */
  readonly fetch: typeof fetch;
  /** A one-time token that enrolls the chaos kiosk. */
  enrollmentToken(): Promise<string>;
  /** Signs a shopper up and returns their deposit code. */
  newShopperCode(): Promise<Code>;
  /** What the server credited for each deposit of this kiosk, by deposit id (minor units). */
  creditedByDeposit(terminalId: string): Promise<Map<string, number>>;
  /**
   * Everything that left this kiosk's bag account in the ledger (minor units), whatever the transfer ids:
   * a deposit credited twice under two ids shows here even when each id looks right.
   */
  bagDebitedMinor(terminalId: string): Promise<number>;
  close(): Promise<void>;
}
