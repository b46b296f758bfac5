import type { Code } from '@cashin/shared';
import { LookupResponseSchema, terminalApiPaths } from '@cashin/shared';
import type { LookupResult, ShopperLookup } from '../deposit/shopper-lookup.js';
import type { SignedClient } from './signed-client.js';

/** Code lookups over the signed channel: the masked name and what the deposit may still take. */
export function createServerLookup(client: SignedClient): ShopperLookup {
  return {
    async lookup(code: Code, signal: AbortSignal): Promise<LookupResult> {
      const result = await client.post(terminalApiPaths.lookup, { code }, LookupResponseSchema, signal);
      if (result.ok) {
        const { maskedName, currency, remainingMinor, balanceMinor } = result.value;
        return { kind: 'found', maskedName, currency, remainingMinor, balanceMinor };
      }
      return result.kind === 'refused' ? { kind: 'refused', code: result.code } : { kind: 'unreachable' };
    },
  };
}
