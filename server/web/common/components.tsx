import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';

/**
 * The small component library the three apps share. Every control has a visible label, a 44 px or larger
 * touch target (styles.css), and a focus ring; messages that must be noticed are live regions.
 */

/** A message that must be noticed: errors are alerts (announced at once), notices are polite status. */
export function Banner({ text, tone }: { text: string; tone: 'error' | 'notice' | 'success' }) {
  return (
    <p class={`banner banner-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {text}
    </p>
  );
}

/**
 * The heading of each screen. It takes focus when the screen changes, so a screen reader announces the new
 * screen and keyboard focus starts at its top rather than on a button that no longer exists.
 */
export function ScreenHeading({ text, screen }: { text: string; screen: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [screen]);
  return (
    <h1 ref={heading} tabIndex={-1} class="screen-heading">
      {text}
    </h1>
  );
}

export interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  /** Shown under the field and tied to it, so a screen reader reads it with the label. */
  status?: { text: string; tone: 'ok' | 'bad' | 'neutral' } | undefined;
  type?: 'text' | 'tel' | 'password';
  inputMode?: 'numeric' | 'decimal' | 'tel' | 'text';
  autoComplete?: string;
  maxLength?: number;
  required?: boolean;
  invalid?: boolean;
  large?: boolean;
  /** Shown and focusable but not typed in: a value fixed elsewhere (a payment slip's amount). */
  readOnly?: boolean;
}

/** A labelled input with an optional hint and a live status line (check-digit feedback, format help). */
export function Field(props: FieldProps) {
  const describedBy = [props.hint ? `${props.id}-hint` : '', props.status ? `${props.id}-status` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`field ${props.large ? 'field-large' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p id={`${props.id}-hint`} class="field-hint">
          {props.hint}
        </p>
      )}
      <input
        id={props.id}
        name={props.id}
        // Preact's input types are a union keyed on `type`; every type used here takes the same attributes.
        type={(props.type ?? 'text') as 'text'}
        inputMode={props.inputMode}
        autoComplete={props.autoComplete ?? 'off'}
        maxLength={props.maxLength}
        required={props.required}
        readOnly={props.readOnly}
        aria-invalid={props.invalid ?? props.status?.tone === 'bad'}
        aria-describedby={describedBy || undefined}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      {props.status && (
        <p
          id={`${props.id}-status`}
          class={`field-status field-status-${props.status.tone}`}
          aria-live="polite"
        >
          {props.status.text}
        </p>
      )}
    </div>
  );
}

export function Button({
  children,
  onClick,
  kind = 'secondary',
  type = 'button',
  disabled,
  busy,
  describedBy,
  id,
}: {
  children: ComponentChildren;
  onClick?: () => void;
  kind?: 'primary' | 'secondary' | 'danger' | 'link';
  type?: 'button' | 'submit';
  disabled?: boolean;
  busy?: boolean;
  describedBy?: string;
  /** For a screen that moves focus back to this button (a confirm step closed). */
  id?: string;
}) {
  return (
    <button
      id={id}
      type={type}
      class={`button button-${kind}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      aria-describedby={describedBy}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

/** A form that never reloads the page: Enter submits, the handler runs. */
export function Form({
  onSubmit,
  children,
  label,
}: {
  onSubmit: () => void;
  children: ComponentChildren;
  label?: string;
}) {
  return (
    <form
      class="form"
      aria-label={label}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** An amount, large, with its meaning for screen readers in the same words as on screen. */
export function MoneyDisplay({
  label,
  text,
  size = 'large',
  live,
  testId,
}: {
  label: string;
  text: string;
  size?: 'large' | 'medium';
  live?: boolean;
  testId?: string;
}) {
  return (
    <div class={`money money-${size}`}>
      <span class="money-label">{label}</span>
      <span class="money-amount" data-testid={testId} aria-live={live ? 'polite' : undefined}>
        {text}
      </span>
    </div>
  );
}

/** The language switch every app shows: real buttons, the current one pressed. */
export function LanguageSwitch<L extends string>({
  current,
  options,
  label,
  onChange,
}: {
  current: L;
  options: readonly { value: L; label: string; lang: string }[];
  label: string;
  onChange: (value: L) => void;
}) {
  return (
    <div class="language-switch" role="group" aria-label={label}>
      {options.map((option) => (
        <button
          type="button"
          key={option.value}
          lang={option.lang}
          class="button button-link"
          aria-pressed={option.value === current}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}

/**
 * A table that may be wider than a phone. A wide list (`stack`) becomes one card per row there (styles.css);
 * any other table scrolls sideways inside its own box, which keyboard users can focus and scroll with the
 * arrow keys, and which a screen reader names.
 */
export function TableScroll({
  label,
  stack = false,
  children,
}: {
  label: string;
  /** A wide list: on a phone each row becomes a card, each value under its column's heading. */
  stack?: boolean;
  children: ComponentChildren;
}) {
  const region = useRef<HTMLDivElement>(null);
  // After every render, so rows added since the last one are labelled too.
  useLayoutEffect(() => {
    const table = region.current?.querySelector('table');
    if (stack && table) labelCellsByColumn(table);
  });
  return (
    <div
      ref={region}
      class={stack ? 'table-scroll table-stack' : 'table-scroll'}
      role="region"
      aria-label={label}
      tabIndex={0}
    >
      {children}
    </div>
  );
}

/**
 * Gives each body cell its column heading as `data-label`, which styles.css shows before the value when a
 * phone lays the rows out as cards; a row's own heading (th scope=row) is the card's title and needs none.
 * The cards are blocks, not table boxes, and some screen readers then stop treating them as a table, so the
 * table roles are stated explicitly.
 */
function labelCellsByColumn(table: HTMLTableElement): void {
  const headings = [...table.querySelectorAll('thead th')].map(
    (heading) => heading.textContent?.trim() ?? '',
  );
  table.setAttribute('role', 'table');
  for (const group of table.querySelectorAll('thead, tbody')) group.setAttribute('role', 'rowgroup');
  for (const heading of table.querySelectorAll('thead th')) heading.setAttribute('role', 'columnheader');
  for (const row of table.querySelectorAll('tr')) {
    row.setAttribute('role', 'row');
    if (row.parentElement?.tagName !== 'TBODY') continue;
    [...row.children].forEach((cell, column) => {
      if (cell.tagName === 'TH') {
        cell.setAttribute('role', 'rowheader');
        return;
      }
      cell.setAttribute('role', 'cell');
      const heading = headings[column];
      if (heading) cell.setAttribute('data-label', heading);
      else cell.removeAttribute('data-label');
    });
  }
}
