import type { MaintenanceResult } from '@cashin/shared';
import { Banner } from '../components/banner.js';
import { maintenanceResultText } from '../maintenance-result-text.js';
import type { MaintenanceProps } from './maintenance-props.js';

/**
 * What the tech's last action did, in the kiosk's language. An unexpected failure's own message (English,
 * from outside our words) follows on its own line, labelled as a detail, so it is never mistaken for ours.
 */
export function MaintenanceResultBanner({
  result,
  t,
  errorText,
  money,
}: Pick<MaintenanceProps, 't' | 'errorText' | 'money'> & { result: MaintenanceResult }) {
  const { text, detail } = maintenanceResultText(result, { t, errorText, money });
  return (
    <div class="maintenance-result" data-testid="maintenance-result" data-kind={result.outcome.kind}>
      <Banner tone={result.ok ? 'notice' : 'error'} text={text} />
      {detail !== null && (
        <p class="muted" data-testid="maintenance-result-detail">
          {t('maintenance.detailLabel')} <span lang="en">{detail}</span>
        </p>
      )}
    </div>
  );
}
