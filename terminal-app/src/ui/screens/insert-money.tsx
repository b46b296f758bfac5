import type { ScreenProps } from '../context.js';
import { ScreenHeading } from '../components/screen-heading.js';
import { returnedTexts } from '../kiosk-text.js';

/**
 * The live deposit. The total sits in a polite live region so a screen reader speaks each new total
 * without interrupting; the itemised list and the rejects say what the machine saw. While a bulk counter is
 * still counting a pour, Finish says so and is disabled.
 */
export function InsertMoneyScreen({ snapshot, t, money, send }: ScreenProps) {
  const items = [...snapshot.items].sort((a, b) => b.valueMinor - a.valueMinor);
  const returned = returnedTexts(snapshot, t);
  return (
    <section class="screen screen-insert">
      <ScreenHeading text={t('insert.title')} screen="insertMoney" />
      <div class="total-box">
        <span id="total-label">{t('insert.total')}</span>
        <output
          class="total"
          aria-labelledby="total-label"
          aria-live="polite"
          aria-atomic="true"
          data-testid="total"
        >
          {money(snapshot.totalMinor)}
        </output>
      </div>
      {snapshot.remainingMinor !== null && (
        <p class="lead">{t('insert.remaining', { amount: money(snapshot.remainingMinor) })}</p>
      )}
      <div class="items-panel">
        <h2>{t('insert.items')}</h2>
        {items.length === 0 ? (
          <p class="muted">{t('insert.empty')}</p>
        ) : (
          <ul class="items" data-testid="items">
            {items.map((item) => (
              <li key={`${item.kind}-${item.valueMinor}`}>
                <span>{t('insert.itemLine', { count: item.count, value: money(item.valueMinor) })}</span>
                <span>{money(item.valueMinor * item.count)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {returned.length > 0 && (
        <div class="rejects" role="status" data-testid="rejects">
          {returned.map((text) => (
            <p key={text}>{text}</p>
          ))}
        </div>
      )}
      {/* The counter counts on whatever the shopper taps: Finish waits until it is done. */}
      <button
        type="button"
        class="primary huge"
        disabled={snapshot.counting}
        aria-busy={snapshot.counting}
        data-testid="finish"
        onClick={() => send({ type: 'finish' })}
      >
        {snapshot.counting ? t('insert.stillCounting') : t('insert.finish')}
      </button>
    </section>
  );
}
