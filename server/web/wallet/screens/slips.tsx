import type { CurrencyCode } from '@cashin/shared';
import {
  SlipListResponseSchema,
  SlipSchema,
  defaultSlipTtlMsMax,
  defaultSlipTtlMsMin,
  formatCode,
  parseCode,
  parseMajorAmount,
} from '@cashin/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, ScreenHeading } from '../../common/components.js';
import { checkedFieldStatus } from '../../common/field-status.js';
import type { WalletContext } from '../app.js';
import type { WalletMessageKey } from '../messages.js';

type Slip = z.output<typeof SlipSchema>;

const hourMs = 3_600_000;
/** The lifetimes offered, within the server's bounds for a slip (1 hour to 7 days by default). */
const validityOptions: readonly { key: WalletMessageKey; ttlMs: number }[] = [
  { key: 'slips.hour', ttlMs: hourMs },
  { key: 'slips.day', ttlMs: 24 * hourMs },
  { key: 'slips.week', ttlMs: 7 * 24 * hourMs },
];
const validities = validityOptions.filter(
  (option) => option.ttlMs >= defaultSlipTtlMsMin && option.ttlMs <= defaultSlipTtlMsMax,
);

const statusClass: Record<Slip['status'], string> = {
  open: 'status-good',
  used: 'status-neutral',
  expired: 'status-neutral',
  cancelled: 'status-neutral',
};

function SlipBarcode({ slip, words }: { slip: Slip; words: WalletContext['words'] }) {
  const parsed = parseCode(slip.code, ['slip']);
  if (!parsed.ok) return null;
  const formatted = formatCode(parsed.code);
  return (
    <div class="barcode-box" data-testid="slip-shown">
      <p class="slip-for" data-testid="slip-for" id="slip-for" tabIndex={-1}>
        {words.t('slips.shownFor', {
          amount: words.money(slip.amountMinor, slip.currency),
          time: words.dateTime(slip.expiresAtMs),
        })}
      </p>
      <img
        class="barcode barcode-code128"
        data-testid="slip-barcode"
        src={`/v1/barcodes/code128/${parsed.code}.svg`}
        alt={words.t('slips.barcodeAlt', { code: formatted })}
      />
      <p class="code-digits" data-testid="slip-digits">
        {formatted.split(' ').map((group, index) => (
          <span key={index}>{group}</span>
        ))}
      </p>
    </div>
  );
}

export function SlipsScreen(context: WalletContext) {
  const { words, session, wallet } = context;
  const currency: CurrencyCode = wallet?.shopper.currency ?? context.preferredCurrency;
  const [typed, setTyped] = useState('');
  const [ttlMs, setTtlMs] = useState(validities[0]?.ttlMs ?? hourMs);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  // The slip whose barcode shows: the one just created, or an open one the shopper asked for again.
  const [shown, setShown] = useState<Slip | null>(null);
  const [slips, setSlips] = useState<Slip[] | null>(null);
  // The open slip whose cancel waits for the shopper to confirm, and the one being cancelled now.
  const [confirming, setConfirming] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState<string | null>(null);
  // Focus follows the confirm step: to its question when it opens, back to the slip's cancel button when
  // the shopper keeps the slip, so a keyboard or screen reader user is never dropped at the page's top.
  const focusAfter = useRef<string | null>(null);
  useEffect(() => {
    if (focusAfter.current === null) return;
    document.getElementById(focusAfter.current)?.focus();
    focusAfter.current = null;
  }, [confirming, shown, slips]);
  const ask = (code: string): void => {
    focusAfter.current = `cancel-ask-${code}`;
    setConfirming(code);
  };
  const keep = (code: string): void => {
    focusAfter.current = `cancel-${code}`;
    setConfirming(null);
  };
  const amount = parseMajorAmount(typed, currency);
  const valid = amount.ok && amount.amountMinor > 0;

  const load = async (): Promise<void> => {
    const result = await callApi('/v1/me/slips', SlipListResponseSchema, { token: session?.token ?? null });
    if (result.ok) setSlips(result.value.slips);
    else context.showError(result.code, result.details);
  };
  useEffect(() => {
    void load();
  }, []);

  // An open slip's barcode again, at the top where the cashier scans it.
  const showAgain = (slip: Slip): void => {
    // The last answer (a slip just made, say) is about another slip than the one shown now.
    context.showBanner(null);
    focusAfter.current = 'slip-for';
    setShown(slip);
    window.scrollTo({ top: 0 });
  };

  const cancel = async (slip: Slip): Promise<void> => {
    setCancelling(slip.code);
    const result = await callApi(`/v1/me/slips/${slip.code}`, SlipSchema, {
      method: 'DELETE',
      token: session?.token ?? null,
    });
    setCancelling(null);
    setConfirming(null);
    const amount = words.money(slip.amountMinor, slip.currency);
    if (!result.ok) {
      const untilMs = result.details['untilMs'];
      if (
        result.code === 'CONFLICT' &&
        result.details['reason'] === 'slipAuthorized' &&
        typeof untilMs === 'number'
      )
        context.showBanner({
          tone: 'notice',
          text: words.t('slips.cancelAuthorized', { time: words.dateTime(untilMs) }),
        });
      // Paid at a till while this list was open: not a failure, news.
      else if (result.code === 'CODE_USED')
        context.showBanner({ tone: 'notice', text: words.t('slips.cancelUsed', { amount }) });
      else context.showError(result.code, result.details);
      await load();
      return;
    }
    if (shown?.code === slip.code) setShown(null);
    focusAfter.current = 'slips-heading';
    context.showBanner({
      tone: 'success',
      text: words.t('slips.cancelled', { amount }),
    });
    await load();
  };

  const submit = async (): Promise<void> => {
    setTouched(true);
    if (!amount.ok || amount.amountMinor <= 0) return;
    setBusy(true);
    const result = await callApi('/v1/me/slips', SlipSchema, {
      body: { amountMinor: amount.amountMinor, ttlMs },
      token: session?.token ?? null,
    });
    setBusy(false);
    if (!result.ok) return context.showError(result.code, result.details);
    setShown(result.value);
    setTyped('');
    setTouched(false);
    context.showBanner({
      tone: 'success',
      text: words.t('slips.created', {
        amount: words.money(result.value.amountMinor, result.value.currency),
        time: words.dateTime(result.value.expiresAtMs),
      }),
    });
    await load();
  };

  return (
    <section class="screen">
      <ScreenHeading text={words.t('slips.title')} screen="slips" />
      <p class="lead">{words.t('slips.body')}</p>
      {shown && <SlipBarcode key={shown.code} slip={shown} words={words} />}
      <Form onSubmit={() => void submit()}>
        <Field
          id="slip-amount"
          label={words.t('slips.amount', { currency })}
          inputMode="decimal"
          value={typed}
          onInput={(value) => {
            setTyped(value);
            // The server's answer to the last amount (too small, say) is not about this one.
            context.showBanner(null);
          }}
          status={checkedFieldStatus(
            touched,
            valid,
            words.t('slips.amountInvalid'),
            valid ? words.money(amount.amountMinor, currency) : undefined,
          )}
        />
        <div class="field">
          <label for="slip-validity">{words.t('slips.validity')}</label>
          <select
            id="slip-validity"
            value={String(ttlMs)}
            onChange={(event) => setTtlMs(Number(event.currentTarget.value))}
          >
            {validities.map((option) => (
              <option key={option.ttlMs} value={String(option.ttlMs)}>
                {words.t(option.key)}
              </option>
            ))}
          </select>
        </div>
        <Button kind="primary" type="submit" busy={busy}>
          {words.t('slips.create')}
        </Button>
      </Form>
      <h2 id="slips-heading" tabIndex={-1}>
        {words.t('slips.list')}
      </h2>
      {slips === null ? (
        <p aria-busy="true">{words.t('loading')}</p>
      ) : slips.length === 0 ? (
        <p class="muted">{words.t('slips.none')}</p>
      ) : (
        <ul class="history" aria-labelledby="slips-heading">
          {slips.map((slip) => (
            <li key={slip.code} class="entry">
              <div class="entry-main">
                <span>{words.money(slip.amountMinor, slip.currency)}</span>
                <span class={`status ${statusClass[slip.status]}`}>
                  {words.t(`slips.status.${slip.status}`)}
                </span>
              </div>
              <div class="entry-meta">
                <span>{slip.code.replace(/(\d{4})(?=\d)/g, '$1 ')}</span>
                {/* A used or cancelled slip is valid no longer, whatever its expiry said. */}
                {(slip.status === 'open' || slip.status === 'expired') && (
                  <span>{words.t('slips.expires', { time: words.dateTime(slip.expiresAtMs) })}</span>
                )}
              </div>
              {slip.status === 'open' && slip.code !== shown?.code && (
                <Button kind="link" onClick={() => showAgain(slip)}>
                  {words.t('slips.show', { amount: words.money(slip.amountMinor, slip.currency) })}
                </Button>
              )}
              {slip.status === 'open' &&
                (confirming === slip.code ? (
                  <div class="panel" role="group" aria-labelledby={`cancel-ask-${slip.code}`}>
                    <p id={`cancel-ask-${slip.code}`} tabIndex={-1}>
                      {words.t('slips.cancelAsk', { amount: words.money(slip.amountMinor, slip.currency) })}
                    </p>
                    <div class="actions">
                      <Button kind="danger" busy={cancelling === slip.code} onClick={() => void cancel(slip)}>
                        {words.t('slips.cancelYes')}
                      </Button>
                      <Button disabled={cancelling === slip.code} onClick={() => keep(slip.code)}>
                        {words.t('slips.cancelNo')}
                      </Button>
                    </div>
                  </div>
                ) : (
                  <Button kind="link" id={`cancel-${slip.code}`} onClick={() => ask(slip.code)}>
                    {words.t('slips.cancel', { amount: words.money(slip.amountMinor, slip.currency) })}
                  </Button>
                ))}
            </li>
          ))}
        </ul>
      )}
      <Button kind="link" onClick={() => context.go('')}>
        {words.t('code.back')}
      </Button>
    </section>
  );
}
