import type { DeviceFault, DeviceStatus } from '@cashin/shared';
import type { OpsWords } from './ops-context.js';

/**
 * One device's trouble in the reader's language: its faults, or its state when it reports none. The
 * device keeps the name the kiosk's configuration gives it ("coin", "bill").
 */
export function deviceTroubleText(
  words: OpsWords,
  device: string,
  faults: readonly DeviceFault[],
  state: DeviceStatus['state'] = 'faulted',
): string {
  const trouble =
    faults.length > 0
      ? faults.map((fault) => words.t(`fault.${fault}`)).join(', ')
      : words.t(`deviceState.${state}`);
  return words.t('fleet.deviceFaults', { device, faults: trouble });
}
