import type { Code } from '@cashin/shared';
import { generateCode, maskCode } from '@cashin/shared';
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

export function claimCodeHash(code: Code): string {
  return sha256Hex(`claim:${code}`);
}
