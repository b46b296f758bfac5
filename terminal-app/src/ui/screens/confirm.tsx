import type { ScreenProps } from '../context.js';
import { ScreenHeading } from '../components/screen-heading.js';

export function ConfirmScreen({ snapshot, t, money, send }: ScreenProps) {
  const shopper = snapshot.shopper;
  const voucher = shopper?.voucher ?? false;
  return (
    <section class="screen screen-confirm">
      <ScreenHeading text={voucher ? t('confirm.voucherTitle') : t('confirm.title')} screen="confirm" />
      {voucher ? (
        <p class="lead">{t('confirm.voucherBody')}</p>
      ) : shopper?.maskedName ? (
        <p class="shopper-name">{shopper.maskedName}</p>
      ) : (
        <p class="lead">{t('confirm.offlineBody')}</p>
      )}
      {snapshot.remainingMinor !== null && (
        <p class="lead">{t('confirm.remaining', { amount: money(snapshot.remainingMinor) })}</p>
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={() => send({ type: 'cancel' })}>
          {t('confirm.no')}
        </button>
        <button type="button" class="primary" onClick={() => send({ type: 'confirm' })}>
          {t('confirm.yes')}
        </button>
      </div>
    </section>
  );
}
