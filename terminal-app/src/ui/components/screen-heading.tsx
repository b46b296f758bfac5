import { useEffect, useRef } from 'preact/hooks';

/**
 * The heading of each screen. It takes focus when the screen changes, so a screen reader announces the
 * new screen and keyboard focus starts at its top rather than on a button that no longer exists.
 */
export function ScreenHeading({ text, screen }: { text: string; screen: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [screen]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {text}
    </h1>
  );
}
