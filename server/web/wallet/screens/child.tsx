import type { CurrencyCode, WalletCaps } from '@cashin/shared';
import {
  ChildSummarySchema,
  ChildWalletSchema,
  WalletCapsSchema,
  familyApiPaths,
  minorToDecimalString,
  parseMajorAmount,
} from '@cashin/shared';
import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, MoneyDisplay, ScreenHeading } from '../../common/components.js';
import type { FieldStatus } from '../../common/field-status.js';
import type { WalletContext } from '../app.js';
import { CodeDigits } from './code.js';
import { HistoryEntry } from './home.js';

type ChildWallet = z.output<typeof ChildWalletSchema>;

/** A cap as typed: empty is "no cap"; anything else must read as an amount in the wallet's currency. */
function typedCap(typed: string, currency: CurrencyCode): { ok: true; value: number | null } | { ok: false } {
  if (typed.trim() === '') return { ok: true, value: null };
  const parsed = parseMajorAmount(typed, currency);
  return parsed.ok ? { ok: true, value: parsed.amountMinor } : { ok: false };
}

function shownCap(amountMinor: number | null, currency: CurrencyCode): string {
  return amountMinor === null ? '' : minorToDecimalString(amountMinor, currency);
}

/**
 * One child's wallet as the parent sees it: the balance, what it can still take, its deposit barcode
 * (shown like the parent's own), the caps, and its history.
 */
export function ChildScreen(context: WalletContext & { childId: string }) {
  const { words, session, childId } = context;
  const [wallet, setWallet] = useState<ChildWallet | null>(null);
  const [perDeposit, setPerDeposit] = useState('');
  const [perDay, setPerDay] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const token = session?.token ?? null;

  /** Loads the wallet; the cap fields are filled from it the first time, and after a save. */
  const load = async (fillCaps: boolean): Promise<void> => {
    const result = await callApi(familyApiPaths.child(childId), ChildWalletSchema, { token });
    if (!result.ok) return context.showError(result.code, result.details);
    setWallet(result.value);
    if (fillCaps) {
      setPerDeposit(shownCap(result.value.child.caps.depositMaxMinor, result.value.child.currency));
      setPerDay(shownCap(result.value.child.caps.dailyMaxMinor, result.value.child.currency));
    }
    return undefined;
  };
  useEffect(() => {
    void load(true);
  }, [childId]);

  if (wallet === null) {
    return (
      <section class="screen">
        <ScreenHeading text={words.t('child.loading')} screen="child" />
        <Button kind="link" onClick={() => context.go('family')}>
          {words.t('child.back')}
        </Button>
      </section>
    );
  }
  const { child, depositCode } = wallet;
  const currency = child.currency;
  const deposit = typedCap(perDeposit, currency);
  const day = typedCap(perDay, currency);
  const caps: WalletCaps | null =
    deposit.ok && day.ok ? { depositMaxMinor: deposit.value, dailyMaxMinor: day.value } : null;
  const capsCheck = caps === null ? null : WalletCapsSchema.safeParse(caps);
  const depositStatus: FieldStatus | undefined = !touched
    ? undefined
    : !deposit.ok || deposit.value === 0
      ? { tone: 'bad', text: words.t('child.capInvalid') }
      : capsCheck?.success === false
        ? { tone: 'bad', text: words.t('child.capOrder') }
        : undefined;
  const dayStatus: FieldStatus | undefined =
    touched && !day.ok ? { tone: 'bad', text: words.t('child.capInvalid') } : undefined;

  const save = async (): Promise<void> => {
    setTouched(true);
    if (capsCheck?.success !== true) return;
    setBusy(true);
    const result = await callApi(familyApiPaths.caps(childId), ChildSummarySchema, {
      method: 'PUT',
      body: capsCheck.data,
      token,
    });
    setBusy(false);
    if (!result.ok) return context.showError(result.code, result.details);
    setTouched(false);
    context.showBanner({ tone: 'success', text: words.t('child.capsSaved', { name: child.name }) });
    await load(true);
  };

  const capText = (amountMinor: number | null): string =>
    amountMinor === null ? words.t('child.noCap') : words.money(amountMinor, currency);
  return (
    <section class="screen">
      <ScreenHeading text={words.t('child.title', { name: child.name })} screen={`child-${childId}`} />
      <div class="panel">
        <MoneyDisplay
          label={words.t('home.balance')}
          text={words.money(child.balanceMinor, currency)}
          testId="child-balance"
        />
        <p class="muted" data-testid="child-allowance">
          {words.t('child.allowance', { amount: words.money(wallet.allowance.remainingMinor, currency) })}
        </p>
        <p class="muted">
          {words.t('child.capsNow', {
            perDeposit: capText(child.caps.depositMaxMinor),
            perDay: capText(child.caps.dailyMaxMinor),
          })}
        </p>
      </div>
      <h2>{words.t('child.codeTitle')}</h2>
      <p class="lead">{words.t('child.codeHowTo', { name: child.name })}</p>
      <div class="barcode-box">
        <img
          class="barcode barcode-code128"
          data-testid="child-barcode-code128"
          src={depositCode.barcodes.code128Svg}
          alt={words.t('child.barcodeAlt', { name: child.name, code: depositCode.formatted })}
        />
        <CodeDigits code={depositCode} label={words.t('code.digitsLabel')} />
      </div>
      <div class="barcode-box">
        <img
          class="barcode barcode-qr"
          data-testid="child-barcode-qr"
          src={depositCode.barcodes.qrSvg}
          alt={words.t('child.qrAlt', { name: child.name, code: depositCode.formatted })}
        />
      </div>
      <Form onSubmit={() => void save()} label={words.t('child.capsTitle')}>
        <h2>{words.t('child.capsTitle')}</h2>
        <p class="muted">{words.t('child.capsBody')}</p>
        <Field
          id="cap-deposit"
          label={words.t('child.capDeposit', { currency })}
          hint={words.t('child.capHint')}
          inputMode="decimal"
          value={perDeposit}
          onInput={setPerDeposit}
          status={depositStatus}
        />
        <Field
          id="cap-day"
          label={words.t('child.capDay', { currency })}
          hint={words.t('child.capHint')}
          inputMode="decimal"
          value={perDay}
          onInput={setPerDay}
          status={dayStatus}
        />
        <Button kind="primary" type="submit" busy={busy}>
          {words.t('child.saveCaps')}
        </Button>
      </Form>
      <h2 id="child-history-heading">{words.t('home.history')}</h2>
      {wallet.history.length === 0 ? (
        <p class="muted">{words.t('child.historyEmpty')}</p>
      ) : (
        <ul class="history" aria-labelledby="child-history-heading">
          {wallet.history.map((entry) => (
            <HistoryEntry key={entry.transferId} entry={entry} words={words} />
          ))}
        </ul>
      )}
      <div class="actions">
        <Button onClick={() => void load(false)}>{words.t('child.refresh')}</Button>
        <Button kind="link" onClick={() => context.go('family')}>
          {words.t('child.back')}
        </Button>
      </div>
    </section>
  );
}
