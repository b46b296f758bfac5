/** A message that must be noticed: announced at once by screen readers, high contrast on screen. */
export function Banner({ text, tone }: { text: string; tone: 'error' | 'notice' }) {
  return (
    <p class={`banner banner-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {text}
    </p>
  );
}
