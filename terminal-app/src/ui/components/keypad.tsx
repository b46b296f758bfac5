import type { PartialCodeState } from '@cashin/shared';

/**
 * The large on-screen keypad. Keys are real buttons (focusable, labelled), at least 88 px square so they
 * can be hit at arm's length by anyone.
 */
export function Keypad({
  onDigit,
  onBackspace,
  onClear,
  labels,
}: {
  onDigit: (digit: string) => void;
  onBackspace: () => void;
  onClear: () => void;
  labels: { backspace: string; clear: string };
}) {
  const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
  return (
    <div class="keypad" role="group">
      {digits.map((digit) => (
        <button type="button" class="key" key={digit} onClick={() => onDigit(digit)}>
          {digit}
        </button>
      ))}
      <button type="button" class="key key-secondary" onClick={onClear}>
        {labels.clear}
      </button>
      <button type="button" class="key" onClick={() => onDigit('0')}>
        0
      </button>
      <button type="button" class="key key-secondary" aria-label={labels.backspace} onClick={onBackspace}>
        ⌫
      </button>
    </div>
  );
}

export function codeStateClass(state: PartialCodeState): string {
  return state === 'invalid' ? 'code-invalid' : state === 'complete' ? 'code-complete' : 'code-incomplete';
}
