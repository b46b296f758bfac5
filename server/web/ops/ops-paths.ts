import { opsApiPaths } from '@cashin/shared';

/**
 * Where the ops console calls: the shared contract's paths (ops-api.ts), the settlement queries built from
 * them, and the two routes of issue 3 that the contract does not name (reversals and code lookups).
 */
const settlementQuery = (storeId: string, date?: string): string =>
  `storeId=${encodeURIComponent(storeId)}` + (date === undefined ? '' : `&date=${encodeURIComponent(date)}`);

export const opsPaths = {
  ...opsApiPaths,
  /** Without a date: the business day it is now at the store, in the store's own time zone. */
  settlement: (storeId: string, date?: string) =>
    `${opsApiPaths.settlements}?${settlementQuery(storeId, date)}`,
  settlementCsv: (storeId: string, date: string) =>
    `${opsApiPaths.settlementsCsv}?${settlementQuery(storeId, date)}`,
  collectionsInTransit: `${opsApiPaths.collections}?inTransit=true`,
  shopperByPhone: (phone: string) => `${opsApiPaths.shoppers}?phone=${encodeURIComponent(phone)}`,
  reversals: '/v1/reversals',
  codeLookups: '/v1/codes/lookups',
} as const;
