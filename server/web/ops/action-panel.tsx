import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { Button, Form } from '../common/components.js';

/**
 * The form of one action on an item of a list (close an alert, keep a held deposit, credit a claim),
 * opened under the list: its title, its fields, a submit button that waits until the fields are filled,
 * and Cancel. The field `focusId` takes focus whenever the panel opens or turns to another item, so
 * keyboard and screen reader users land in the form, not at the top of the list.
 */
export function ActionPanel({
  title,
  focusId,
  submitLabel,
  submitKind = 'primary',
  ready,
  busy = false,
  cancelLabel,
  onSubmit,
  onCancel,
  children,
}: {
  title: string;
  focusId: string;
  submitLabel: string;
  submitKind?: 'primary' | 'danger';
  /** Every required field is filled. */
  ready: boolean;
  busy?: boolean;
  cancelLabel: string;
  onSubmit: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  useEffect(() => document.getElementById(focusId)?.focus(), [focusId, title]);
  return (
    <div class="panel">
      <h2>{title}</h2>
      <Form onSubmit={onSubmit} label={title}>
        {children}
        <Button kind={submitKind} type="submit" busy={busy} disabled={!ready}>
          {submitLabel}
        </Button>
        <Button kind="link" onClick={onCancel}>
          {cancelLabel}
        </Button>
      </Form>
    </div>
  );
}
