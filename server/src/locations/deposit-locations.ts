import type { CurrencyCode } from '@cashin/shared';
import { locationsListedMax } from '@cashin/shared';
import type { Deps } from '../deps.js';
import { terminalColumns, terminalFromRow } from '../terminals/terminal-record.js';
import type { TerminalRecord } from '../terminals/terminal-record.js';
import { terminalStatus } from '../terminals/terminal-status.js';

export type KioskAvailability = 'online' | 'offline' | 'outOfService';

export interface DepositLocation {
  readonly storeName: string;
  readonly address: string | null;
  readonly till: boolean;
  readonly kiosks: { name: string; status: KioskAvailability }[];
}

/**
 * What a shopper sees of a kiosk: whether it takes cash now. A faulted or disabled kiosk is out of
 * service; a silent one is offline; one still draining its queue takes cash and is online. A kiosk not yet
 * enrolled is not shown at all. Nothing else of the fleet (ids, queues, bag fill) leaves the server.
 */
export function kioskAvailability(status: ReturnType<typeof terminalStatus>): KioskAvailability | null {
  switch (status) {
    case 'notEnrolled':
      return null;
    case 'online':
    case 'stuck':
      return 'online';
    case 'offline':
      return 'offline';
    case 'faulted':
    case 'disabled':
      return 'outOfService';
  }
}

/**
 * Where a shopper can pay cash in: the stores of their wallet's currency (another currency's till or
 * kiosk would refuse them), with their address, whether the till takes deposits (the store has clerks),
 * and each kiosk's availability, derived from its heartbeats now. Stores that offer neither are left out.
 */
export async function depositLocations(deps: Deps, currency: CurrencyCode): Promise<DepositLocation[]> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const stores = await tx.all<{
      id: string;
      name: string;
      address: string | null;
      clerks: number | string;
    }>(
      `SELECT s.id, s.name, s.address, (SELECT COUNT(*) FROM clerks c WHERE c.store_id = s.id) AS clerks
       FROM stores s WHERE s.currency = ? ORDER BY s.name, s.id LIMIT ${locationsListedMax}`,
      [currency],
    );
    if (stores.length === 0) return [];
    const storeIds = stores.map((store) => store.id);
    const terminals = (
      await tx.all<Parameters<typeof terminalFromRow>[0]>(
        `SELECT ${terminalColumns} FROM terminals WHERE store_id IN (${storeIds.map(() => '?').join(', ')}) ORDER BY name, id`,
        storeIds,
      )
    ).map(terminalFromRow);
    const byStore = new Map<string, TerminalRecord[]>();
    for (const terminal of terminals)
      byStore.set(terminal.storeId, [...(byStore.get(terminal.storeId) ?? []), terminal]);
    return stores
      .map((store): DepositLocation => ({
        storeName: store.name,
        address: store.address,
        till: Number(store.clerks) > 0,
        kiosks: (byStore.get(store.id) ?? []).flatMap((terminal) => {
          const status = kioskAvailability(terminalStatus(terminal, deps.limits, nowMs));
          return status === null ? [] : [{ name: terminal.name, status }];
        }),
      }))
      .filter((location) => location.till || location.kiosks.length > 0);
  });
}
