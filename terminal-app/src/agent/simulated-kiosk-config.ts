import { writeFileSync } from 'node:fs';
import type { CurrencyCode, DeviceKind, Language } from '@cashin/shared';
import { hashTechnicianPin } from './technician-pin.js';

/**
 * Writes the config of a kiosk whose devices are the hardware simulator's, for `npm start`, the benches and
 * the end-to-end tests: every place that runs a whole kiosk on one machine says it the same way.
 */
const kinds = {
  coin: 'coinAcceptor',
  bill: 'billValidator',
  counter: 'bulkCounter',
  scanner: 'scanner',
  printer: 'printer',
} as const;
type SimDevice = keyof typeof kinds;

export interface SimulatedKioskOptions {
  serverUrl: string;
  /** The simulator's device URLs by device (Simulator.urls, or tcp://127.0.0.1:<port>). */
  deviceUrls: Partial<Record<SimDevice, string>>;
  currency?: CurrencyCode;
  uiDir?: string | null;
  uiPort?: number;
  terminalName?: string;
  timeZone?: string;
  languages?: Language[];
  technicianPin?: string;
  /** A JSON file of limits laid over the defaults (a bench trying another poll interval). */
  limitsFile?: string | null;
}

export function writeSimulatedKioskConfig(file: string, options: SimulatedKioskOptions): void {
  const currency = options.currency ?? 'USD';
  const devices = (Object.entries(options.deviceUrls) as [SimDevice, string | undefined][])
    .filter((entry): entry is [SimDevice, string] => entry[1] !== undefined)
    .map(([name, url]) => ({ name, kind: kinds[name] satisfies DeviceKind, url, currency }));
  const config = {
    serverUrl: options.serverUrl,
    dataDir: './data',
    terminalName: options.terminalName ?? 'Simulated kiosk',
    timeZone: options.timeZone ?? 'America/New_York',
    currency,
    languages: options.languages ?? ['en', 'es'],
    uiPort: options.uiPort ?? 0,
    uiDir: options.uiDir ?? null,
    technicianPinHash: hashTechnicianPin(options.technicianPin ?? '2468'),
    limitsFile: options.limitsFile ?? null,
    devices,
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}
