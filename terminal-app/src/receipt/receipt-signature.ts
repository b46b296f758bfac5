import type { KioskDeposit, SignBytes } from '@cashin/shared';
import { base64urlEncode, needsReceiptSignature, receiptSigningPayload } from '@cashin/shared';

/**
 * What the journal calls inside a commit's transaction: the signature to store with the deposit, or null
 * when the deposit needs none (an online deposit to a known shopper is credited by the sync itself). The
 * payload and its verification are shared with the server (shared/terminal/receipt-qr.ts).
 */
export type ReceiptSigner = (unsigned: KioskDeposit) => string | null;

export function createReceiptSigner(terminalId: string, sign: SignBytes): ReceiptSigner {
  return (deposit) => {
    if (!needsReceiptSignature(deposit)) return null;
    return base64urlEncode(sign(new TextEncoder().encode(receiptSigningPayload(terminalId, deposit))));
  };
}
