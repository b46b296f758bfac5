import {
  AlertSchema,
  ClerkSchema,
  OpsStoreSchema,
  SuspenseEntrySchema,
  TerminalSummarySchema,
} from '@cashin/shared';
import { z } from 'zod';

/**
 * Where the ops console calls. The shared contract (ops-api.ts) has the bodies but, unlike till-api.ts,
 * no paths and no list envelopes yet; until issue 4 adds them to shared, they are named here, once, and
 * nowhere else. Reversals and code lookups already exist on the server (issue 3).
 */
export const opsPaths = {
  stores: '/v1/ops/stores',
  clerks: (storeId: string) => `/v1/ops/stores/${encodeURIComponent(storeId)}/clerks`,
  terminals: '/v1/ops/terminals',
  alerts: '/v1/ops/alerts',
  collections: '/v1/ops/collections',
  settlement: (storeId: string, date: string) =>
    `/v1/ops/settlements?storeId=${encodeURIComponent(storeId)}&date=${encodeURIComponent(date)}`,
  suspense: '/v1/ops/suspense',
  reversals: '/v1/reversals',
  codeLookups: '/v1/codes/lookups',
} as const;

export const StoreListSchema = z.object({ stores: z.array(OpsStoreSchema) });
export const TerminalListSchema = z.object({ terminals: z.array(TerminalSummarySchema) });
export const AlertListSchema = z.object({ alerts: z.array(AlertSchema) });
export const SuspenseListSchema = z.object({ entries: z.array(SuspenseEntrySchema) });
export const ClerkCreatedSchema = ClerkSchema;
