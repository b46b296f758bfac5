import { z } from 'zod';

/**
 * A shopper's KYC tier (DESIGN section 9): 0 with a phone number only, 1 once identity is checked. On its
 * own so API schemas can name it without pulling the whole limits table into an app's bundle.
 */
export const kycTiers = [0, 1] as const;
export type KycTier = (typeof kycTiers)[number];
export const KycTierSchema = z.union([z.literal(0), z.literal(1)]);
