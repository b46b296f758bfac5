import { DepositCodeResponseSchema } from '@cashin/shared';
import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Banner, Button, ScreenHeading } from '../../common/components.js';
import type { DepositCode, WalletContext } from '../app.js';

/**
 * Keeps the screen on while the barcode is shown: a phone that dims mid-scan is the commonest reason a
 * barcode "won't scan" at the counter. Browsers without the Wake Lock API simply skip it.
 */
function useScreenWakeLock(): void {
  useEffect(() => {
    let lock: WakeLockSentinel | undefined;
    let released = false;
    navigator.wakeLock
      ?.request('screen')
      .then((sentinel) => {
        if (released) void sentinel.release();
        else lock = sentinel;
      })
      .catch(() => undefined);
    return () => {
      released = true;
      void lock?.release();
    };
  }, []);
}

export function CodeDigits({ code, label }: { code: Pick<DepositCode, 'formatted'>; label: string }) {
  return (
    <div class="code-digits-box">
      <p class="muted">{label}</p>
      <p class="code-digits" data-testid="code-digits" aria-label={code.formatted.split(' ').join(', ')}>
        {code.formatted.split(' ').map((group, index) => (
          <span key={index} class="code-group">
            {group}
          </span>
        ))}
      </p>
    </div>
  );
}

/** The wallet-sized card that only the print style sheet shows (85.6 × 54 mm, an ID-1 card). */
function PrintCard({ code, words }: { code: DepositCode; words: WalletContext['words'] }) {
  return (
    <div class="print-card" aria-hidden="true">
      <p class="print-card-title">{words.t('card.title')}</p>
      <img class="print-card-barcode" src={code.barcodes.code128Svg} alt="" />
      <p class="print-card-digits">{code.formatted}</p>
      <p class="print-card-body">{words.t('card.body')}</p>
    </div>
  );
}

export function CodeScreen(context: WalletContext) {
  const { words, depositCode, session } = context;
  const [confirmingRotation, setConfirmingRotation] = useState(false);
  const [rotated, setRotated] = useState(false);
  const [busy, setBusy] = useState(false);
  useScreenWakeLock();

  const rotate = async (): Promise<void> => {
    setBusy(true);
    const result = await callApi('/v1/me/deposit-code/rotations', DepositCodeResponseSchema, {
      method: 'POST',
      token: session?.token ?? null,
    });
    setBusy(false);
    setConfirmingRotation(false);
    if (!result.ok) return context.showError(result.code, result.details);
    context.setDepositCode(result.value);
    setRotated(true);
  };

  return (
    <section class="screen screen-code">
      <ScreenHeading text={words.t('code.title')} screen="code" />
      {depositCode === null ? (
        <p aria-busy="true">{words.t('code.loading')}</p>
      ) : (
        <>
          {rotated && <Banner tone="success" text={words.t('code.rotated')} />}
          <p class="lead">{words.t('code.howTo')}</p>
          <p class="brightness-hint">
            <span aria-hidden="true">☀ </span>
            {words.t('code.brightness')}
          </p>
          <div class="barcode-box">
            <img
              class="barcode barcode-code128"
              data-testid="barcode-code128"
              src={depositCode.barcodes.code128Svg}
              alt={words.t('code.barcodeAlt', { code: depositCode.formatted })}
            />
            <CodeDigits code={depositCode} label={words.t('code.digitsLabel')} />
          </div>
          <div class="barcode-box">
            <img
              class="barcode barcode-qr"
              data-testid="barcode-qr"
              src={depositCode.barcodes.qrSvg}
              alt={words.t('code.qrAlt', { code: depositCode.formatted })}
            />
          </div>
          {/* Clerks who have never seen a cash-in code are the commonest reason a store says no. */}
          <details class="clerk-help">
            <summary>{words.t('code.clerkHelp')}</summary>
            <p>{words.t('code.clerkSteps')}</p>
          </details>
          {confirmingRotation ? (
            <div class="panel" role="group" aria-labelledby="rotate-warning">
              <p id="rotate-warning">{words.t('code.rotateWarning')}</p>
              <div class="actions">
                <Button kind="danger" busy={busy} onClick={() => void rotate()}>
                  {words.t('code.rotateConfirm')}
                </Button>
                <Button onClick={() => setConfirmingRotation(false)}>{words.t('code.rotateCancel')}</Button>
              </div>
            </div>
          ) : (
            <div class="actions">
              <Button onClick={() => print()}>{words.t('code.print')}</Button>
              <Button onClick={() => setConfirmingRotation(true)}>{words.t('code.rotate')}</Button>
            </div>
          )}
          <PrintCard code={depositCode} words={words} />
        </>
      )}
      <Button kind="link" onClick={() => context.go('')}>
        {words.t('code.back')}
      </Button>
    </section>
  );
}
