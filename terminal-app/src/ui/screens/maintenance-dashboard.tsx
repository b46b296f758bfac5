import { useState } from 'preact/hooks';
import { ScreenHeading } from '../components/screen-heading.js';
import { bagCountsText, outboxDepthText } from '../kiosk-text.js';
import { faultText } from '../maintenance-result-text.js';
import { MaintenanceResultBanner } from './maintenance-result-banner.js';
import type { MaintenanceProps } from './maintenance-props.js';

/**
 * The field tech's view of the kiosk: devices, the cash bag, the queue to the server, recent errors, and the
 * recent deposits with a reprint button each (a recovered deposit's shopper may come back after newer ones).
 */
export function MaintenanceDashboard(props: MaintenanceProps) {
  const { state, t, errorText, money, time, request, exit } = props;
  const [confirmCollect, setConfirmCollect] = useState(false);
  if (!state) return null;
  const result = state.lastResult;
  return (
    <section class="screen screen-maintenance">
      <ScreenHeading text={t('maintenance.title')} screen="maintenance" />
      <p class="muted">
        {t('maintenance.terminal', { id: state.terminalId ?? '-', version: state.softwareVersion })}
      </p>
      {result && result.op !== 'unlock' && result.op !== 'refresh' && (
        <MaintenanceResultBanner result={result} {...props} />
      )}

      <h2>{t('maintenance.devices')}</h2>
      <ul class="maintenance-list" data-testid="devices">
        {state.devices.map((device) => (
          <li key={device.device}>
            <span>
              <strong>{device.device}</strong> ({t(`maintenance.deviceKind.${device.kind}`)}):{' '}
              {t(`maintenance.deviceState.${device.state}`)}
              {device.faults.length > 0 &&
                ` - ${device.faults.map((fault) => faultText(fault, { t })).join(', ')}`}
            </span>
            <button
              type="button"
              class="secondary small"
              onClick={() => request({ op: 'selfTest', device: device.device })}
            >
              {t('maintenance.selfTest', { device: device.device })}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" class="secondary" onClick={() => request({ op: 'testPrint' })}>
        {t('maintenance.testPrint')}
      </button>

      <h2>{t('maintenance.bag')}</h2>
      <p class="lead" data-testid="bag">
        {money(state.bag.totalMinor)} · {bagCountsText(state.bag.coinCount, state.bag.billCount, t)}
      </p>
      {confirmCollect ? (
        <button
          type="button"
          class="primary"
          onClick={() => {
            setConfirmCollect(false);
            request({ op: 'collect' });
          }}
        >
          {t('maintenance.collectConfirm')}
        </button>
      ) : (
        <button type="button" class="secondary" onClick={() => setConfirmCollect(true)}>
          {t('maintenance.collect')}
        </button>
      )}

      <h2>{t('maintenance.outbox')}</h2>
      <p class="lead" data-testid="outbox">
        {outboxDepthText(state.outbox.depth, money(state.outbox.unsyncedTotalMinor), t)}
        {state.outbox.oldestUnsyncedAtMs !== null &&
          ` · ${t('maintenance.oldest', { time: time(state.outbox.oldestUnsyncedAtMs) })}`}
      </p>
      {state.outbox.quarantined > 0 && (
        <div data-testid="quarantined">
          <p class="rejects">
            {t('maintenance.quarantined', {
              count: state.outbox.quarantined,
              amount: money(state.outbox.quarantinedTotalMinor),
            })}
          </p>
          <p class="muted">{t('maintenance.quarantinedCaps')}</p>
          <button type="button" class="secondary" onClick={() => request({ op: 'retrySetAside' })}>
            {t('maintenance.retrySetAside')}
          </button>
          <p class="muted">{t('maintenance.retrySetAsideHint')}</p>
        </div>
      )}
      <p class="lead">
        {state.sync.online ? t('maintenance.online') : t('maintenance.offline')} ·{' '}
        {t('maintenance.lastSync', {
          time: state.sync.lastSyncedAtMs === null ? t('maintenance.never') : time(state.sync.lastSyncedAtMs),
        })}
      </p>
      <button type="button" class="secondary" onClick={() => request({ op: 'syncNow' })}>
        {t('maintenance.syncNow')}
      </button>

      <h2>{t('maintenance.deposits')}</h2>
      {state.recentDeposits.length === 0 ? (
        <p class="muted">{t('maintenance.noDeposits')}</p>
      ) : (
        <ul class="maintenance-list" data-testid="deposits">
          {state.recentDeposits.map((deposit) => (
            <li
              key={deposit.depositId}
              data-recovered={deposit.recovered ? 'true' : undefined}
              data-unprinted={deposit.receiptPrinted ? undefined : 'true'}
            >
              <span>
                <strong>
                  {t('maintenance.depositLine', {
                    sequence: deposit.sequence,
                    time: time(deposit.committedAtMs),
                    amount: money(deposit.totalMinor),
                  })}
                </strong>
                {[
                  deposit.voucher ? t('maintenance.depositVoucher') : null,
                  deposit.recovered ? t('maintenance.depositRecovered') : null,
                  deposit.heldForReview ? t('maintenance.depositReview') : null,
                  deposit.receiptPrinted ? null : t('maintenance.depositUnprinted'),
                  t(`maintenance.depositSync.${deposit.sync}`),
                ]
                  .filter((note) => note !== null)
                  .map((note) => ` · ${note}`)
                  .join('')}
              </span>
              <button
                type="button"
                class="secondary small"
                onClick={() => request({ op: 'reprint', depositId: deposit.depositId })}
              >
                {t('maintenance.reprintDeposit', { sequence: deposit.sequence })}
              </button>
            </li>
          ))}
        </ul>
      )}

      <h2>{t('maintenance.errors')}</h2>
      {state.recentErrors.length === 0 ? (
        <p class="muted">{t('maintenance.noErrors')}</p>
      ) : (
        <ul class="maintenance-list" data-testid="errors">
          {state.recentErrors.map((error) => (
            <li key={`${error.at}-${error.code}`}>
              <span>
                {/* The detail is the agent's own English words (a device's, the network's): marked so. */}
                {time(Date.parse(error.at))}: {errorText(error.code)} (<span lang="en">{error.detail}</span>)
              </span>
            </li>
          ))}
        </ul>
      )}

      <div class="actions">
        <button type="button" class="secondary" onClick={() => request({ op: 'reprintLast' })}>
          {t('maintenance.reprint')}
        </button>
        <button type="button" class="primary" onClick={exit}>
          {t('maintenance.exit')}
        </button>
      </div>
    </section>
  );
}
