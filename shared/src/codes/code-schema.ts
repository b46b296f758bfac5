import { z } from 'zod';
import type { Code, CodeType } from './deposit-code.js';
import { parseCode } from './deposit-code.js';

/**
 * A code on the wire: accepts the forms people and scanners produce ("4112-3456 7890 1234") and yields
 * the bare digits, or fails with the parse reason so the caller can answer with a coded error.
 */
export function codeSchema(expected?: readonly CodeType[]) {
  return z.string().transform((input, context): Code => {
    const parsed = parseCode(input, expected);
    if (!parsed.ok) {
      context.addIssue({
        code: 'custom',
        message: `code ${parsed.reason}`,
        params: { reason: parsed.reason },
      });
      return z.NEVER;
    }
    return parsed.code;
  });
}

export const AnyCodeSchema = codeSchema();
export const DepositCodeSchema = codeSchema(['deposit']);
export const ClaimCodeSchema = codeSchema(['claim']);
