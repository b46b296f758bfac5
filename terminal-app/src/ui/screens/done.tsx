import type { ScreenProps } from '../context.js';
import { ScreenHeading } from '../components/screen-heading.js';

/**
 * The deposit is committed: what went in, where it went, and the receipt. A voucher went to no wallet: its
 * claim code is the money, so the screen says to keep the printed voucher, or, if it did not print, to note
 * the code shown here, the shopper's only copy of it.
 */
export function DoneScreen({ snapshot, t, money, send }: ScreenProps) {
  const receipt = snapshot.receipt;
  const receiptStatus =
    receipt?.status === 'printing'
      ? t('done.receiptPrinting')
      : receipt?.status === 'printed'
        ? t('done.receiptPrinted')
        : t('done.receiptFailed');
  return (
    <section class="screen screen-done">
      <ScreenHeading text={t('done.title')} screen="done" />
      <p class="amount" data-testid="done-amount">
        {t('done.amount', { amount: money(receipt?.totalMinor ?? snapshot.totalMinor) })}
      </p>
      {receipt?.claimCode ? (
        <p class="lead" data-testid="done-lead">
          {t(receipt.status === 'failed' ? 'done.voucherUnprinted' : 'done.voucherKeep')}
        </p>
      ) : receipt && receipt.newBalanceMinor !== null && !receipt.pending ? (
        <p class="lead" data-testid="done-lead">
          {t('done.balance', { amount: money(receipt.newBalanceMinor) })}
        </p>
      ) : (
        <p class="lead pending" data-testid="done-lead">
          {t('done.pending')}
        </p>
      )}
      {receipt?.claimCode && (
        <div class="claim">
          <h2>{t('done.voucher')}</h2>
          <p class="claim-code">{receipt.claimCode}</p>
          <p>{t('done.voucherHint')}</p>
        </div>
      )}
      {receipt && (
        <p class="receipt-status" role="status">
          {receiptStatus}
        </p>
      )}
      <div class="actions">
        {receipt && receipt.status !== 'printing' && (
          <button type="button" class="secondary" onClick={() => send({ type: 'reprint' })}>
            {t('done.reprint')}
          </button>
        )}
        <button type="button" class="primary" onClick={() => send({ type: 'dismiss' })}>
          {t('done.finish')}
        </button>
      </div>
    </section>
  );
}
