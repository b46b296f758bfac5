import type { Authorization, Code } from '@cashin/shared';
import { formatCode } from '@cashin/shared';
import { Button } from '../common/components.js';
import type { Words } from '../common/i18n.js';
import type { TillMessageKey } from './messages.js';

export type TillWords = Words<TillMessageKey>;

export type Step = 'scan' | 'amount' | 'check' | 'done';
const steps: readonly Step[] = ['scan', 'amount', 'check', 'done'];

/** Where the clerk is in the four steps, so the next one is never a surprise. */
export function Steps({ current, words }: { current: Step; words: TillWords }) {
  return (
    <ol class="steps" aria-label={words.t('steps.label')}>
      {steps.map((step) => (
        <li
          key={step}
          class={step === current ? 'step step-current' : 'step'}
          aria-current={step === current ? 'step' : undefined}
        >
          {words.t(`step.${step}`)}
        </li>
      ))}
    </ol>
  );
}

/** A claim code as the shopper keys it in: groups of four. */
export function formatClaimCode(claimCode: string): string {
  return formatCode(claimCode as Code);
}

/**
 * The receipt the browser prints (the print style sheet shows only this, 80 mm wide). Money held in
 * suspense says so, and carries the claim code the shopper needs to get it.
 */
export function Receipt({ authorization, words }: { authorization: Authorization; words: TillWords }) {
  const a = authorization;
  const status: TillMessageKey =
    a.status === 'voided'
      ? 'receipt.statusVoided'
      : a.creditedTo === 'suspense'
        ? 'receipt.statusSuspense'
        : 'receipt.statusCommitted';
  const rows: [TillMessageKey, string][] = [
    ['receipt.store', a.storeName],
    ['receipt.clerk', a.clerkName],
    ['receipt.customer', a.maskedName],
    ['receipt.code', a.codeMasked],
    ['receipt.amount', words.money(a.amountMinor, a.currency)],
    ['receipt.time', words.dateTime(a.committedAtMs ?? a.createdAtMs)],
    ['receipt.status', words.t(status)],
    ...(a.claimCode === null
      ? []
      : [['receipt.claimCode', formatClaimCode(a.claimCode)] as [TillMessageKey, string]]),
    ['receipt.reference', a.authorizationId],
  ];
  return (
    <section class="receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title">{words.t('receipt.title')}</h2>
      <dl>
        {rows.map(([key, value]) => (
          <div key={key} class="receipt-row">
            <dt>{words.t(key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p>{words.t('receipt.keep')}</p>
    </section>
  );
}

/** What the clerk does once a receipt is on screen: print it, or go on to the next customer. */
export function ReceiptActions({ words, onNext }: { words: TillWords; onNext: () => void }) {
  return (
    <div class="actions">
      <Button onClick={() => print()}>{words.t('done.print')}</Button>
      <Button kind="primary" onClick={onNext}>
        {words.t('done.next')}
      </Button>
    </div>
  );
}
