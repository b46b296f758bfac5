import { describe, expect, it } from 'vitest';
import { CodedError, ErrorBodySchema, errorCodes, errorMessageKey, errorStatus } from './catalogue.js';

describe('error catalogue', () => {
  it('gives every code an HTTP error status and a unique message key', () => {
    const keys = new Set<string>();
    for (const code of errorCodes) {
      expect(code).toMatch(/^[A-Z][A-Z_]*$/);
      expect(errorStatus(code)).toBeGreaterThanOrEqual(400);
      expect(errorStatus(code)).toBeLessThan(600);
      keys.add(errorMessageKey(code));
    }
    expect(keys.size).toBe(errorCodes.length);
    expect(errorMessageKey('LIMIT_EXCEEDED')).toBe('error.limitExceeded');
  });

  it('turns a coded error into the body every client parses', () => {
    const error = new CodedError('LIMIT_EXCEEDED', { remainingMinor: 1_500 });
    expect(error.status).toBe(422);
    const body = ErrorBodySchema.parse(error.toBody('req-1'));
    expect(body.error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      messageKey: 'error.limitExceeded',
      details: { remainingMinor: 1_500 },
      requestId: 'req-1',
    });
  });
});
