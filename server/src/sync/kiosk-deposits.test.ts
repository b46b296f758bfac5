import type { Code, KioskDeposit, SyncResult } from '@cashin/shared';
import {
  createUuidV7Generator,
  dammIsValid,
  formatCode,
  generateCode,
  maskCode,
  receiptSigningPayload,
  terminalApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { claimCodeFor, claimCodeHash } from '../claims/claim-code.js';
import { keyLegacyClaimHashes } from '../claims/key-legacy-claim-hashes.js';
import { sha256Hex } from '../secrets/hash.js';
import type { Db } from '../storage/db.js';
import { columnsHolding } from '../test-support/database-scan.js';
import type { TestApp } from '../test-support/test-app.js';
import { openTestApp, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import {
  enrollTestKiosk,
  kioskDeposit,
  signedPost,
  signedReceipt,
  walletBalance,
} from '../test-kit/terminal-kit.js';

/**
 * A voucher's claim code is a bearer instrument: whoever types it in redeems the money. The server keeps
 * only its hash (claims/claim-code.ts), so these tests read every column of every table after vouchers
 * were synced and redeemed, and look for the code in clear; and check that what depended on the stored
 * deposit (re-sends, changed fields, receipts before and after the sync) still answers as before.
 */

const newId = createUuidV7Generator();

/**
 * Another valid claim code that masks exactly as `code` does (same type prefix, same last four digits):
 * a store that kept only the masked code could not tell the two apart.
 */
function sameMaskClaimCode(code: string): string {
  const tailStart = code.length - 4;
  for (let first = 2; first < tailStart; first += 1) {
    for (let second = first + 1; second < tailStart; second += 1) {
      for (let digit = 0; digit < 100; digit += 1) {
        const digits = code.split('');
        digits[first] = String(Math.floor(digit / 10));
        digits[second] = String(digit % 10);
        const candidate = digits.join('');
        if (candidate !== code && dammIsValid(candidate)) {
          expect(maskCode(candidate)).toBe(maskCode(code));
          return candidate;
        }
      }
    }
  }
  throw new Error('no other claim code masks like this one');
}

/** The voucher again with another claim code of the same mask, as a faulty kiosk could send it. */
function withOtherClaimCode(deposit: KioskDeposit): KioskDeposit {
  return { ...deposit, claimCode: sameMaskClaimCode(deposit.claimCode!) };
}

/** Every way a claim code can be written out in clear: digits alone, or in groups as printed. */
function clearForms(codes: readonly string[]): string[] {
  return codes.flatMap((code) => [code, formatCode(code as Code), formatCode(code as Code, '-')]);
}

async function kioskDepositRows(db: Db): Promise<Record<string, unknown>[]> {
  return db.transaction((tx) => tx.all('SELECT * FROM kiosk_deposits ORDER BY deposit_id'));
}

describe.each(testAdapters)('voucher claim codes at rest on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const sync = async (kiosk: TestKiosk, deposits: KioskDeposit[]): Promise<SyncResult[]> => {
    const response = await signedPost(t!, kiosk, terminalApiPaths.sync, { deposits });
    expect(response.statusCode).toBe(200);
    return response.json<{ results: SyncResult[] }>().results;
  };
  const redeem = (headers: { authorization: string }, receipt: string) =>
    t!.app.inject({ method: 'POST', url: '/v1/me/receipts', headers, payload: { receipt } });
  const voucher = (kiosk: TestKiosk): ReturnType<typeof signedReceipt> =>
    signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: null, claimCode: generateCode('claim') }),
    );

  it('stores no voucher claim code in clear, and answers re-sends, changes and receipts as before', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const synced = voucher(kiosk);
    const redeemedFirst = voucher(kiosk);
    const receiptOnly = voucher(kiosk);
    const syncedThenRedeemed = voucher(kiosk);
    const vouchers = [synced, redeemedFirst, receiptOnly, syncedThenRedeemed];
    const others = vouchers.map((one) => withOtherClaimCode(one.deposit));
    const codes = [...vouchers, ...others.map((deposit) => ({ deposit }))].map(
      ({ deposit }) => deposit.claimCode!,
    );

    const created = await sync(kiosk, [synced.deposit, syncedThenRedeemed.deposit]);
    expect(created).toMatchObject([
      { status: 'created', creditedTo: 'claim' },
      { status: 'created', creditedTo: 'claim' },
    ]);
    expect((await redeem(ana.headers, redeemedFirst.qr)).json()).toMatchObject({ result: 'created' });
    expect((await redeem(ana.headers, receiptOnly.qr)).json()).toMatchObject({ result: 'created' });
    expect(await sync(kiosk, [redeemedFirst.deposit])).toEqual([
      { depositId: redeemedFirst.deposit.depositId, status: 'exists' },
    ]);
    expect((await redeem(ana.headers, syncedThenRedeemed.qr)).json()).toMatchObject({ result: 'created' });
    expect(await walletBalance(t, ana.headers)).toBe(600);
    expect(await columnsHolding(t.db, clearForms(codes))).toEqual([]);

    // The kiosk sends them again, unchanged: the server holds exactly these deposits.
    const again = await sync(kiosk, [synced.deposit, redeemedFirst.deposit, syncedThenRedeemed.deposit]);
    expect(again.map((result) => result.status)).toEqual(['exists', 'exists', 'exists']);

    // Another claim code, even one that masks the same, is other fields: a conflict, and what the server
    // answers that it holds carries no claim code in clear.
    const changed = await sync(kiosk, [others[0]!, others[1]!, others[2]!]);
    expect(changed.map((result) => result.status)).toEqual(['conflict', 'conflict', 'conflict']);
    expect(changed[0]).toMatchObject({
      stored: { depositId: synced.deposit.depositId, totalMinor: 200, code: null },
    });
    expect(changed[1]).toMatchObject({ stored: { depositId: redeemedFirst.deposit.depositId } });
    expect(changed[2]).toMatchObject({ stored: { depositId: receiptOnly.deposit.depositId } });
    const answered = JSON.stringify(changed);
    for (const code of clearForms(codes)) expect(answered).not.toContain(code);

    // A receipt whose signed claim code differs from the deposit the server holds is refused.
    for (const other of [others[0]!, others[2]!]) {
      const refused = await redeem(ana.headers, signedReceipt(kiosk, other).qr);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({ code: 'CONFLICT', details: { reason: 'receiptDiffers' } });
    }
    expect(await walletBalance(t, ana.headers)).toBe(600);
    expect(await columnsHolding(t.db, clearForms(codes))).toEqual([]);
  });

  it('migration 170 rewrites kiosk deposits stored with clear claim codes, which then answer as before', async () => {
    const app = await openTestApp(adapter);
    t = app;
    const kiosk = await enrollTestKiosk(app);
    const ana = await signUpAndIn(app);
    const synced = voucher(kiosk);
    const receiptOnly = voucher(kiosk);
    const redeemedFirst = voucher(kiosk);
    const shopper = signedReceipt(
      kiosk,
      kioskDeposit(kiosk, newId, app.clock.nowMs(), { code: ana.depositCode, offline: true }),
    );
    const codes = clearForms([synced, receiptOnly, redeemedFirst].map(({ deposit }) => deposit.claimCode!));
    await sync(kiosk, [synced.deposit, shopper.deposit]);
    expect((await redeem(ana.headers, receiptOnly.qr)).statusCode).toBe(201);
    expect((await redeem(ana.headers, redeemedFirst.qr)).statusCode).toBe(201);
    await sync(kiosk, [redeemedFirst.deposit]);
    const current = await kioskDepositRows(app.db);

    // The rows as the server wrote them before migration 170: the synced deposit's JSON and the receipt's
    // signed payload, each with the claim code in clear.
    await app.db.transaction(async (tx) => {
      for (const { deposit } of [synced, receiptOnly, redeemedFirst, shopper]) {
        await tx.run(
          `UPDATE kiosk_deposits SET signed_payload = ?,
                  fields_json = CASE WHEN fields_json IS NULL THEN NULL ELSE ? END
            WHERE deposit_id = ?`,
          [receiptSigningPayload(kiosk.terminalId, deposit), JSON.stringify(deposit), deposit.depositId],
        );
      }
      await tx.run('DELETE FROM schema_migrations WHERE version = 170');
    });
    expect(await columnsHolding(app.db, codes)).toEqual([
      'kiosk_deposits.fields_json',
      'kiosk_deposits.signed_payload',
    ]);

    // A server process opening the database applies migration 170, and a server starting on it keys the
    // hashes that migration wrote.
    const migrating = await app.openAnotherDb();
    await migrating.close();
    expect(await keyLegacyClaimHashes(app.db, app.config.claimCodeSecret)).toEqual({
      claims: 0,
      kioskDeposits: 3,
    });
    expect(await kioskDepositRows(app.db)).toEqual(current);
    expect(await columnsHolding(app.db, codes)).toEqual([]);

    expect(
      (await sync(kiosk, [synced.deposit, redeemedFirst.deposit, shopper.deposit])).map((r) => r.status),
    ).toEqual(['exists', 'exists', 'exists']);
    // Known only from its receipt: the sync completes the record by the signed payload.
    expect((await sync(kiosk, [receiptOnly.deposit]))[0]?.status).toBe('exists');
    expect((await sync(kiosk, [withOtherClaimCode(synced.deposit)]))[0]?.status).toBe('conflict');
    const otherReceipt = signedReceipt(kiosk, withOtherClaimCode(redeemedFirst.deposit));
    expect((await redeem(ana.headers, otherReceipt.qr)).json().error.code).toBe('CONFLICT');
    expect((await redeem(ana.headers, synced.qr)).json()).toMatchObject({ result: 'created' });
    expect(await walletBalance(app, ana.headers)).toBe(200 * 4);
    expect(await columnsHolding(app.db, codes)).toEqual([]);
  });

  it('keys the claim code hashes stored unkeyed, after which their claims and vouchers answer as before', async () => {
    const app = await openTestApp(adapter);
    t = app;
    const secret = app.config.claimCodeSecret;
    const kiosk = await enrollTestKiosk(app);
    const ana = await signUpAndIn(app);
    const synced = voucher(kiosk);
    const receiptOnly = voucher(kiosk);
    // Cash for a code nobody holds: suspense, under a claim code the server derives.
    const unknown = kioskDeposit(kiosk, newId, app.clock.nowMs(), { code: generateCode('deposit') });
    await sync(kiosk, [synced.deposit, unknown]);
    const derived = claimCodeFor(secret, unknown.depositId);
    const claimCodes = [synced.deposit.claimCode!, derived];
    // Redeemed before the hashes are rewritten, so the redemption's deposit record carries one too.
    expect((await redeem(ana.headers, receiptOnly.qr)).statusCode).toBe(201);
    claimCodes.push(receiptOnly.deposit.claimCode!);
    const keyedRows = {
      kiosk: await kioskDepositRows(app.db),
      claims: await app.db.transaction((tx) => tx.all('SELECT * FROM claims ORDER BY id')),
      deposits: await app.db.transaction((tx) => tx.all('SELECT * FROM deposits ORDER BY transfer_id')),
    };
    // What the server stores is keyed: the unkeyed hash of a code is found nowhere.
    const unkeyed = (code: string) => sha256Hex(`claim:${code}`);
    expect(await columnsHolding(app.db, claimCodes.map(unkeyed))).toEqual([]);
    expect(
      await columnsHolding(
        app.db,
        claimCodes.map((code) => claimCodeHash(secret, code)),
      ),
    ).toEqual([
      'claims.code_hash',
      'deposits.code_hash',
      'kiosk_deposits.fields_json',
      'kiosk_deposits.signed_payload',
    ]);

    // The rows as a server stored them before: the unkeyed hash in claims and deposits, and kiosk_deposits
    // as migration 170 left them.
    await app.db.transaction(async (tx) => {
      for (const code of claimCodes) {
        const keyed = claimCodeHash(secret, code);
        await tx.run('UPDATE claims SET code_hash = ? WHERE code_hash = ?', [unkeyed(code), keyed]);
        await tx.run('UPDATE deposits SET code_hash = ? WHERE code_hash = ?', [unkeyed(code), keyed]);
        for (const column of ['fields_json', 'signed_payload']) {
          await tx.run(`UPDATE kiosk_deposits SET ${column} = replace(${column}, ?, ?)`, [
            keyed,
            `sha256:${unkeyed(code)}`,
          ]);
        }
      }
    });
    expect(await columnsHolding(app.db, claimCodes.map(unkeyed))).toEqual([
      'claims.code_hash',
      'deposits.code_hash',
      'kiosk_deposits.fields_json',
      'kiosk_deposits.signed_payload',
    ]);

    expect(await keyLegacyClaimHashes(app.db, secret)).toEqual({ claims: 3, kioskDeposits: 2 });
    expect(await columnsHolding(app.db, claimCodes.map(unkeyed))).toEqual([]);
    expect(await kioskDepositRows(app.db)).toEqual(keyedRows.kiosk);
    expect(await app.db.transaction((tx) => tx.all('SELECT * FROM claims ORDER BY id'))).toEqual(
      keyedRows.claims,
    );
    expect(await app.db.transaction((tx) => tx.all('SELECT * FROM deposits ORDER BY transfer_id'))).toEqual(
      keyedRows.deposits,
    );
    // Again: nothing left to key.
    expect(await keyLegacyClaimHashes(app.db, secret)).toEqual({ claims: 0, kioskDeposits: 0 });

    // Everything answers as before: re-sends exist, the vouchers and the derived claim redeem once.
    expect((await sync(kiosk, [synced.deposit, unknown, receiptOnly.deposit])).map((r) => r.status)).toEqual([
      'exists',
      'exists',
      'exists',
    ]);
    for (const claimCode of [synced.deposit.claimCode!, derived]) {
      const redeemed = await app.app.inject({
        method: 'POST',
        url: '/v1/me/claims',
        headers: ana.headers,
        payload: { claimCode },
      });
      expect(redeemed.json()).toMatchObject({ result: 'created' });
    }
    expect(await walletBalance(app, ana.headers)).toBe(
      synced.deposit.totalMinor + unknown.totalMinor + receiptOnly.deposit.totalMinor,
    );
  });
});
