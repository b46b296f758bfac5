import type { SignedFields } from '@cashin/shared';
import {
  CodedError,
  CurrencyCodeSchema,
  IsoTimestampSchema,
  isUuidV7,
  parseCode,
  terminalIdPattern,
  verifyReceiptQr,
} from '@cashin/shared';
import { redeemClaim } from '../claims/redeem-claim.js';
import type { Deps } from '../deps.js';
import { txView } from '../storage/tx-view.js';
import { recordSequences } from '../sync/sequence-gaps.js';
import {
  creditKioskMoney,
  findKioskDeposit,
  findKioskDepositBySequence,
  insertKioskDeposit,
} from '../sync/kiosk-deposits.js';
import { terminalPublicKeys } from '../terminals/enrollment.js';
import { verifyEd25519 } from '../terminals/terminal-keys.js';
import { lockTerminal } from '../terminals/terminal-record.js';

export interface ReceiptRedemption {
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
 * The QR is verified with every key the terminal ever enrolled (a receipt printed before a key rotation is
 * still good). The money then moves exactly as the sync would have moved it, with the deposit id as the
 * transfer id, and the deposit is recorded under its terminal and sequence, so the later sync of the same
 * deposit answers `exists` and credits nothing twice. A receipt is redeemed once: a second redemption, or
 * a redemption after the sync, answers CLAIM_ALREADY_REDEEMED.
 *
 * Whose wallet: a receipt for a shopper's code credits that code's wallet, whoever redeems it. The receipt
 * proves cash went in for that code; redeeming it only tells the server sooner. Crediting the redeemer
 * instead would let anyone who picks up a receipt take the money; refusing it would leave a helper (a
 * parent redeeming for a child) unable to speed it up. The answer says whether it was the redeemer's own
 * wallet. A voucher receipt (no code, a printed claim code) is a bearer instrument: it goes to the
 * redeemer, through the claims flow, exactly as typing its claim code would.
 */
export async function redeemReceipt(deps: Deps, shopperId: string, text: string): Promise<ReceiptRedemption> {
  const terminalId = text.split('|')[1] ?? '';
  if (!terminalIdPattern.test(terminalId)) throw new CodedError('RECEIPT_SIGNATURE_INVALID');
  const keys = await deps.db.transaction((tx) => terminalPublicKeys(tx, terminalId));
  const check = verifyReceiptQr(text, (bytes, signature) =>
    keys.some((key) => verifyEd25519(key, bytes, signature)),
  );
  if (!check.ok) throw new CodedError('RECEIPT_SIGNATURE_INVALID', { reason: check.reason });
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
  return deps.db.transaction(async (tx) => {
    const terminal = await lockTerminal(tx, terminalId);
    if (terminal === undefined) throw new CodedError('RECEIPT_SIGNATURE_INVALID');
    if (terminal.currency !== signed.currency) throw new CodedError('CURRENCY_MISMATCH');
    const voucher = signed.claimCode === null ? undefined : parseCode(signed.claimCode, ['claim']);
    const known = await findKioskDeposit(tx, signed.depositId);
    if (known === undefined) {
      const taken = await findKioskDepositBySequence(tx, terminal.id, signed.sequence);
      if (taken !== undefined) throw new CodedError('CONFLICT', { reason: 'sequenceTaken' });
    } else if (voucher?.ok !== true || known.creditedTo !== 'claim') {
      throw new CodedError('CLAIM_ALREADY_REDEEMED');
    }
    let credit;
    if (known === undefined) {
      credit = await creditKioskMoney(tx, deps, terminal, signed, nowMs);
      await insertKioskDeposit(
        tx,
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
    }
    if (voucher?.ok === true && (known !== undefined || credit?.creditedTo === 'claim')) {
      const claimed = await redeemClaim({ ...deps, db: txView(tx) }, shopperId, voucher.code);
      return {
        depositId: signed.depositId,
        amountMinor: claimed.amountMinor,
        currency: claimed.currency,
        creditedTo: 'wallet',
        ownWallet: true,
        maskedName: null,
        status: claimed.status,
      };
    }
    if (credit === undefined) throw new Error('unreachable: a known deposit was handled above');
    return {
      depositId: signed.depositId,
      amountMinor: signed.totalMinor,
      currency: signed.currency,
      creditedTo: credit.creditedTo === 'wallet' ? 'wallet' : 'suspense',
      ownWallet: credit.shopperId === shopperId,
      maskedName: credit.maskedName,
      status: credit.status,
    };
  });
}
