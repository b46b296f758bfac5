/**
 * How long a payment slip lives by default (DESIGN section 9: 1 hour to 7 days). On its own so the wallet
 * can offer only lifetimes the server takes without downloading the whole limits table and its schema.
 */
export const defaultSlipTtlMsMin = 60 * 60 * 1000;
export const defaultSlipTtlMsMax = 7 * 24 * 60 * 60 * 1000;
