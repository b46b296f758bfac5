import type {
  CurrencyCode,
  ErrorCode,
  MaintenanceRequest,
  MaintenanceState,
  MessageParams,
} from '@cashin/shared';
import type { KioskMessageKey } from '../messages.js';

export interface MaintenanceProps {
  state: MaintenanceState | null;
  t: (key: KioskMessageKey, params?: MessageParams) => string;
  errorText: (code: ErrorCode) => string;
  /** An amount in the kiosk's currency unless another is given. */
  money: (amountMinor: number, currency?: CurrencyCode) => string;
  /** A timestamp as the tech reads it: local date and time. */
  time: (epochMs: number) => string;
  request: (request: MaintenanceRequest) => void;
  exit: () => void;
}
