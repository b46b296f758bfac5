import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Secrets a person types (clerk PINs, ops staff passwords) as slow scrypt hashes, in the kiosk technician
 * PIN's format (scrypt$N$r$p$salt$hash), so the cost can rise without breaking stored hashes.
 * Asynchronous: scrypt at these settings takes tens of milliseconds, which must not stall the event loop
 * for every other request.
 */
const costN = 2 ** 14;
const blockR = 8;
const parallelP = 1;
const keyBytes = 32;

function scryptAsync(
  secret: string,
  salt: Buffer,
  length: number,
  n: number,
  r: number,
  p: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, { N: n, r, p, maxmem: 2 * 128 * n * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function slowHash(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, keyBytes, costN, blockR, parallelP);
  return ['scrypt', costN, blockR, parallelP, salt.toString('base64url'), hash.toString('base64url')].join(
    '$',
  );
}

export async function matchesSlowHash(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(
    secret,
    Buffer.from(salt, 'base64url'),
    expected.length,
    Number(n),
    Number(r),
    Number(p),
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
