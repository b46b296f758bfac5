import type { Code } from '@cashin/shared';
import { generateCode, maskCode } from '@cashin/shared';
import { createHmac } from 'node:crypto';
import { hmacRandomBytes, sha256Hex } from '../secrets/hash.js';

/**
 * The claim code of a suspense deposit is derived from its id with a server secret: a replay of the
 * deposit answers the same code, yet only its hash is stored, so a database leak redeems nothing.
 */
export function claimCodeFor(secret: string, depositId: string): Code {
  return generateCode('claim', hmacRandomBytes(secret, `claim:${depositId}`));
}

/** The derived claim code of a suspense deposit, masked: what ops may see of it, unusable. */
export function maskedClaimCode(secret: string, depositId: string): string {
  return maskCode(claimCodeFor(secret, depositId));
}

/** How a keyed claim code hash begins (claims.code_hash, and a voucher's claim code in kiosk_deposits). */
export const keyedClaimHashPrefix = 'k1:';

/**
 * What the server keeps of a claim code: HMAC-SHA256 under the server's claim code secret, so the code
 * cannot be found from the database alone. A claim code carries some 56 bits; an unkeyed hash of it could
 * be searched through from a leaked database, every stored hash at once. The HMAC is taken over the
 * unkeyed hash the server kept before (sha256 of `claim:` and the code), so rows stored that way are
 * keyed without their codes (keyLegacyClaimHashes).
 */
export function claimCodeHash(secret: string, code: string): string {
  return keyClaimHash(secret, sha256Hex(`claim:${code}`));
}

/** The keyed form of an unkeyed claim code hash (64 hex digits). */
export function keyClaimHash(secret: string, unkeyedHex: string): string {
  return keyedClaimHashPrefix + createHmac('sha256', secret).update(unkeyedHex).digest('hex');
}
