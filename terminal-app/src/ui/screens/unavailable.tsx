import type { ScreenProps } from '../context.js';
import { ScreenHeading } from '../components/screen-heading.js';

/**
 * Out of service (a device failed, or the server refused this terminal: ops switched it off) or capped
 * offline: the kiosk takes no money, and says why.
 */
export function UnavailableScreen({ snapshot, t, errorText }: ScreenProps) {
  const outOfService = snapshot.screen === 'outOfService';
  const code = outOfService ? snapshot.outOfService?.errorCode : snapshot.offlineCap?.errorCode;
  // No device to fix: the kiosk is closed until ops open it again, so the shopper is sent elsewhere.
  const closed = outOfService && snapshot.outOfService !== null && snapshot.outOfService.device === null;
  return (
    <section class="screen screen-unavailable">
      <ScreenHeading
        text={outOfService ? t('outOfService.title') : t('offlineCapped.title')}
        screen={snapshot.screen}
      />
      <p class="lead">{closed ? t('outOfService.terminalBody') : t('outOfService.body')}</p>
      {code && <p class="reason">{errorText(code)}</p>}
    </section>
  );
}
