import type { ScreenProps } from '../context.js';
import { ScreenHeading } from '../components/screen-heading.js';

/** Looking the code up, or counting what is still in flight: nothing to do but wait, and be told so. */
export function WaitingScreen({ snapshot, t, money }: ScreenProps) {
  const title = snapshot.screen === 'lookingUp' ? t('lookingUp.title') : t('finishing.title');
  return (
    <section class="screen screen-waiting" aria-busy="true">
      <ScreenHeading text={title} screen={snapshot.screen} />
      <div class="spinner" aria-hidden="true" />
      {snapshot.screen === 'finishing' && (
        <p class="total-line" aria-live="polite">
          {t('insert.total')}: <strong>{money(snapshot.totalMinor)}</strong>
        </p>
      )}
    </section>
  );
}
