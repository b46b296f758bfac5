import type { CurrencyCode, TerminalSummary } from '@cashin/shared';
import { StoreListSchema, TerminalListSchema, TerminalSummarySchema } from '@cashin/shared';
import { useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, TableScroll } from '../../common/components.js';
import { actorText } from '../actor.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import { deviceTroubleText } from '../device-trouble.js';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';
import { ServerKeys } from './server-keys.js';
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
 * A kiosk's set-aside deposits (their cash is in its bag and no wallet has it), the request to send them
 * again that waits for the kiosk, what came of the last one, and the button that asks, shown while
 * something is set aside and nothing is asked yet (asking again would only answer the waiting request).
 */
function SetAsideCell({
  words,
  terminal,
  currency,
  busy,
  onRetry,
  onCancel,
}: {
  words: OpsWords;
  terminal: TerminalSummary;
  /** The store's; unknown while the stores load. */
  currency: CurrencyCode | undefined;
  busy: boolean;
  onRetry: () => void;
  /** Cancels the request that waits: a kiosk whose software predates it never answers. */
  onCancel: (requestId: string) => void;
}) {
  const count = terminal.setAsideDeposits;
  const pending = terminal.setAsideRetryPending;
  const last = terminal.lastSetAsideRetry;
  const deposits = count === 1 ? words.t('fleet.setAsideOne') : words.t('fleet.setAsideMany', { count });
  const held =
    count === 0
      ? words.t('fleet.setAsideNone')
      : terminal.setAsideTotalMinor === null || currency === undefined
        ? deposits
        : words.t('fleet.setAsideAmount', {
            deposits,
            amount: words.money(terminal.setAsideTotalMinor, currency),
          });
  return (
    <div class="set-aside">
      <div class="status-line" data-testid="set-aside-held">
        {held}
      </div>
      {pending !== null && (
        <div class="status-line" data-testid="set-aside-pending">
          {words.t('fleet.setAsidePending', {
            time: words.dateTime(pending.requestedAtMs),
            by: actorText(words, pending.requestedBy),
          })}
        </div>
      )}
      {pending !== null && (
        <div class="status-line">
          <Button busy={busy} onClick={() => onCancel(pending.requestId)}>
            {words.t('fleet.setAsideRetryCancel', { name: terminal.name })}
          </Button>
        </div>
      )}
      {last !== null && (
        <div class="status-line muted" data-testid="set-aside-last">
          {words.t('fleet.setAsideLast', {
            time: words.dateTime(last.reportedAtMs),
            requeued: last.requeued,
            synced: last.synced,
            setAsideAgain: last.setAsideAgain,
          })}
        </div>
      )}
      {last !== null && last.errorCode !== null && (
        <div class="status-line" data-testid="set-aside-stopped">
          {words.t('fleet.setAsideStopped', { code: last.errorCode })}
        </div>
      )}
      {count > 0 && pending === null && terminal.status !== 'notEnrolled' && (
        <div class="status-line">
          <Button busy={busy} onClick={onRetry}>
            {words.t('fleet.setAsideRetry', { name: terminal.name })}
          </Button>
        </div>
      )}
    </div>
  );
}

/**
 * The kiosks, each with its status, heartbeat, faults, bag, queue and set-aside deposits (which ops can ask
 * it to send again), and its key: rotating it for a new device, or revoking it when a device is lost
 * (terminal-keys.tsx, opened under the list); under the list, where a rollover of the server's own key
 * stands (server-keys.tsx).
 */
export function FleetSection(context: OpsContext) {
  const { words, token } = context;
  const [list, refresh] = useList(context, opsPaths.terminals, TerminalListSchema);
  const [keysOf, setKeysOf] = useState<{ id: string; name: string } | null>(null);
  const [askingOf, setAskingOf] = useState<string | null>(null);
  const [reloadCount, setReloadCount] = useState(0);
  // Refresh reads the open key panel and the server key's rollover again too: a new device enrolls, a
  // handing-over key runs out, a kiosk learns the next server key.
  const refreshAll = (): void => {
    refresh();
    setReloadCount((n) => n + 1);
  };
  // Terminals carry amounts without a currency: it is their store's.
  const [stores] = useList(context, opsPaths.stores, StoreListSchema);
  const storeById = new Map((stores?.stores ?? []).map((store) => [store.id, store]));
  // The kiosk hears of the request in its next heartbeat's answer, and reports in a later one.
  const retrySetAside = async (terminal: TerminalSummary): Promise<void> => {
    context.clear();
    setAskingOf(terminal.id);
    const result = await callApi(opsPaths.terminalSetAsideRetries(terminal.id), TerminalSummarySchema, {
      method: 'POST',
      token,
    });
    setAskingOf(null);
    // Read again either way: a refusal means the row changed under the operator (nothing set aside now).
    refresh();
    if (!result.ok) return context.fail(result);
    context.notify(words.t('fleet.setAsideRetryAsked', { name: terminal.name }));
  };
  const cancelSetAsideRetry = async (terminal: TerminalSummary, requestId: string): Promise<void> => {
    context.clear();
    setAskingOf(terminal.id);
    const result = await callApi(
      opsPaths.terminalSetAsideRetry(terminal.id, requestId),
      TerminalSummarySchema,
      { method: 'DELETE', token },
    );
    setAskingOf(null);
    // Read again either way: a refusal means the kiosk reported in the meantime.
    refresh();
    if (!result.ok) return context.fail(result);
    context.notify(words.t('fleet.setAsideRetryCancelled', { name: terminal.name }));
  };
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
                    <th scope="col">{words.t('fleet.setAside')}</th>
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
                        <td>
                          <SetAsideCell
                            words={words}
                            terminal={terminal}
                            currency={currency}
                            busy={askingOf === terminal.id}
                            onRetry={() => void retrySetAside(terminal)}
                            onCancel={(requestId) => void cancelSetAsideRetry(terminal, requestId)}
                          />
                        </td>
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
      <ServerKeys context={context} reloadCount={reloadCount} />
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
