import type { ComponentChildren } from 'preact';
import { Button, ScreenHeading } from '../common/components.js';
import type { OpsWords } from './ops-context.js';

/** An ops screen: its heading, a Refresh button where it shows a list, then its content. */
export function ListSection({
  title,
  screen,
  words,
  onRefresh,
  children,
}: {
  title: string;
  screen: string;
  words: OpsWords;
  onRefresh?: () => void;
  children: ComponentChildren;
}) {
  return (
    <section class="screen">
      <div class="section-head">
        <ScreenHeading text={title} screen={screen} />
        {onRefresh && <Button onClick={onRefresh}>{words.t('refresh')}</Button>}
      </div>
      {children}
    </section>
  );
}
