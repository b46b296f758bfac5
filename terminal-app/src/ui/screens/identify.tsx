import { codeTypes, partialCodeState } from '@cashin/shared';
import { useState } from 'preact/hooks';
import type { ScreenProps } from '../context.js';
import { Keypad, codeStateClass } from '../components/keypad.js';
import { ScreenHeading } from '../components/screen-heading.js';

const accepted = ['deposit'] as const;
const codeLength = codeTypes.deposit.length;
/** Room for a voucher's claim code too, so the kiosk can say what it is rather than cut it short. */
const typedLengthMax = Math.max(codeLength, codeTypes.claim.length);

/** The type of a code the kiosk does not take (a slip, a claim code) that `digits` may be, by its prefix. */
function otherCodeType(digits: string): 'slip' | 'claim' | undefined {
  return (['slip', 'claim'] as const).find(
    (type) =>
      digits.length >= codeTypes[type].prefix.length &&
      digits.startsWith(codeTypes[type].prefix) &&
      partialCodeState(digits, [type]) !== 'invalid',
  );
}

/** Digits so far in groups of four, as the code is printed on the shopper's card. */
function grouped(digits: string): string {
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}

export function IdentifyScreen({ t, send }: ScreenProps) {
  const [digits, setDigits] = useState('');
  const state = partialCodeState(digits, accepted);
  // A slip or a voucher's claim code is named for what it is, with where it goes instead, as soon as its
  // type prefix shows (a deposit code's never starts so) and while its digits can still be right.
  const elsewhere = state === 'invalid' ? otherCodeType(digits) : undefined;
  const status =
    elsewhere !== undefined
      ? t(elsewhere === 'slip' ? 'notice.slipAtTill' : 'notice.claimInWallet')
      : state === 'invalid'
        ? t('identify.invalid')
        : state === 'complete'
          ? t('identify.complete')
          : t('identify.incomplete', { length: codeLength });
  const type = (digit: string): void =>
    setDigits((current) => (current.length < typedLengthMax ? current + digit : current));
  return (
    <section class="screen screen-identify">
      <ScreenHeading text={t('identify.title')} screen="identify" />
      <p class="lead">{t('identify.scanHint')}</p>
      <label class="code-field" for="code">
        <span>{t('identify.codeLabel')}</span>
        <input
          id="code"
          class={`${codeStateClass(state)}${digits.length > codeLength ? ' code-long' : ''}`}
          inputMode="numeric"
          autoComplete="off"
          aria-describedby="code-status"
          aria-invalid={state === 'invalid'}
          value={grouped(digits)}
          onInput={(event) =>
            setDigits(event.currentTarget.value.replace(/\D/g, '').slice(0, typedLengthMax))
          }
        />
      </label>
      <p id="code-status" class={`code-status ${codeStateClass(state)}`} aria-live="polite">
        {status}
      </p>
      <Keypad
        onDigit={type}
        onBackspace={() => setDigits((current) => current.slice(0, -1))}
        onClear={() => setDigits('')}
        labels={{ backspace: t('keypad.backspace'), clear: t('keypad.clear') }}
      />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => send({ type: 'cancel' })}>
          {t('cancel')}
        </button>
        <button
          type="button"
          class="primary"
          disabled={state !== 'complete'}
          onClick={() => send({ type: 'keyedCode', text: digits })}
        >
          {t('identify.continue')}
        </button>
      </div>
      <div class="no-account">
        <button type="button" class="link" onClick={() => send({ type: 'noAccount' })}>
          {t('identify.noAccount')}
        </button>
        <p>{t('identify.noAccountHint')}</p>
      </div>
    </section>
  );
}
