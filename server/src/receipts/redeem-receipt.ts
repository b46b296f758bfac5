import type { SignedFields } from '@cashin/shared';
import {
  CodedError,
  CurrencyCodeSchema,
  IsoTimestampSchema,
  isUuidV7,
  moneyLimitsFor,
  terminalIdPattern,
  verifyReceiptQr,
} from '@cashin/shared';
import type { RedeemedClaim } from '../claims/redeem-claim.js';
import { redeemDepositClaim } from '../claims/redeem-claim.js';
import type { Deps } from '../deps.js';
import { maskedName } from '../shoppers/shoppers.js';
import type { Tx } from '../storage/db.js';
import { recordSequences } from '../sync/sequence-gaps.js';
import type { StoredKioskDeposit } from '../sync/kiosk-deposits.js';
import {
  creditKioskMoney,
  findKioskDeposit,
  findKioskDepositBySequence,
  insertKioskDeposit,
  storedSignedPayload,
} from '../sync/kiosk-deposits.js';
import type { StoredTerminalKey } from '../terminals/key-records.js';
import { findTerminalKey, terminalKeys } from '../terminals/key-records.js';
import { verifyEd25519 } from '../terminals/terminal-keys.js';
import { lockTerminal } from '../terminals/terminal-record.js';

export interface ReceiptRedemption {
  /** `exists`: this shopper had redeemed the receipt already (a retry); nothing moved this time. */
  readonly result: 'created' | 'exists';
  readonly depositId: string;
  readonly amountMinor: number;
  readonly currency: SignedFields['currency'];
  readonly creditedTo: 'wallet' | 'suspense';
  readonly ownWallet: boolean;
  readonly maskedName: string | null;
  readonly status: 'credited' | 'inReview' | 'suspense';
}

/**
 * A signed-in shopper redeems a kiosk's offline receipt QR before (or instead of) the kiosk syncing it.
 * The money then moves exactly as the sync would have moved it, with the deposit id as the transfer id,
 * and the deposit is recorded under its terminal and sequence, so the later sync of the same deposit
 * answers `exists` and credits nothing twice. A receipt is redeemed once: the same shopper trying again
 * gets the first answer back as `exists`; anyone else, or anyone after the kiosk synced it, gets
 * CLAIM_ALREADY_REDEEMED.
 *
 * A receipt moves money on the strength of a kiosk's key alone, so what one can do is bounded, and a
 * leaked key cannot mint without limit (RECEIPT_NOT_REDEEMABLE, with the reason):
 * - a key ops revoked (its kiosk lost or stolen) redeems no receipt at all (`keyRevoked`): whoever holds
 *   the kiosk holds its key, and could sign any receipt, dated any time;
 * - a disabled terminal's receipts wait for ops (`terminalDisabled`);
 * - a key retired by a rotation verifies receipts for the kiosk offline window after its retirement
 *   (kioskOfflineOldestUnsyncedMs: a kiosk syncs what it printed within it), and no longer (`keyRetired`);
 * - one receipt credits at most the kiosk's offline deposit maximum (`aboveOfflineMaximum`), and the
 *   receipts of one terminal not yet matched by its sync at most its offline unsynced maximum
 *   (`unsyncedCapReached`). Money past these still reaches the wallet when the kiosk syncs.
 *
 * Whose wallet: a receipt for a shopper's code credits that code's wallet, whoever redeems it. The receipt
 * proves cash went in for that code; redeeming it only tells the server sooner. Crediting the redeemer
 * instead would let anyone who picks up a receipt take the money; refusing it would leave a helper (a
 * parent redeeming for a child) unable to speed it up. The answer says whether it was the redeemer's own
 * wallet. A receipt whose money went to suspense (a voucher, or a code that was unknown or revoked) is a
 * bearer instrument: it goes to the redeemer, through the claims flow, as a voucher's claim code would.
 */
export async function redeemReceipt(deps: Deps, shopperId: string, text: string): Promise<ReceiptRedemption> {
  const terminalId = text.split('|')[1] ?? '';
  if (!terminalIdPattern.test(terminalId)) throw new CodedError('RECEIPT_SIGNATURE_INVALID');
  const keys = await deps.db.transaction((tx) => terminalKeys(tx, terminalId));
  let signedWith: StoredTerminalKey | undefined;
  const check = verifyReceiptQr(text, (bytes, signature) => {
    signedWith = keys.find((key) => verifyEd25519(key.publicKey, bytes, signature));
    return signedWith !== undefined;
  });
  if (!check.ok || signedWith === undefined)
    throw new CodedError('RECEIPT_SIGNATURE_INVALID', { reason: check.ok ? 'signature' : check.reason });
  const fields = check.fields;
  const currency = CurrencyCodeSchema.safeParse(fields.currency);
  if (
    !isUuidV7(fields.depositId) ||
    !currency.success ||
    !IsoTimestampSchema.safeParse(fields.committedAt).success ||
    fields.sequence < 1 ||
    fields.totalMinor < 1 ||
    (fields.code === null) === (fields.claimCode === null)
  ) {
    throw new CodedError('RECEIPT_SIGNATURE_INVALID', { reason: 'malformed' });
  }
  const signed: SignedFields = {
    depositId: fields.depositId,
    sequence: fields.sequence,
    code: fields.code,
    claimCode: fields.claimCode,
    currency: currency.data,
    totalMinor: fields.totalMinor,
    committedAt: fields.committedAt,
  };
  const nowMs = deps.clock.nowMs();
  const signingKey = signedWith.publicKey;
  const keyRetiredAtMs = signedWith.retiredAtMs;
  const money = moneyLimitsFor(deps.limits, signed.currency);
  const notRedeemable = (reason: string, details: Record<string, unknown> = {}) =>
    new CodedError('RECEIPT_NOT_REDEEMABLE', { reason, ...details });
  return deps.db.transaction(async (tx) => {
    const terminal = await lockTerminal(tx, terminalId);
    if (terminal === undefined) throw new CodedError('RECEIPT_SIGNATURE_INVALID');
    // Read again under the terminal's lock, which a revocation takes too: one committed since the keys
    // were read above holds here as well.
    const keyNow = await findTerminalKey(tx, terminal.id, signingKey);
    if (keyNow !== undefined && keyNow.revokedAtMs !== null) throw notRedeemable('keyRevoked');
    if (terminal.currency !== signed.currency) throw new CodedError('CURRENCY_MISMATCH');
    // A deposit the server holds already moved its money with the kiosk's sync (or an earlier
    // redemption); the receipt must match it field for field, and only tells who takes money held under
    // a claim. The bounds below are for a receipt that moves money on the kiosk's key alone.
    const known = await findKioskDeposit(tx, signed.depositId);
    if (known !== undefined) return redeemKnown(tx, deps, shopperId, terminal.id, signed, known, nowMs);
    if (keyRetiredAtMs !== null && nowMs - keyRetiredAtMs > money.kioskOfflineOldestUnsyncedMs)
      throw notRedeemable('keyRetired');
    if (signed.totalMinor > money.kioskOfflineDepositMaxMinor)
      throw notRedeemable('aboveOfflineMaximum', { maximumMinor: money.kioskOfflineDepositMaxMinor });
    if (!terminal.enabled) throw notRedeemable('terminalDisabled');
    const taken = await findKioskDepositBySequence(tx, terminal.id, signed.sequence);
    if (taken !== undefined) throw new CodedError('CONFLICT', { reason: 'sequenceTaken' });
    const awaitingSync = await receiptMoneyAwaitingSync(tx, terminal.id);
    if (awaitingSync + signed.totalMinor > money.kioskOfflineUnsyncedMaxMinor)
      throw notRedeemable('unsyncedCapReached', { maximumMinor: money.kioskOfflineUnsyncedMaxMinor });
    const credit = await creditKioskMoney(tx, deps, terminal, signed, nowMs);
    await insertKioskDeposit(
      tx,
      deps.claimCodeSecret,
      {
        depositId: signed.depositId,
        terminalId: terminal.id,
        sequence: signed.sequence,
        fieldsJson: null,
        signed,
        credit,
        reviewFlags: null,
        source: 'receipt',
        receiptRedeemedBy: shopperId,
      },
      nowMs,
    );
    await recordSequences(tx, deps, terminal, { count: 1, highest: signed.sequence }, nowMs);
    if (credit.creditedTo !== 'wallet') {
      const claimed = await redeemDepositClaim(tx, deps, shopperId, signed.depositId, nowMs);
      return claimedRedemption(signed, claimed);
    }
    return {
      result: 'created',
      depositId: signed.depositId,
      amountMinor: signed.totalMinor,
      currency: signed.currency,
      creditedTo: 'wallet',
      ownWallet: credit.shopperId === shopperId,
      maskedName: credit.maskedName,
      status: credit.status,
    };
  });
}

/**
 * A receipt whose deposit the server already holds, by its sync or an earlier redemption. Suspense money
 * not yet claimed goes to the redeemer; money already in a wallet is answered again only to the shopper
 * who redeemed this receipt (a retry). The stored deposit must carry exactly the receipt's signed fields.
 */
async function redeemKnown(
  tx: Tx,
  deps: Deps,
  shopperId: string,
  terminalId: string,
  signed: SignedFields,
  known: StoredKioskDeposit,
  nowMs: number,
): Promise<ReceiptRedemption> {
  if (
    known.terminalId !== terminalId ||
    known.signedPayload !== storedSignedPayload(deps.claimCodeSecret, terminalId, signed)
  )
    throw new CodedError('CONFLICT', { reason: 'receiptDiffers' });
  if (known.creditedTo === 'suspense' || known.creditedTo === 'claim') {
    const claimed = await redeemDepositClaim(tx, deps, shopperId, signed.depositId, nowMs);
    return claimedRedemption(signed, claimed);
  }
  if (known.source !== 'receipt' || known.receiptRedeemedBy !== shopperId)
    throw new CodedError('CLAIM_ALREADY_REDEEMED');
  const deposit = await tx.get<{ shopper_id: string | null; status: string; name: string | null }>(
    `SELECT d.shopper_id, d.status, s.name FROM deposits d LEFT JOIN shoppers s ON s.id = d.shopper_id
      WHERE d.transfer_id = ?`,
    [signed.depositId],
  );
  if (deposit === undefined) throw new Error('a redeemed receipt has no deposit record');
  // Ops undid it since (its money waits in suspense for them to assign): it is not in a wallet now.
  if (deposit.status === 'reversed') throw new CodedError('CONFLICT', { reason: 'depositReversed' });
  return {
    result: 'exists',
    depositId: signed.depositId,
    amountMinor: signed.totalMinor,
    currency: signed.currency,
    creditedTo: 'wallet',
    ownWallet: deposit.shopper_id === shopperId,
    maskedName: maskedName(deposit.name),
    status: deposit.status === 'inReview' ? 'inReview' : 'credited',
  };
}

function claimedRedemption(signed: SignedFields, claimed: RedeemedClaim): ReceiptRedemption {
  return {
    result: claimed.result,
    depositId: signed.depositId,
    amountMinor: claimed.amountMinor,
    currency: claimed.currency,
    creditedTo: 'wallet',
    ownWallet: true,
    maskedName: null,
    status: claimed.status,
  };
}

/**
 * What the terminal's receipts moved that its sync has not yet matched (migration 150's partial index
 * holds exactly those rows).
 */
async function receiptMoneyAwaitingSync(tx: Tx, terminalId: string): Promise<number> {
  const row = await tx.get<{ total: number | string | null }>(
    `SELECT SUM(total_minor) AS total FROM kiosk_deposits
      WHERE terminal_id = ? AND source = 'receipt' AND fields_json IS NULL`,
    [terminalId],
  );
  return Number(row?.total ?? 0);
}
