import type { KioskDeposit } from '../schemas/kiosk-deposit.js';
import { base64urlDecode } from '../encoding/base64url.js';
import { terminalIdPattern } from './request-signature.js';

/**
 * The offline receipt's signature: what the terminal signs and how the server will check it.
 *
 * Canonical payload (UTF-8, fields joined by "|", no spaces, no trailing separator):
 *
 *   CASHIN-R1|<terminalId>|<depositId>|<sequence>|<code>|<claimCode>|<currency>|<totalMinor>|<committedAt>
 *
 * - terminalId: the id the server enrolled the terminal under ([A-Za-z0-9._:-], 1 to 64 characters).
 * - depositId: the deposit's lowercase UUIDv7; sequence: its per-terminal sequence number, in decimal.
 * - code / claimCode: bare digits, the one that is absent written as the empty string.
 * - currency: the ISO 4217 code; totalMinor: the integer total in minor units, in decimal.
 * - committedAt: the ISO 8601 UTC timestamp with milliseconds, exactly as in the synced deposit.
 *
 * The signature is Ed25519 over those bytes by the terminal's enrolled key, encoded base64url without
 * padding (86 characters), and is stored in the deposit's `receiptSignature`, so the sync batch carries it.
 * The QR code on the receipt holds the payload, then "|", then the signature: a verifier splits at the last
 * "|", checks the signature over everything before it with the terminal's public key, and reads the
 * fields. A plain delimited string rather than JSON keeps the QR small and leaves no room for two
 * encodings of the same deposit (key order, number formats, escapes).
 */
export const receiptPayloadVersion = 'CASHIN-R1';

/** Signs bytes with the terminal's key (Ed25519 through node:crypto in the agent). */
export type SignBytes = (bytes: Uint8Array) => Uint8Array;

/** Checks a signature over bytes with the terminal's public key. */
export type VerifyBytes = (bytes: Uint8Array, signature: Uint8Array) => boolean;

export type SignedFields = Pick<
  KioskDeposit,
  'depositId' | 'sequence' | 'code' | 'claimCode' | 'currency' | 'totalMinor' | 'committedAt'
>;

export function receiptSigningPayload(terminalId: string, deposit: SignedFields): string {
  if (!terminalIdPattern.test(terminalId)) throw new Error('terminal id is not fit for a receipt payload');
  return [
    receiptPayloadVersion,
    terminalId,
    deposit.depositId,
    String(deposit.sequence),
    deposit.code ?? '',
    deposit.claimCode ?? '',
    deposit.currency,
    String(deposit.totalMinor),
    deposit.committedAt,
  ].join('|');
}

/**
 * Offline deposits and vouchers are signed: both are money the server has not yet seen, so the receipt
 * itself must be able to prove it. A voucher is signed even when online, because its claim code is a bearer
 * instrument minted by the kiosk.
 */
export function needsReceiptSignature(deposit: KioskDeposit): boolean {
  return deposit.flags.offline || deposit.claimCode !== null;
}

/** The text of the receipt's QR code; only for a deposit that carries a signature. */
export function receiptQrData(terminalId: string, deposit: KioskDeposit): string {
  if (deposit.receiptSignature === null) throw new Error('an unsigned deposit has no receipt QR');
  return `${receiptSigningPayload(terminalId, deposit)}|${deposit.receiptSignature}`;
}

export interface ReceiptQrFields {
  terminalId: string;
  depositId: string;
  sequence: number;
  code: string | null;
  claimCode: string | null;
  currency: string;
  totalMinor: number;
  committedAt: string;
}

export type ReceiptQrCheck =
  { ok: true; fields: ReceiptQrFields } | { ok: false; reason: 'malformed' | 'version' | 'signature' };

/** Splits and verifies a receipt QR, as the server will when a shopper redeems one. */
export function verifyReceiptQr(text: string, verify: VerifyBytes): ReceiptQrCheck {
  const cut = text.lastIndexOf('|');
  if (cut < 0) return { ok: false, reason: 'malformed' };
  const payload = text.slice(0, cut);
  const parts = payload.split('|');
  if (parts.length !== 9) return { ok: false, reason: 'malformed' };
  const [version, terminalId, depositId, sequence, code, claimCode, currency, totalMinor, committedAt] =
    parts as [string, string, string, string, string, string, string, string, string];
  if (version !== receiptPayloadVersion) return { ok: false, reason: 'version' };
  if (!/^\d+$/.test(sequence) || !/^\d+$/.test(totalMinor)) return { ok: false, reason: 'malformed' };
  const signature = base64urlDecode(text.slice(cut + 1));
  if (signature === undefined || signature.length !== 64) return { ok: false, reason: 'signature' };
  if (!verify(new TextEncoder().encode(payload), signature)) return { ok: false, reason: 'signature' };
  return {
    ok: true,
    fields: {
      terminalId,
      depositId,
      sequence: Number(sequence),
      code: code === '' ? null : code,
      claimCode: claimCode === '' ? null : claimCode,
      currency,
      totalMinor: Number(totalMinor),
      committedAt,
    },
  };
}
