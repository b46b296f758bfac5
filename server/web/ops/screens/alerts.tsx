import { AlertListSchema } from '@cashin/shared';
import { TableScroll } from '../../common/components.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
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
                    <td>{alert.detail}</td>
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
