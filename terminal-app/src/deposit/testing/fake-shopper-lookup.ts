import type { Code } from '@cashin/shared';
import type { LookupResult, ShopperLookup } from '../shopper-lookup.js';

/**
 * TEST STAND-IN. An in-memory code lookup for the deposit runner's tests, standing in for the signed
 * server client another engineer is building now. Known codes answer `found`, unknown ones
 * `refused CODE_UNKNOWN`; `mode` switches it to a server that is down (`unreachable`) or that never answers
 * until the runner gives up (`hang`, resolved as unreachable when aborted).
 */
export class FakeShopperLookup implements ShopperLookup {
  mode: 'answer' | 'unreachable' | 'hang' = 'answer';
  readonly calls: Code[] = [];
  private readonly shoppers = new Map<string, LookupResult>();

  add(code: Code, result: LookupResult): void {
    this.shoppers.set(code, result);
  }

  lookup(code: Code, signal: AbortSignal): Promise<LookupResult> {
    this.calls.push(code);
    if (this.mode === 'unreachable') return Promise.resolve({ kind: 'unreachable' });
    if (this.mode === 'hang') {
      return new Promise((resolve) => {
        signal.addEventListener('abort', () => resolve({ kind: 'unreachable' }), { once: true });
      });
    }
    return Promise.resolve(this.shoppers.get(code) ?? { kind: 'refused', code: 'CODE_UNKNOWN' });
  }
}
