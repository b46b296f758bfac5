import type { CurrencyCode, DeviceKind, Language, Limits } from '@cashin/shared';
import { moneyLimitsFor } from '@cashin/shared';

/** Everything the deposit engine needs to decide, fixed at start-up. No I/O, no clock. */
export interface DepositConfig {
  terminalId: string;
  terminalName: string;
  /** The kiosk's IANA time zone, for receipt times. */
  timeZone: string;
  currency: CurrencyCode;
  defaultLanguage: Language;
  /** What each configured device is, by name; a device missing here is treated as a money device. */
  deviceKinds: Readonly<Record<string, DeviceKind>>;
  offlineDepositMaxMinor: number;
  offlineUnsyncedMaxMinor: number;
  offlineOldestUnsyncedMs: number;
  /**
   * The most one voucher ("no account") may take. A voucher is a bearer claim the kiosk mints and the
   * server only learns of at sync, so it gets the offline per-deposit cap even when the kiosk is online.
   */
  voucherDepositMaxMinor: number;
  idleTimeoutMs: number;
  drainMs: number;
  /** The longest a finishing deposit waits, from the start of its drain, for a bill it is stacking. */
  escrowSettleMs: number;
  /** The longest a finishing deposit drains, from the start of its drain, while a bulk counter counts. */
  counterSettleMsMax: number;
  /** The longest a finishing deposit waits, from the start of its drain, for a money device that went away. */
  deviceSettleMsMax: number;
  lookupTimeoutMs: number;
  receiptScreenMs: number;
  /** How long after its deposit started a receipt owed is still printed without a tech (SystemLimits). */
  receiptOwedMs: number;
}

export interface DepositConfigInput {
  terminalId: string;
  terminalName: string;
  timeZone: string;
  currency: CurrencyCode;
  defaultLanguage: Language;
  deviceKinds: Readonly<Record<string, DeviceKind>>;
  limits: Limits;
}

/** Builds the engine's config from the kiosk's config and the loaded (already checked) limits. */
export function depositConfig(input: DepositConfigInput): DepositConfig {
  const money = moneyLimitsFor(input.limits, input.currency);
  const system = input.limits.system;
  return {
    terminalId: input.terminalId,
    terminalName: input.terminalName,
    timeZone: input.timeZone,
    currency: input.currency,
    defaultLanguage: input.defaultLanguage,
    deviceKinds: input.deviceKinds,
    offlineDepositMaxMinor: money.kioskOfflineDepositMaxMinor,
    offlineUnsyncedMaxMinor: money.kioskOfflineUnsyncedMaxMinor,
    offlineOldestUnsyncedMs: money.kioskOfflineOldestUnsyncedMs,
    voucherDepositMaxMinor: money.kioskOfflineDepositMaxMinor,
    idleTimeoutMs: system.depositIdleTimeoutMs,
    drainMs: system.depositDrainMs,
    escrowSettleMs: system.depositEscrowSettleMs,
    counterSettleMsMax: system.depositCounterSettleMsMax,
    deviceSettleMsMax: system.depositDeviceSettleMsMax,
    lookupTimeoutMs: system.depositLookupTimeoutMs,
    receiptScreenMs: system.depositReceiptScreenMs,
    receiptOwedMs: system.depositReceiptOwedMs,
  };
}
