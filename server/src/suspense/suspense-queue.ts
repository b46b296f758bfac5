import type { CurrencyCode } from '@cashin/shared';
import { maskedClaimCode } from '../claims/claim-code.js';
import type { Deps } from '../deps.js';

export interface SuspenseEntry {
  readonly id: string;
  readonly depositId: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly reason: 'codeUnknown' | 'codeRevoked' | 'voucher' | 'reversal';
  readonly claimCodeMasked: string | null;
  readonly status: 'held' | 'claimed';
  readonly createdAtMs: number;
}

/** The most suspense entries one listing returns, newest first. */
export const suspenseListedMax = 500;

/**
 * Money held in suspense and its claims: cash for an unknown or revoked code, a voucher's, and a reversed
 * kiosk deposit's (its claim names the reversal transfer). A voucher's claim code is the kiosk's (masked
 * as stored); any other claim code is derived from the id of the transfer that put the money in suspense
 * and shown masked, so ops can tell a shopper which claim is theirs without the listing ever carrying a
 * usable code.
 */
export async function listSuspense(deps: Deps): Promise<SuspenseEntry[]> {
  const rows = await deps.db.transaction((tx) =>
    tx.all<{
      id: string;
      deposit_transfer_id: string;
      amount_minor: number;
      currency: CurrencyCode;
      review_reason: string | null;
      transfer_code: string;
      reverses_id: string | null;
      voucher_code_masked: string | null;
      credited_to: string | null;
      redeemed_transfer_id: string | null;
      created_at_ms: number;
    }>(
      `SELECT c.id, c.deposit_transfer_id, c.amount_minor, c.currency, d.review_reason,
         t.code AS transfer_code, t.reverses_id,
         k.claim_code_masked AS voucher_code_masked, k.credited_to, c.redeemed_transfer_id, c.created_at_ms
       FROM claims c
       JOIN transfers t ON t.id = c.deposit_transfer_id
       LEFT JOIN deposits d ON d.transfer_id = c.deposit_transfer_id
       LEFT JOIN kiosk_deposits k ON k.deposit_id = c.deposit_transfer_id
       ORDER BY c.created_at_ms DESC, c.id DESC LIMIT ${suspenseListedMax}`,
    ),
  );
  return rows.map((row) => {
    const voucher = row.credited_to === 'claim';
    return {
      id: row.id,
      // A reversal's claim is listed under the deposit it undid, the id ops know it by.
      depositId: row.reverses_id ?? row.deposit_transfer_id,
      amountMinor: row.amount_minor,
      currency: row.currency,
      reason: voucher
        ? 'voucher'
        : row.transfer_code === 'reversal'
          ? 'reversal'
          : row.review_reason === 'codeRevoked'
            ? 'codeRevoked'
            : 'codeUnknown',
      claimCodeMasked: voucher
        ? row.voucher_code_masked
        : maskedClaimCode(deps.claimCodeSecret, row.deposit_transfer_id),
      status: row.redeemed_transfer_id === null ? 'held' : 'claimed',
      createdAtMs: row.created_at_ms,
    };
  });
}
