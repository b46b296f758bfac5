import type { ScreenProps } from '../context.js';
import { ScreenHeading } from '../components/screen-heading.js';

/** Out of service (a device failed) or capped offline: the kiosk takes no money, and says why. */
export function UnavailableScreen({ snapshot, t, errorText }: ScreenProps) {
  const outOfService = snapshot.screen === 'outOfService';
  const code = outOfService ? snapshot.outOfService?.errorCode : snapshot.offlineCap?.errorCode;
  return (
    <section class="screen screen-unavailable">
      <ScreenHeading
        text={outOfService ? t('outOfService.title') : t('offlineCapped.title')}
        screen={snapshot.screen}
      />
      <p class="lead">{t('outOfService.body')}</p>
      {code && <p class="reason">{errorText(code)}</p>}
    </section>
  );
}
