import { useState } from 'preact/hooks';
import { Banner } from '../components/banner.js';
import { Keypad } from '../components/keypad.js';
import { ScreenHeading } from '../components/screen-heading.js';
import type { MaintenanceProps } from './maintenance-props.js';

const pinDigitsMax = 12;

export function MaintenancePinScreen({ state, t, errorText, time, request, exit }: MaintenanceProps) {
  const [pin, setPin] = useState('');
  const failure = state?.lastResult && !state.lastResult.ok ? state.lastResult.code : null;
  const lockedUntil = state?.lockedUntilMs ?? null;
  return (
    <section class="screen screen-maintenance">
      <ScreenHeading text={t('maintenance.pinTitle')} screen="maintenance-pin" />
      {lockedUntil !== null ? (
        <Banner tone="error" text={t('maintenance.lockedUntil', { time: time(lockedUntil) })} />
      ) : (
        failure && failure !== 'FORBIDDEN' && <Banner tone="error" text={errorText(failure)} />
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
