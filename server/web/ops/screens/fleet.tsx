import { StoreListSchema, TerminalListSchema } from '@cashin/shared';
import { useState } from 'preact/hooks';
import { Button, TableScroll } from '../../common/components.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import { deviceTroubleText } from '../device-trouble.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';
import { TerminalKeys } from './terminal-keys.js';

const terminalTone: Record<string, string> = {
  online: 'status-good',
  offline: 'status-bad',
  stuck: 'status-warn',
  faulted: 'status-bad',
  disabled: 'status-neutral',
  notEnrolled: 'status-neutral',
};

/**
 * The kiosks, each with its status, heartbeat, faults, bag and queue, and its key: rotating it for a new
 * device, or revoking it when a device is lost (terminal-keys.tsx, opened under the list).
 */
export function FleetSection(context: OpsContext) {
  const { words } = context;
  const [list, refresh] = useList(context, opsPaths.terminals, TerminalListSchema);
  const [keysOf, setKeysOf] = useState<{ id: string; name: string } | null>(null);
  const [reloadCount, setReloadCount] = useState(0);
  // Refresh reads the open key panel again too: a new device enrolls, a handing-over key runs out.
  const refreshAll = (): void => {
    refresh();
    setReloadCount((n) => n + 1);
  };
  // Terminals carry amounts without a currency: it is their store's.
  const [stores] = useList(context, opsPaths.stores, StoreListSchema);
  const storeById = new Map((stores?.stores ?? []).map((store) => [store.id, store]));
  return (
    <ListSection title={words.t('fleet.title')} screen="fleet" words={words} onRefresh={refreshAll}>
      <ListBody items={list?.terminals ?? null} words={words}>
        {(terminals) => (
          <>
            <p>
              {words.t('fleet.summary', {
                online: terminals.filter((terminal) => terminal.status === 'online').length,
                total: terminals.length,
              })}
            </p>
            <TableScroll label={words.t('fleet.title')} stack>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{words.t('fleet.name')}</th>
                    <th scope="col">{words.t('fleet.store')}</th>
                    <th scope="col">{words.t('fleet.status')}</th>
                    <th scope="col">{words.t('fleet.heartbeat')}</th>
                    <th scope="col">{words.t('fleet.faults')}</th>
                    <th scope="col">{words.t('fleet.bag')}</th>
                    <th scope="col" class="number">
                      {words.t('fleet.queue')}
                    </th>
                    <th scope="col">{words.t('fleet.version')}</th>
                    <th scope="col">{words.t('fleet.action')}</th>
                  </tr>
                </thead>
                <tbody>
                  {terminals.map((terminal) => {
                    const faults = terminal.devices.filter(
                      (device) => device.state === 'faulted' || device.faults.length > 0,
                    );
                    const store = storeById.get(terminal.storeId);
                    const currency = store?.currency;
                    return (
                      <tr key={terminal.id}>
                        <th scope="row">{terminal.name}</th>
                        <td>{store ? `${store.name} (${store.id})` : terminal.storeId}</td>
                        <td>
                          <span class={`status ${terminalTone[terminal.status] ?? 'status-neutral'}`}>
                            {words.t(`terminal.${terminal.status}`)}
                          </span>
                        </td>
                        <td>
                          {terminal.lastHeartbeatAtMs === null
                            ? words.t('fleet.never')
                            : words.dateTime(terminal.lastHeartbeatAtMs)}
                        </td>
                        <td>
                          {faults.length === 0
                            ? words.t('fleet.noFaults')
                            : faults
                                .map((device) =>
                                  deviceTroubleText(words, device.device, device.faults, device.state),
                                )
                                .join('; ')}
                        </td>
                        <td>
                          <meter
                            min={0}
                            max={1}
                            high={0.8}
                            value={terminal.bagFill}
                            aria-label={words.t('fleet.bag')}
                          />{' '}
                          {words.t('fleet.bagFill', {
                            percent: Math.round(terminal.bagFill * 100),
                            amount: currency ? words.money(terminal.bagTotalMinor, currency) : '—',
                          })}
                        </td>
                        <td class="number">{terminal.queueDepth}</td>
                        <td>{terminal.softwareVersion ?? '—'}</td>
                        <td class="row-actions">
                          <Button
                            onClick={() => {
                              context.clear();
                              setKeysOf({ id: terminal.id, name: terminal.name });
                            }}
                          >
                            {words.t('fleet.keys', { name: terminal.name })}
                          </Button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableScroll>
          </>
        )}
      </ListBody>
      {keysOf !== null && (
        <TerminalKeys
          context={context}
          terminal={keysOf}
          reloadCount={reloadCount}
          onChanged={refresh}
          onClose={() => setKeysOf(null)}
        />
      )}
    </ListSection>
  );
}
