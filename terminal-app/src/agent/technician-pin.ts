import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * The technician PIN that opens maintenance mode, kept only as a slow scrypt hash in the kiosk config.
 * Format: scrypt$N$r$p$<salt>$<hash>, base64url parts, so the cost can rise without breaking old hashes.
 */
const costN = 2 ** 15;
const blockR = 8;
const parallelP = 1;
const keyBytes = 32;
// scrypt's memory is 128 * N * r bytes: 32 MiB at these settings; allow twice that.
const memoryBytesMax = 2 * 128 * costN * blockR;

export function hashTechnicianPin(pin: string, salt: Buffer = randomBytes(16)): string {
  const hash = scryptSync(pin, salt, keyBytes, { N: costN, r: blockR, p: parallelP, maxmem: memoryBytesMax });
  return ['scrypt', costN, blockR, parallelP, salt.toString('base64url'), hash.toString('base64url')].join(
    '$',
  );
}

export function checkTechnicianPin(pin: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(pin, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 2 * 128 * Number(n) * Number(r),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
