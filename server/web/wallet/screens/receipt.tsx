import type { ReceiptRedeemResponse } from '@cashin/shared';
import { ReceiptRedeemResponseSchema, receiptPayloadVersion } from '@cashin/shared';
import { useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Form, ScreenHeading } from '../../common/components.js';
import type { WalletContext } from '../app.js';
import type { WalletMessageKey } from '../messages.js';
import type { CameraFailure } from '../qr-camera.js';
import { QrCamera } from '../qr-camera.js';
import { scanDurationMsMax } from '../qr-scan-limits.js';

const cameraFailureKeys: Record<CameraFailure, WalletMessageKey> = {
  denied: 'receipt.cameraDenied',
  none: 'receipt.cameraNone',
  unavailable: 'receipt.cameraUnavailable',
  timedOut: 'receipt.cameraTimedOut',
};

/** The most characters the server takes for a receipt's QR text (ReceiptRedeemRequestSchema). */
const receiptTextLengthMax = 400;

/**
 * Redeems a kiosk's offline receipt: the shopper holds its QR code up to the phone's camera (or pastes or
 * types the text of it), and the money lands without waiting for the kiosk to reconnect. The server checks
 * the kiosk's signature; a receipt counts once: the same shopper trying again is told it is already in,
 * anyone else gets CLAIM_ALREADY_REDEEMED.
 */
export function ReceiptScreen(context: WalletContext) {
  const { words, session } = context;
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [camera, setCamera] = useState<'off' | 'on' | CameraFailure>('off');
  // What the camera last saw that was not a receipt, so the shopper knows it is looking at the wrong code.
  const [wrongCode, setWrongCode] = useState(false);
  // The server could not read the text as a receipt at all (cut short, a part missing): a copying
  // mistake to fix here, not a receipt to take to support.
  const [mistyped, setMistyped] = useState(false);
  const trimmed = text.trim();
  const looksRight = isReceiptText(trimmed) && !mistyped;
  const submit = async (typed = trimmed): Promise<void> => {
    setTouched(true);
    if (!isReceiptText(typed)) return;
    setBusy(true);
    const result = await callApi('/v1/me/receipts', ReceiptRedeemResponseSchema, {
      body: { receipt: typed },
      token: session?.token ?? null,
    });
    setBusy(false);
    if (!result.ok) {
      if (result.code === 'RECEIPT_SIGNATURE_INVALID' && result.details['reason'] !== 'signature') {
        context.showBanner(null);
        return setMistyped(true);
      }
      return context.showError(result.code, result.details);
    }
    const redeemed = result.value;
    const amount = words.money(redeemed.amountMinor, redeemed.currency);
    await context.refreshWallet();
    setText('');
    setTouched(false);
    context.showBanner({
      tone: 'success',
      text: receiptBanner(words, redeemed, amount),
    });
  };
  const invalid = touched && !looksRight;
  // A receipt seen by the camera is added at once, as if typed and sent; any other QR code is explained.
  const scanned = (seen: string): boolean => {
    const candidate = seen.trim();
    if (!isReceiptText(candidate)) {
      setWrongCode(true);
      return false;
    }
    setWrongCode(false);
    setCamera('off');
    setText(candidate);
    void submit(candidate);
    return true;
  };
  return (
    <section class="screen">
      <ScreenHeading text={words.t('receipt.title')} screen="receipt" />
      <p class="lead">{words.t('receipt.body')}</p>
      {camera === 'on' ? (
        <div class="camera-panel">
          <p class="field-hint">{words.t('receipt.scanHint')}</p>
          <QrCamera label={words.t('receipt.cameraLabel')} onText={scanned} onFailure={setCamera} />
          <p class="field-status field-status-neutral" aria-live="polite" data-testid="camera-status">
            {words.t(wrongCode ? 'receipt.scanNotReceipt' : 'receipt.scanning')}
          </p>
          <Button onClick={() => setCamera('off')}>{words.t('receipt.scanStop')}</Button>
        </div>
      ) : (
        <Button
          kind="primary"
          onClick={() => {
            setWrongCode(false);
            setCamera('on');
          }}
        >
          {words.t('receipt.scan')}
        </Button>
      )}
      {camera !== 'off' && camera !== 'on' && (
        <p class="field-status field-status-bad" role="alert">
          {words.t(cameraFailureKeys[camera], { minutes: scanDurationMsMax / 60_000 })}
        </p>
      )}
      <h2>{words.t('receipt.orType')}</h2>
      <Form onSubmit={() => void submit()}>
        <div class="field">
          <label for="receipt-text">{words.t('receipt.label')}</label>
          <p id="receipt-text-hint" class="field-hint">
            {words.t('receipt.hint')}
          </p>
          <textarea
            id="receipt-text"
            name="receipt-text"
            rows={4}
            maxLength={receiptTextLengthMax}
            autoComplete="off"
            spellcheck={false}
            aria-invalid={invalid}
            aria-describedby={invalid ? 'receipt-text-hint receipt-text-status' : 'receipt-text-hint'}
            value={text}
            onInput={(event) => {
              setMistyped(false);
              setText(event.currentTarget.value);
            }}
          />
          {invalid && (
            <p id="receipt-text-status" class="field-status field-status-bad" aria-live="polite">
              {words.t(mistyped ? 'receipt.mistyped' : 'receipt.invalid')}
            </p>
          )}
        </div>
        <Button type="submit" busy={busy}>
          {words.t('receipt.submit')}
        </Button>
      </Form>
      <Button kind="link" onClick={() => context.go('')}>
        {words.t('code.back')}
      </Button>
    </section>
  );
}

function isReceiptText(text: string): boolean {
  return text.startsWith(`${receiptPayloadVersion}|`);
}

/** What the shopper is told: added now or before, to their own wallet or to the wallet of the code. */
function receiptBanner(
  words: WalletContext['words'],
  redeemed: ReceiptRedeemResponse,
  amount: string,
): string {
  const name = redeemed.maskedName ?? '***';
  if (redeemed.result === 'exists')
    return redeemed.ownWallet
      ? words.t('receipt.already', { amount })
      : words.t('receipt.alreadyOther', { amount, name });
  return redeemed.ownWallet
    ? words.t('receipt.done', { amount })
    : words.t('receipt.doneOther', { amount, name });
}
