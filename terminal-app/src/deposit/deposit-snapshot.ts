import type { DepositItem, KioskItem, KioskScreen, KioskSnapshot } from '@cashin/shared';
import { formatCode, parseCode } from '@cashin/shared';
import type { DepositConfig } from './deposit-config.js';
import type { DepositState, PhaseName, Shopper } from './deposit-state.js';

const screenOf: Record<PhaseName, KioskScreen> = {
  idle: 'attract',
  identifying: 'identify',
  lookingUp: 'lookingUp',
  confirming: 'confirm',
  accepting: 'insertMoney',
  draining: 'finishing',
  committing: 'finishing',
  printing: 'done',
  outOfService: 'outOfService',
  offlineCapped: 'offlineCapped',
};

/** Items as the shopper sees them: one line per value and kind (issue letters are the machine's business). */
function kioskItems(items: readonly DepositItem[]): KioskItem[] {
  const merged: KioskItem[] = [];
  for (const item of items) {
    const same = merged.find((m) => m.kind === item.kind && m.valueMinor === item.valueMinor);
    if (same) same.count += item.count;
    else merged.push({ kind: item.kind, valueMinor: item.valueMinor, count: item.count });
  }
  return merged.sort((a, b) =>
    a.kind === b.kind ? a.valueMinor - b.valueMinor : a.kind === 'coin' ? -1 : 1,
  );
}

function shopperView(shopper: Shopper): KioskSnapshot['shopper'] {
  return { maskedName: shopper.maskedName, voucher: shopper.voucher, offline: shopper.offline };
}

/**
 * What the UI is shown for a state: a pure projection, without the shopper's code (the UI never needs it
 * back) and with money as integers for the UI to format in its locale.
 */
export function depositSnapshot(config: DepositConfig, state: DepositState, version: number): KioskSnapshot {
  const snapshot: KioskSnapshot = {
    version,
    screen: screenOf[state.phase],
    language: state.language,
    currency: config.currency,
    online: state.online,
    shopper: null,
    remainingMinor: null,
    totalMinor: 0,
    items: [],
    rejectedCoinCount: 0,
    rejectedBillCount: 0,
    counting: state.counting.length > 0,
    lastError: state.lastError,
    notice: state.notice,
    outOfService: null,
    offlineCap: null,
    receipt: null,
  };
  switch (state.phase) {
    case 'confirming':
      return { ...snapshot, shopper: shopperView(state.shopper), remainingMinor: state.shopper.maxMinor };
    case 'accepting':
    case 'draining':
    case 'committing': {
      const d = state.deposit;
      const usedMinor = d.totalMinor + (d.escrow?.valueMinor ?? 0);
      return {
        ...snapshot,
        shopper: shopperView(d.shopper),
        remainingMinor: Math.max(0, d.shopper.maxMinor - usedMinor),
        totalMinor: d.totalMinor,
        items: kioskItems(d.items),
        rejectedCoinCount: d.rejectedCoinCount,
        rejectedBillCount: d.rejectedBillCount,
      };
    }
    case 'printing': {
      const { deposit } = state.receipt;
      const claim = deposit.claimCode === null ? null : parseCode(deposit.claimCode, ['claim']);
      return {
        ...snapshot,
        shopper: {
          maskedName: state.receipt.maskedName,
          voucher: deposit.claimCode !== null,
          offline: deposit.flags.offline,
        },
        totalMinor: deposit.totalMinor,
        items: kioskItems(deposit.items),
        receipt: {
          depositId: deposit.depositId,
          sequence: deposit.sequence,
          status: state.receipt.status,
          totalMinor: deposit.totalMinor,
          newBalanceMinor: state.receipt.newBalanceMinor,
          pending: state.receipt.newBalanceMinor === null,
          claimCode: claim?.ok ? formatCode(claim.code) : null,
        },
      };
    }
    case 'outOfService': {
      // The server's refusal comes first: no device repair brings the kiosk back while it stands.
      if (state.refusal !== null) {
        return { ...snapshot, outOfService: { device: null, fault: null, errorCode: state.refusal } };
      }
      const trouble = state.troubles.find((t) => config.deviceKinds[t.device] !== 'scanner');
      if (trouble === undefined) throw new Error('out of service without a blocking trouble');
      return {
        ...snapshot,
        outOfService: { device: trouble.device, fault: trouble.fault, errorCode: 'DEVICE_FAULT' },
      };
    }
    case 'offlineCapped':
      return { ...snapshot, offlineCap: { reason: state.reason, errorCode: 'OFFLINE_CAP_REACHED' } };
    default:
      return snapshot;
  }
}
