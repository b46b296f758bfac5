import type { ComponentChildren } from 'preact';

/** The bar at the top of every app: the app's name first, then what the app adds (clerk, actions, language). */
export function TopBar({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <header class="topbar">
      <p class="brand">{title}</p>
      {children}
    </header>
  );
}
