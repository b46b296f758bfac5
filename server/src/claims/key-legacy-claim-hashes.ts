import type { Db, Tx } from '../storage/db.js';
import { keyClaimHash, keyedClaimHashPrefix } from './claim-code.js';

/** Rows rewritten per transaction, so a large database is keyed in steps that each commit quickly. */
export const legacyClaimHashRowsPerStep = 500;

/** A claim code hash the server kept before the hash was keyed: 64 hex digits. */
const unkeyedHex = /^[0-9a-f]{64}$/;
/** The same, as kiosk_deposits kept a voucher's claim code (migration 170): `sha256:` and that hash. */
const legacyStoredClaimCode = /sha256:([0-9a-f]{64})/;

interface LegacyClaimRow extends Record<string, unknown> {
  id: string;
  code_hash: string;
  deposit_transfer_id: string | null;
  redeemed_transfer_id: string | null;
}

interface LegacyKioskRow extends Record<string, unknown> {
  deposit_id: string;
  fields_json: string | null;
  signed_payload: string;
}

export interface KeyedClaimHashes {
  readonly claims: number;
  readonly kioskDeposits: number;
}

/**
 * Rewrites every claim code hash the server stored unkeyed (an SHA-256 of the code, which a leaked
 * database lets anyone search through) into its keyed form (claimCodeHash: HMAC under the claim code
 * secret over that same hash), where the codes themselves are not known: claims.code_hash, the deposit
 * records that copied it (the suspense deposit and the redemption), and a voucher's claim code in
 * kiosk_deposits (fields_json and signed_payload, byte for byte as the server now writes them). Each row
 * is rewritten only if it still holds what was read, so server processes starting together on one
 * PostgreSQL may all run it. A server runs it at start, before it answers anything.
 */
export async function keyLegacyClaimHashes(db: Db, secret: string): Promise<KeyedClaimHashes> {
  let claims = 0;
  for (;;) {
    const keyed = await db.transaction((tx) => keyClaimsStep(tx, secret));
    claims += keyed.changed;
    if (keyed.read < legacyClaimHashRowsPerStep) break;
  }
  let kioskDeposits = 0;
  for (;;) {
    const keyed = await db.transaction((tx) => keyKioskDepositsStep(tx, secret));
    kioskDeposits += keyed.changed;
    if (keyed.read < legacyClaimHashRowsPerStep) break;
  }
  return { claims, kioskDeposits };
}

async function keyClaimsStep(tx: Tx, secret: string): Promise<{ read: number; changed: number }> {
  const rows = await tx.all<LegacyClaimRow>(
    `SELECT id, code_hash, deposit_transfer_id, redeemed_transfer_id FROM claims
      WHERE code_hash NOT LIKE '${keyedClaimHashPrefix}%' ORDER BY id LIMIT ${legacyClaimHashRowsPerStep}`,
  );
  let changed = 0;
  for (const row of rows) {
    if (!unkeyedHex.test(row.code_hash)) throw new Error(`claim ${row.id} holds a hash of no known form`);
    const keyed = keyClaimHash(secret, row.code_hash);
    changed += await tx.run('UPDATE claims SET code_hash = ? WHERE id = ? AND code_hash = ?', [
      keyed,
      row.id,
      row.code_hash,
    ]);
    for (const transferId of [row.deposit_transfer_id, row.redeemed_transfer_id]) {
      if (transferId === null) continue;
      await tx.run('UPDATE deposits SET code_hash = ? WHERE transfer_id = ? AND code_hash = ?', [
        keyed,
        transferId,
        row.code_hash,
      ]);
    }
  }
  return { read: rows.length, changed };
}

async function keyKioskDepositsStep(tx: Tx, secret: string): Promise<{ read: number; changed: number }> {
  // Only a voucher carries a claim code, and exactly its rows have claim_code_masked set.
  const rows = await tx.all<LegacyKioskRow>(
    `SELECT deposit_id, fields_json, signed_payload FROM kiosk_deposits
      WHERE claim_code_masked IS NOT NULL
        AND (signed_payload LIKE '%|sha256:%' OR fields_json LIKE '%"claimCode":"sha256:%')
      ORDER BY deposit_id LIMIT ${legacyClaimHashRowsPerStep}`,
  );
  const keyedForm = (text: string, before: string, after: string): string => {
    const match = legacyStoredClaimCode.exec(text);
    const found = match?.[1];
    if (found === undefined) return text;
    return text.replace(
      `${before}sha256:${found}${after}`,
      `${before}${keyClaimHash(secret, found)}${after}`,
    );
  };
  let changed = 0;
  for (const row of rows) {
    // In fields_json, the value of "claimCode"; in signed_payload, the claim code field between two "|".
    const fieldsJson = row.fields_json === null ? null : keyedForm(row.fields_json, '"claimCode":"', '"');
    const signedPayload = keyedForm(row.signed_payload, '|', '|');
    if (fieldsJson === row.fields_json && signedPayload === row.signed_payload)
      throw new Error(`kiosk deposit ${row.deposit_id} holds a claim code hash of no known form`);
    changed += await tx.run(
      `UPDATE kiosk_deposits SET fields_json = ?, signed_payload = ?
        WHERE deposit_id = ? AND signed_payload = ? AND fields_json IS NOT DISTINCT FROM ?`,
      [fieldsJson, signedPayload, row.deposit_id, row.signed_payload, row.fields_json],
    );
  }
  return { read: rows.length, changed };
}
