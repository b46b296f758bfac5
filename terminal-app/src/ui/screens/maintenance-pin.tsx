import { useState } from 'preact/hooks';
import { Banner } from '../components/banner.js';
import { Keypad } from '../components/keypad.js';
import { ScreenHeading } from '../components/screen-heading.js';
import type { MaintenanceResult } from '@cashin/shared';
import { MaintenanceResultBanner } from './maintenance-result-banner.js';
import type { MaintenanceProps } from './maintenance-props.js';

const pinDigitsMax = 12;

/**
 * A failure worth a banner above the keypad: a wrong PIN, or an action asked for after maintenance locked
 * itself. Opening the screen asks for a refresh, which is refused for want of a PIN; that says nothing new.
 */
function pinScreenFailure(result: MaintenanceResult | null | undefined): MaintenanceResult | null {
  if (!result || result.ok) return null;
  return result.outcome.kind === 'pinRequired' && result.op === 'refresh' ? null : result;
}

export function MaintenancePinScreen(props: MaintenanceProps) {
  const { state, t, time, request, exit } = props;
  const [pin, setPin] = useState('');
  const failure = pinScreenFailure(state?.lastResult);
  const lockedUntil = state?.lockedUntilMs ?? null;
  return (
    <section class="screen screen-maintenance">
      <ScreenHeading text={t('maintenance.pinTitle')} screen="maintenance-pin" />
      {lockedUntil !== null ? (
        <Banner tone="error" text={t('maintenance.lockedUntil', { time: time(lockedUntil) })} />
      ) : (
        failure && <MaintenanceResultBanner result={failure} {...props} />
      )}
      <label class="code-field" for="pin">
        <span>{t('maintenance.pinLabel')}</span>
        <input
          id="pin"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          value={pin}
          onInput={(event) => setPin(event.currentTarget.value.replace(/\D/g, '').slice(0, pinDigitsMax))}
        />
      </label>
      <Keypad
        onDigit={(digit) => setPin((current) => (current.length < pinDigitsMax ? current + digit : current))}
        onBackspace={() => setPin((current) => current.slice(0, -1))}
        onClear={() => setPin('')}
        labels={{ backspace: t('keypad.backspace'), clear: t('keypad.clear') }}
      />
      <div class="actions">
        <button type="button" class="secondary" onClick={exit}>
          {t('maintenance.back')}
        </button>
        <button
          type="button"
          class="primary"
          disabled={pin.length < 4}
          onClick={() => {
            request({ op: 'unlock', pin });
            setPin('');
          }}
        >
          {t('maintenance.unlock')}
        </button>
      </div>
    </section>
  );
}
