import { ClaimRedeemResponseSchema, parseCode, partialCodeState } from '@cashin/shared';
import { useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, ScreenHeading } from '../../common/components.js';
import type { WalletContext } from '../app.js';

const claimLength = 20;

/** Digits in groups of four, as the voucher prints them, so the shopper can compare group by group. */
function grouped(digits: string): string {
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}

export function ClaimScreen(context: WalletContext) {
  const { words, session } = context;
  const [digits, setDigits] = useState('');
  const [busy, setBusy] = useState(false);
  const state = digits === '' ? null : partialCodeState(digits, ['claim']);
  const status =
    state === null
      ? undefined
      : state === 'complete'
        ? { text: words.t('claim.complete'), tone: 'ok' as const }
        : state === 'invalid'
          ? { text: words.t('claim.invalid'), tone: 'bad' as const }
          : { text: words.t('claim.incomplete'), tone: 'neutral' as const };
  const submit = async (): Promise<void> => {
    const parsed = parseCode(digits, ['claim']);
    if (!parsed.ok) return context.showError('CODE_MALFORMED');
    setBusy(true);
    const result = await callApi('/v1/me/claims', ClaimRedeemResponseSchema, {
      body: { claimCode: parsed.code },
      token: session?.token ?? null,
    });
    setBusy(false);
    if (!result.ok) return context.showError(result.code, result.details);
    await context.refreshWallet();
    context.go('', true);
    context.showBanner({
      tone: 'success',
      text: words.t(result.value.result === 'exists' ? 'claim.already' : 'claim.done', {
        amount: words.money(result.value.amountMinor, result.value.currency),
      }),
    });
  };
  return (
    <section class="screen">
      <ScreenHeading text={words.t('claim.title')} screen="claim" />
      <p class="lead">{words.t('claim.body')}</p>
      <Form onSubmit={() => void submit()}>
        <Field
          id="claim-code"
          label={words.t('claim.code')}
          inputMode="numeric"
          large
          value={grouped(digits)}
          onInput={(value) => setDigits(value.replace(/\D/g, '').slice(0, claimLength))}
          status={status}
        />
        <Button kind="primary" type="submit" busy={busy} disabled={state !== 'complete'}>
          {words.t('claim.submit')}
        </Button>
      </Form>
      <Button kind="link" onClick={() => context.go('')}>
        {words.t('back')}
      </Button>
    </section>
  );
}
