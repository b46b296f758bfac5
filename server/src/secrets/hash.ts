import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from '@cashin/shared';
import { signUpTokenBytes } from '@cashin/shared';

/** SHA-256 hex of a secret we must recognise but never keep (session tokens, OTPs, claim codes). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Compares two secrets in constant time, so response timing leaks nothing about how much matched. */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** An opaque bearer token: 256 bits from the CSPRNG, base64url. */
export function newBearerToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A sign-up token (shared SignUpTokenSchema): 128 bits from the CSPRNG, base64url. */
export function newSignUpToken(): string {
  return randomBytes(signUpTokenBytes).toString('base64url');
}

export const otpDigits = 6;

export function newOtp(): string {
  return String(randomInt(0, 10 ** otpDigits)).padStart(otpDigits, '0');
}

/**
 * A deterministic byte stream from HMAC-SHA256(secret, label ‖ counter). Feeding it to generateCode makes
 * a claim code a function of its deposit id, so a replayed deposit answers the same claim code without
 * the code ever being stored.
 */
export function hmacRandomBytes(secret: string, label: string): RandomBytes {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (bytes) => {
    while (pool.length < bytes.length) {
      const block = createHmac('sha256', secret).update(`${label}:${counter++}`).digest();
      pool = Buffer.concat([pool, block]);
    }
    bytes.set(pool.subarray(0, bytes.length));
    pool = pool.subarray(bytes.length);
  };
}
