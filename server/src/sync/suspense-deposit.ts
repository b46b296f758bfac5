import type { Code, CurrencyCode } from '@cashin/shared';
import { maskCode } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import { claimCodeFor, claimCodeHash } from '../claims/claim-code.js';
import type { Deps } from '../deps.js';
import { insertDeposit } from '../deposits/deposit-record.js';
import { ensureSystemAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import type { Tx } from '../storage/db.js';

export interface SuspenseDeposit {
  readonly depositId: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly bagAccountId: string;
  /** The claim code the kiosk printed on its voucher; null when the server must derive one. */
  readonly kioskClaimCode: Code | null;
}

/**
 * Kiosk cash that cannot go to a wallet: a voucher ("no account"), or a code that is not a deposit code at
 * all. The money moves bag -> suspense and a claim is opened, under the voucher's own printed claim code
 * when there is one, so the shopper redeems the paper in their hand through the ordinary claims flow.
 * Should that code collide with an existing claim (a kiosk bug, or 10^-12 bad luck), the claim is opened
 * under a code derived from the deposit id instead, and ops find it in the suspense queue.
 * Answers the claim id and whether the kiosk's code was used.
 */
export async function postToSuspense(
  tx: Tx,
  deps: Deps,
  deposit: SuspenseDeposit,
  nowMs: number,
): Promise<{ claimId: string; usedKioskCode: boolean }> {
  const suspenseId = await ensureSystemAccount(tx, 'suspense', deposit.currency, deps.newId, nowMs);
  const [result] = await createTransfers(
    tx,
    [
      {
        id: deposit.depositId,
        debitAccountId: deposit.bagAccountId,
        creditAccountId: suspenseId,
        amountMinor: deposit.amountMinor,
        currency: deposit.currency,
        code: 'depositToSuspense',
      },
    ],
    nowMs,
  );
  if (result !== 'created')
    throw new Error(`a suspense transfer for a new kiosk deposit failed: ${String(result)}`);
  const claimId = deps.newId();
  const openClaim = (code: Code) =>
    tx.run(
      `INSERT INTO claims (id, code_hash, amount_minor, currency, deposit_transfer_id, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        claimId,
        claimCodeHash(deps.claimCodeSecret, code),
        deposit.amountMinor,
        deposit.currency,
        deposit.depositId,
        nowMs,
      ],
    );
  let claimCode = deposit.kioskClaimCode;
  let usedKioskCode = claimCode !== null && (await openClaim(claimCode)) === 1;
  if (!usedKioskCode) {
    claimCode = claimCodeFor(deps.claimCodeSecret, deposit.depositId);
    if ((await openClaim(claimCode)) !== 1) throw new Error('a derived claim code collided');
    usedKioskCode = false;
  }
  if (claimCode === null) throw new Error('unreachable: a claim code was chosen above');
  await insertDeposit(tx, {
    transferId: deposit.depositId,
    shopperId: null,
    walletAccountId: null,
    codeHash: claimCodeHash(deps.claimCodeSecret, claimCode),
    codeMasked: maskCode(claimCode),
    amountMinor: deposit.amountMinor,
    currency: deposit.currency,
    sourceAccountId: deposit.bagAccountId,
    cashAlreadyTaken: true,
    status: 'suspense',
    reviewReason: 'codeUnknown',
    cashReportFlag: false,
    claimId,
    createdAtMs: nowMs,
  });
  await appendAudit(
    tx,
    {
      kind: 'deposit.suspense',
      // The claim's own chain, not the suspense account's: one suspense account per currency takes every
      // unknown-code deposit of every store and kiosk, and one chain for it would be a single head row
      // that all of them lock in turn (PostgreSQL), the hot row the per-subject chains exist to avoid.
      subject: claimId,
      data: {
        depositId: deposit.depositId,
        code: maskCode(claimCode),
        amountMinor: deposit.amountMinor,
        currency: deposit.currency,
        source: deposit.bagAccountId,
        status: 'suspense',
      },
    },
    nowMs,
  );
  return { claimId, usedKioskCode };
}
