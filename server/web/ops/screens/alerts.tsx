import type { Alert } from '@cashin/shared';
import { AlertListSchema, AlertSchema, alertResolutionNoteLengthMax } from '@cashin/shared';
import { useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Field, TableScroll } from '../../common/components.js';
import { ActionPanel } from '../action-panel.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import { deviceTroubleText } from '../device-trouble.js';
import { actorText } from '../actor.js';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

/**
 * Open alerts, newest first (or every alert, closed ones with who closed them and why). Most close by
 * themselves when their condition goes; an operator closes any of them by hand with a note of what they
 * found, which is the only way lost coin events and sync conflicts close.
 */
export function AlertsSection(context: OpsContext) {
  const { words, token } = context;
  const [showClosed, setShowClosed] = useState(false);
  const [list, refresh] = useList(
    context,
    showClosed ? `${opsPaths.alerts}?open=false` : opsPaths.alerts,
    AlertListSchema,
  );
  const [closing, setClosing] = useState<Alert | null>(null);
  const [note, setNote] = useState('');
  const closingTitle =
    closing === null
      ? ''
      : words.t('alerts.closeTitle', { alert: words.t(`alert.${closing.kind}`), where: whereOf(closing) });
  const close = async (alert: Alert): Promise<void> => {
    context.clear();
    const result = await callApi(opsPaths.alertResolution(alert.id), AlertSchema, {
      body: { note: note.trim() },
      token,
    });
    if (!result.ok) return context.fail(result);
    context.notify(
      words.t('alerts.closedNotice', { alert: words.t(`alert.${alert.kind}`), where: whereOf(alert) }),
    );
    setClosing(null);
    setNote('');
    refresh();
  };
  return (
    <ListSection title={words.t('alerts.title')} screen="alerts" words={words} onRefresh={refresh}>
      <div>
        <Button kind="link" onClick={() => setShowClosed(!showClosed)}>
          {words.t(showClosed ? 'alerts.showOpen' : 'alerts.showAll')}
        </Button>
      </div>
      <ListBody items={list?.alerts ?? null} words={words}>
        {(alerts) => (
          <TableScroll label={words.t('alerts.title')} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('alerts.kind')}</th>
                  <th scope="col">{words.t('alerts.raised')}</th>
                  <th scope="col">{words.t('alerts.where')}</th>
                  <th scope="col">{words.t('alerts.detail')}</th>
                  <th scope="col">{words.t('alerts.state')}</th>
                  <th scope="col">{words.t('alerts.action')}</th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((alert) => (
                  <tr key={alert.id}>
                    <th scope="row">{words.t(`alert.${alert.kind}`)}</th>
                    <td>{words.dateTime(alert.raisedAtMs)}</td>
                    <td>{whereOf(alert)}</td>
                    <td>{alertText(words, alert)}</td>
                    <td>
                      {alert.resolvedAtMs === null ? (
                        <span class="status status-bad">{words.t('alerts.open')}</span>
                      ) : (
                        <>
                          {words.t('alerts.resolved', { time: words.dateTime(alert.resolvedAtMs) })}
                          {alert.resolvedBy !== null &&
                            ` ${words.t('alerts.resolvedBy', { by: actorText(words, alert.resolvedBy), note: alert.resolutionNote ?? '' })}`}
                        </>
                      )}
                    </td>
                    <td>
                      {alert.resolvedAtMs === null && (
                        <Button
                          onClick={() => {
                            setClosing(alert);
                            setNote('');
                          }}
                        >
                          {words.t('alerts.close', {
                            alert: words.t(`alert.${alert.kind}`),
                            where: whereOf(alert),
                          })}
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </ListBody>
      {closing !== null && (
        <ActionPanel
          title={closingTitle}
          focusId="alert-note"
          submitLabel={words.t('alerts.closeSubmit')}
          ready={note.trim() !== ''}
          cancelLabel={words.t('cancel')}
          onSubmit={() => void close(closing)}
          onCancel={() => setClosing(null)}
        >
          <Field
            id="alert-note"
            label={words.t('alerts.note')}
            hint={words.t('alerts.noteHint')}
            value={note}
            onInput={setNote}
            maxLength={alertResolutionNoteLengthMax}
            required
          />
        </ActionPanel>
      )}
    </ListSection>
  );
}

function whereOf(alert: Alert): string {
  return [alert.storeId, alert.terminalId].filter(Boolean).join(' / ');
}

/** How many deposit numbers an alert's line lists before it says how many more there are. */
const sequencesShownMax = 20;

/** The alert's facts in the reader's language; an alert raised before facts were kept shows its detail. */
function alertText(words: OpsWords, alert: Alert): string {
  const facts = alert.facts;
  if (facts === null) return alert.detail;
  switch (facts.kind) {
    case 'terminalSilent':
      return words.t('alertDetail.terminalSilent', { minutes: facts.silentMinutes });
    case 'sequenceGap':
      return words.t('alertDetail.sequenceGap', { missing: facts.missing, below: facts.below });
    case 'lostCoinEvents':
    case 'syncConflict': {
      const shown = facts.sequences.slice(0, sequencesShownMax).join(', ');
      const hidden = facts.sequences.length - sequencesShownMax;
      // A cut list is longer than what is shown, so it always says how many more (and that there are more).
      const sequences =
        hidden > 0
          ? words.t('alertDetail.more', { list: shown, count: `${hidden}${facts.truncated ? '+' : ''}` })
          : shown;
      return words.t(`alertDetail.${facts.kind}`, { sequences });
    }
    case 'bagNearlyFull':
      return words.t('alertDetail.bagNearlyFull', { coins: facts.coins, max: facts.coinsMax });
    case 'deviceFault':
      // The alert's own name already says it is a fault: the line names the devices and what is wrong.
      return facts.devices.map((device) => deviceTroubleText(words, device.device, device.faults)).join('; ');
    case 'keyRevoked': {
      const keys = facts.keyFingerprints.join(', ');
      return facts.lastRefusedAtMs === null
        ? words.t('alertDetail.keyRevoked', { keys })
        : words.t('alertDetail.keyRevokedRefused', {
            keys,
            count: facts.refusedRequests,
            time: words.dateTime(facts.lastRefusedAtMs),
          });
    }
    case 'depositsSetAside':
      return facts.totalMinor === null
        ? words.t('alertDetail.depositsSetAsideUnknown', { count: facts.deposits })
        : words.t('alertDetail.depositsSetAside', {
            count: facts.deposits,
            amount: words.money(facts.totalMinor, facts.currency),
          });
  }
}
