import type { Alert } from '@cashin/shared';
import { AlertListSchema } from '@cashin/shared';
import { TableScroll } from '../../common/components.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import { deviceTroubleText } from '../device-trouble.js';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

export function AlertsSection(context: OpsContext) {
  const { words } = context;
  const [list, refresh] = useList(context, opsPaths.alerts, AlertListSchema);
  return (
    <ListSection title={words.t('alerts.title')} screen="alerts" words={words} onRefresh={refresh}>
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
                </tr>
              </thead>
              <tbody>
                {alerts.map((alert) => (
                  <tr key={alert.id}>
                    <th scope="row">{words.t(`alert.${alert.kind}`)}</th>
                    <td>{words.dateTime(alert.raisedAtMs)}</td>
                    <td>{[alert.storeId, alert.terminalId].filter(Boolean).join(' / ')}</td>
                    <td>{alertText(words, alert)}</td>
                    <td>
                      {alert.resolvedAtMs === null ? (
                        <span class="status status-bad">{words.t('alerts.open')}</span>
                      ) : (
                        words.t('alerts.resolved', { time: words.dateTime(alert.resolvedAtMs) })
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </ListBody>
    </ListSection>
  );
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
      const sequences =
        hidden > 0 || facts.truncated
          ? words.t('alertDetail.more', {
              list: shown,
              count: `${Math.max(hidden, 0)}${facts.truncated ? '+' : ''}`,
            })
          : shown;
      return words.t(`alertDetail.${facts.kind}`, { sequences });
    }
    case 'bagNearlyFull':
      return words.t('alertDetail.bagNearlyFull', { coins: facts.coins, max: facts.coinsMax });
    case 'deviceFault':
      // The alert's own name already says it is a fault: the line names the devices and what is wrong.
      return facts.devices.map((device) => deviceTroubleText(words, device.device, device.faults)).join('; ');
  }
}
