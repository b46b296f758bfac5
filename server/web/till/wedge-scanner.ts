import type { KeystrokeBurstOptions } from '@cashin/shared';
import { KeystrokeBurstDetector, defaultLimits } from '@cashin/shared';
import { useEffect, useRef } from 'preact/hooks';

/** The kiosk's limits for wedge scans, so the till and the kiosk tell a scan from typing alike. */
export const wedgeScanOptions: KeystrokeBurstOptions = {
  keyGapMsMax: defaultLimits.system.scanBurstKeyGapMsMax,
  charsMin: defaultLimits.system.scanBurstCharsMin,
  charsMax: defaultLimits.system.scanTextCharsMax,
};

function isTextField(element: Element | null): element is HTMLInputElement | HTMLTextAreaElement {
  if (element instanceof HTMLTextAreaElement) return !element.readOnly && !element.disabled;
  if (!(element instanceof HTMLInputElement) || element.readOnly || element.disabled) return false;
  return ['text', 'search', 'tel', 'password', 'number', 'email', 'url', ''].includes(element.type);
}

/** A key the detector is holding, and whether it was kept from the page (only keys bound for a text field). */
interface HeldKey {
  readonly key: string;
  readonly prevented: boolean;
}

/** Puts keys that were held back into the focused field, as if they had been typed there. */
function replay(keys: readonly HeldKey[]): void {
  const text = keys
    .filter((held) => held.prevented)
    .map((held) => held.key)
    .join('');
  const target = document.activeElement;
  if (text === '' || !isTextField(target)) return;
  const start = target.selectionStart ?? target.value.length;
  const end = target.selectionEnd ?? target.value.length;
  target.setRangeText(text, start, end, 'end');
  target.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * Catches a keyboard-wedge scanner wherever focus is: a scanner "types" the code in a burst and ends it
 * with Enter. Printable keys bound for a text field are held back while a burst might be starting and
 * given to the field as soon as the timing shows a person typed them, so a scan never lands half in a
 * field; the Enter that ends a scan never presses a focused button.
 */
export function useWedgeScanner(
  onScan: (text: string) => void,
  enabled: boolean,
  /**
   * Hold back keys bound for a text field while a burst might be starting (the default). Off where typing
   * must show at once (an amount): a scan's digits then land in the field first, and `onScan` takes them out.
   */
  holdInFields = true,
): void {
  const onScanRef = useRef(onScan);
  onScanRef.current = onScan;
  useEffect(() => {
    if (!enabled) return;
    const detector = new KeystrokeBurstDetector(wedgeScanOptions);
    let held: HeldKey[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const flushAfterMs = wedgeScanOptions.keyGapMsMax * 3 + 10;

    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      clearTimeout(flushTimer);
      const outcome = detector.key(event.key, event.timeStamp);
      if (outcome.kind === 'scan') {
        event.preventDefault();
        event.stopPropagation();
        held = [];
        onScanRef.current(outcome.text);
        return;
      }
      if (outcome.kind === 'typed') {
        // Either the held keys alone (this key starts a new burst and is held in turn), or the held keys
        // followed by this one (which then goes on to the page as usual, after them).
        const includesThisKey = outcome.keys.length === held.length + 1;
        replay(held);
        held = [];
        if (includesThisKey) return;
      }
      if (event.key.length === 1) {
        // Held back only from a text field, where a scan's digits would otherwise land; elsewhere (a
        // focused button, say) the key goes on at once, so Space still presses buttons.
        const prevented = holdInFields && isTextField(document.activeElement);
        if (prevented) event.preventDefault();
        held.push({ key: event.key, prevented });
        flushTimer = setTimeout(() => {
          const flushed = detector.flush();
          if (flushed.kind === 'typed') replay(held);
          held = [];
        }, flushAfterMs);
      }
    };
    // Capture phase: the scanner's keys are seen before any field or button acts on them.
    addEventListener('keydown', onKeyDown, true);
    return () => {
      clearTimeout(flushTimer);
      removeEventListener('keydown', onKeyDown, true);
    };
  }, [enabled, holdInFields]);
}
