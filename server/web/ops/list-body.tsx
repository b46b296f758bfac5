import type { ComponentChildren } from 'preact';
import type { OpsWords } from './ops-context.js';

/** A loaded list: "loading" until it arrives, "none" when it is empty, else what `children` makes of it. */
export function ListBody<T>({
  items,
  words,
  children,
}: {
  items: readonly T[] | null;
  words: OpsWords;
  children: (items: readonly T[]) => ComponentChildren;
}) {
  if (items === null) return <p aria-busy="true">{words.t('loading')}</p>;
  if (items.length === 0) return <p class="muted">{words.t('none')}</p>;
  return <>{children(items)}</>;
}
