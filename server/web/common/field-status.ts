import type { FieldProps } from './components.js';

export type FieldStatus = NonNullable<FieldProps['status']>;

/**
 * The status line under a checked field. A complaint waits until the person has tried to submit
 * (`touched`), so nobody is scolded while still typing; a field that reads right may confirm what was
 * understood (an amount in words): that is `validText`, given only when the field is valid.
 */
export function checkedFieldStatus(
  touched: boolean,
  valid: boolean,
  invalidText: string,
  validText?: string,
): FieldStatus | undefined {
  if (touched && !valid) return { text: invalidText, tone: 'bad' };
  if (valid && validText !== undefined) return { text: validText, tone: 'ok' };
  return undefined;
}
