import {
  AuditTrailSchema,
  ClaimAssignmentSchema,
  ClaimAssignmentUndoSchema,
  SuspenseListSchema,
  WalletResponseSchema,
  createUuidV7Generator,
  generateCode,
  opsApiPaths,
  terminalApiPaths,
} from '@cashin/shared';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { ensureSystemAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { SignedUpShopper, TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import type { AdapterName } from '../test-support/test-db.js';
import { testAdapters } from '../test-support/test-db.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { enrollTestKiosk, kioskDeposit, signedPost, walletBalance } from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

/** Money for a voucher the kiosk printed (its code known to whoever holds the receipt), held in suspense. */
async function heldVoucher(t: TestApp, kiosk: TestKiosk, coins: number) {
  const claimCode = generateCode('claim');
  const deposit = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: null, claimCode, coins });
  const synced = await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [deposit] });
  expect(synced.statusCode, synced.body).toBe(200);
  return { claimId: (await suspenseEntry(t, deposit.depositId)).id, claimCode, depositId: deposit.depositId };
}

async function suspenseEntry(t: TestApp, depositId: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `${opsApiPaths.suspense}?status=all`,
    headers: opsHeaders,
  });
  const entry = SuspenseListSchema.parse(response.json()).entries.find((e) => e.depositId === depositId);
  if (entry === undefined) throw new Error(`no suspense entry for ${depositId}`);
  return entry;
}

function post(t: TestApp, url: string, payload: object) {
  return t.app.inject({ method: 'POST', url, headers: opsHeaders, payload });
}

async function assign(t: TestApp, claimId: string, shopper: SignedUpShopper, assignmentId = newId()) {
  const response = await post(t, opsApiPaths.suspenseAssignment(claimId), {
    assignmentId,
    phone: shopper.phone,
    reason: 'Said the voucher was theirs and described where they left it.',
  });
  expect(response.statusCode, response.body).toBe(201);
  return ClaimAssignmentSchema.parse(response.json());
}

function undo(t: TestApp, claimId: string, body: { undoId: string; assignmentId: string; reason?: string }) {
  return post(t, opsApiPaths.suspenseAssignmentUndo(claimId), {
    reason: 'Wrong shopper: the owner showed the receipt with the voucher code.',
    ...body,
  });
}

async function walletAccountOf(t: TestApp, shopperId: string): Promise<string> {
  const row = await t.db.transaction((tx) =>
    tx.get<{ wallet_account_id: string }>('SELECT wallet_account_id FROM shoppers WHERE id = ?', [shopperId]),
  );
  if (row === undefined) throw new Error(`no shopper ${shopperId}`);
  return row.wallet_account_id;
}

async function walletOf(t: TestApp, shopper: SignedUpShopper) {
  const response = await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: shopper.headers });
  return WalletResponseSchema.parse(response.json());
}

/** Money leaving a wallet outside this flow (spent online), written to the ledger as such a payment is. */
async function spend(t: TestApp, shopperId: string, amountMinor: number): Promise<void> {
  const wallet = await walletAccountOf(t, shopperId);
  const results = await t.db.transaction(async (tx) => {
    const payee = await ensureSystemAccount(tx, 'feeIncome', 'USD', newId, t.clock.nowMs());
    return createTransfers(
      tx,
      [
        {
          id: newId(),
          debitAccountId: wallet,
          creditAccountId: payee,
          amountMinor,
          currency: 'USD',
          code: 'adjustment',
          reason: 'spent online',
        },
      ],
      t.clock.nowMs(),
    );
  });
  expect(results).toEqual(['created']);
}

/** The audit entries of a kind, on any chain, with their chains. */
async function auditOf(t: TestApp, kind: string) {
  const rows = await t.db.transaction((tx) =>
    tx.all<{ chain: string; data: string }>(
      'SELECT chain, data FROM audit_log WHERE kind = ? ORDER BY at_ms, seq',
      [kind],
    ),
  );
  return rows.map((row) => ({ chain: row.chain, data: JSON.parse(row.data) as Record<string, unknown> }));
}

/** The statement of migration 220 that records the assignments made before it, as the adapter runs it. */
function backfillOf(adapter: AdapterName): string {
  const file = join(import.meta.dirname, '../storage', adapter, 'migrations/220_claim_assignments.sql');
  const sql = readFileSync(file, 'utf8');
  return sql.slice(sql.indexOf('INSERT INTO claim_assignments'));
}

async function expectVerified(t: TestApp): Promise<void> {
  const ledger = await verifyLedger(t.db);
  expect(ledger.discrepancies).toEqual([]);
  expect(ledger.recordDiscrepancies).toEqual([]);
  expect(ledger.ok).toBe(true);
  expect((await verifyAudit(t.db)).ok).toBe(true);
}

describe.each(testAdapters)('ops undo a claim credited to the wrong shopper on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('takes the money back to suspense once, holds the claim again, and its code still redeems it', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
    const ben = await signUpAndIn(t, { name: 'Ben Ortiz' });
    const voucher = await heldVoucher(t, kiosk, 12);
    const wrong = await assign(t, voucher.claimId, ben);
    expect(await walletBalance(t, ben.headers)).toBe(300);

    const request = { undoId: newId(), assignmentId: wrong.transferId };
    const first = await undo(t, voucher.claimId, request);
    expect(first.statusCode, first.body).toBe(201);
    const undone = ClaimAssignmentUndoSchema.parse(first.json());
    expect(undone).toEqual({
      result: 'created',
      claimId: voucher.claimId,
      undoId: request.undoId,
      assignmentId: wrong.transferId,
      shopperId: ben.shopperId,
      amountMinor: 300,
      currency: 'USD',
    });
    // A retry answers the same undo and moves nothing; the same id with another reason, or another id for
    // the same assignment, is refused.
    const retried = await undo(t, voucher.claimId, request);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual({ ...undone, result: 'exists' });
    expect(errorCodeOf(await undo(t, voucher.claimId, { ...request, reason: 'Another reason' }))).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    expect(errorCodeOf(await undo(t, voucher.claimId, { ...request, undoId: newId() }))).toBe(
      'ALREADY_VOIDED',
    );
    expect(await walletBalance(t, ben.headers)).toBe(0);

    // Ben's wallet shows the credit taken back: the claim reversed, and the money going out.
    const history = (await walletOf(t, ben)).history;
    expect(history.find((entry) => entry.transferId === wrong.transferId)).toMatchObject({
      kind: 'claim',
      amountMinor: 300,
      status: 'reversed',
    });
    expect(history.find((entry) => entry.transferId === request.undoId)).toMatchObject({
      kind: 'reversal',
      amountMinor: -300,
      status: 'reversed',
    });

    // The suspense queue holds it again, with the assignment and its undo beside it.
    const held = await suspenseEntry(t, voucher.depositId);
    expect(held.status).toBe('held');
    expect(held.assignments).toEqual([
      {
        assignmentId: wrong.transferId,
        shopperId: ben.shopperId,
        shopperName: 'Ben O.',
        shopperPhoneMasked: `${ben.phone.slice(0, 5)}***${ben.phone.slice(-4)}`,
        reason: 'Said the voucher was theirs and described where they left it.',
        by: 'ops-token',
        assignedAtMs: t.clock.nowMs(),
        undo: {
          undoId: request.undoId,
          reason: 'Wrong shopper: the owner showed the receipt with the voucher code.',
          by: 'ops-token',
          atMs: t.clock.nowMs(),
        },
      },
    ]);

    // Recorded on Ben's wallet chain, and in the trail of everything that is not a deposit.
    expect(await auditOf(t, 'claim.assignmentUndone')).toEqual([
      {
        chain: await walletAccountOf(t, ben.shopperId),
        data: {
          claimId: voucher.claimId,
          assignmentId: wrong.transferId,
          undoId: request.undoId,
          shopperId: ben.shopperId,
          amountMinor: 300,
          currency: 'USD',
          reason: 'Wrong shopper: the owner showed the receipt with the voucher code.',
          by: 'ops-token',
        },
      },
    ]);
    const trail = AuditTrailSchema.parse(
      (await t.app.inject({ method: 'GET', url: opsApiPaths.auditEntries, headers: opsHeaders })).json(),
    );
    expect(trail.entries.map((entry) => entry.kind)).toContain('claim.assignmentUndone');

    // Held again, it can be credited again (and undone again) under new ids, but not under the old one.
    expect(
      errorCodeOf(
        await post(t, opsApiPaths.suspenseAssignment(voucher.claimId), {
          assignmentId: wrong.transferId,
          phone: ana.phone,
          reason: 'A late retry of the first assignment',
        }),
      ),
    ).toBe('CONFLICT');
    const again = await assign(t, voucher.claimId, ben);
    const second = await undo(t, voucher.claimId, { undoId: newId(), assignmentId: again.transferId });
    expect(second.statusCode, second.body).toBe(201);

    // The owner still holds the voucher: its code redeems the claim into her wallet.
    const redeemed = await t.app.inject({
      method: 'POST',
      url: '/v1/me/claims',
      headers: ana.headers,
      payload: { claimCode: voucher.claimCode },
    });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    expect(redeemed.json()).toMatchObject({ result: 'created', amountMinor: 300 });
    expect(await walletBalance(t, ana.headers)).toBe(300);
    expect(await walletBalance(t, ben.headers)).toBe(0);
    // Hers by proof: a redemption with the code is not undone here.
    const redemption = redeemed.json<{ transferId: string }>().transferId;
    expect(errorCodeOf(await undo(t, voucher.claimId, { undoId: newId(), assignmentId: redemption }))).toBe(
      'CONFLICT',
    );
    const claimed = await suspenseEntry(t, voucher.depositId);
    expect(claimed.status).toBe('claimed');
    expect(claimed.assignments.map((a) => [a.assignmentId, a.undo === null])).toEqual([
      [wrong.transferId, false],
      [again.transferId, false],
    ]);
    expect(await walletBalance(t, ana.headers)).toBe(300);
    await expectVerified(t);
  });

  it('refuses, changing nothing, when the wallet no longer holds the money, and bad or unknown requests', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ben = await signUpAndIn(t, { name: 'Ben Ortiz' });
    const voucher = await heldVoucher(t, kiosk, 12);
    const wrong = await assign(t, voucher.claimId, ben);
    await spend(t, ben.shopperId, 250);

    const request = { undoId: newId(), assignmentId: wrong.transferId };
    const refused = await undo(t, voucher.claimId, request);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      error: { code: 'INSUFFICIENT_FUNDS', details: { balanceMinor: 50, amountMinor: 300 } },
    });
    const unchanged = async () => {
      expect(await walletBalance(t!, ben.headers)).toBe(50);
      const entry = await suspenseEntry(t!, voucher.depositId);
      expect(entry.status).toBe('claimed');
      expect(entry.assignments.map((a) => a.undo)).toEqual([null]);
      expect(await auditOf(t!, 'claim.assignmentUndone')).toEqual([]);
      const moved = await t!.db.transaction((tx) =>
        tx.get('SELECT id FROM transfers WHERE id = ? OR reverses_id = ?', [
          request.undoId,
          wrong.transferId,
        ]),
      );
      expect(moved).toBeUndefined();
    };
    await unchanged();

    // Bad input and claims or assignments that are not there: 4xx with a code, nothing changes.
    for (const [claimId, body, code] of [
      [voucher.claimId, { ...request, undoId: 'not-a-uuid' }, 'VALIDATION_FAILED'],
      [voucher.claimId, { ...request, reason: '  ' }, 'VALIDATION_FAILED'],
      [voucher.claimId, { undoId: newId(), reason: 'no assignment named' }, 'VALIDATION_FAILED'],
      [newId(), request, 'NOT_FOUND'],
      [voucher.claimId, { ...request, assignmentId: newId() }, 'NOT_FOUND'],
    ] as const) {
      const response = await post(t, opsApiPaths.suspenseAssignmentUndo(claimId), {
        reason: 'Wrong shopper',
        ...body,
      });
      expect(errorCodeOf(response), JSON.stringify(body)).toBe(code);
    }
    // An id the ledger holds for something else.
    const taken = await undo(t, voucher.claimId, { ...request, undoId: voucher.depositId });
    expect(errorCodeOf(taken)).toBe('IDEMPOTENCY_CONFLICT');
    await unchanged();

    // Once the wallet holds the money again, the same undo goes through.
    const refill = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ben.depositCode, coins: 10 });
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [refill] });
    const retried = await undo(t, voucher.claimId, request);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(await walletBalance(t, ben.headers)).toBe(0);
    expect((await suspenseEntry(t, voucher.depositId)).status).toBe('held');
    await expectVerified(t);
  });

  // Several operators (or one console retrying) undo at once, while another credits the claim afresh. The
  // claim row is locked first, so each request sees the one before it whole: one undo moves the money, the
  // retries of its id answer it, other ids are told it was undone, and a fresh assignment lands either
  // before (refused: still claimed) or after it (credited), never half.
  it('undoes exactly once under concurrent requests', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t, { name: 'Ana Ruiz' });
    const ben = await signUpAndIn(t, { name: 'Ben Ortiz' });
    let anaExpected = 0;
    for (let round = 0; round < 4; round += 1) {
      const voucher = await heldVoucher(t, kiosk, 4 + round);
      const amountMinor = 25 * (4 + round);
      const wrong = await assign(t, voucher.claimId, ben);
      const undoId = newId();
      const reassignment = newId();
      const answers = await Promise.all([
        ...Array.from({ length: 4 }, () =>
          undo(t!, voucher.claimId, { undoId, assignmentId: wrong.transferId }),
        ),
        ...Array.from({ length: 3 }, () =>
          undo(t!, voucher.claimId, { undoId: newId(), assignmentId: wrong.transferId }),
        ),
        post(t, opsApiPaths.suspenseAssignment(voucher.claimId), {
          assignmentId: reassignment,
          phone: ana.phone,
          reason: 'Showed the voucher.',
        }),
      ]);
      // Whichever undo takes the claim's lock first moves the money (on PostgreSQL any of them may): its
      // retries under the same id answer it again, every other undo is ALREADY_VOIDED.
      const undos = answers.slice(0, 7);
      const won = undos.filter((a) => a.statusCode === 201);
      expect(won, undos.map((a) => a.body).join()).toHaveLength(1);
      const winnerId = won[0]!.json<{ undoId: string }>().undoId;
      const retries = winnerId === undoId ? 3 : 0;
      expect(undos.filter((a) => a.statusCode === 200)).toHaveLength(retries);
      for (const answer of undos.filter((a) => a.statusCode !== 201 && a.statusCode !== 200))
        expect(errorCodeOf(answer), answer.body).toBe('ALREADY_VOIDED');
      expect(undos.filter((a) => a.statusCode !== 201 && a.statusCode !== 200)).toHaveLength(6 - retries);
      const credited = answers[7]!;
      if (credited.statusCode === 201) anaExpected += amountMinor;
      else expect(errorCodeOf(credited), credited.body).toBe('CLAIM_ALREADY_REDEEMED');
      expect(await walletBalance(t, ben.headers)).toBe(0);
      expect(await walletBalance(t, ana.headers)).toBe(anaExpected);
      const entry = await suspenseEntry(t, voucher.depositId);
      expect(entry.status).toBe(credited.statusCode === 201 ? 'claimed' : 'held');
      const reversals = await t.db.transaction((tx) =>
        tx.all('SELECT id FROM transfers WHERE reverses_id = ?', [wrong.transferId]),
      );
      expect(reversals).toEqual([{ id: winnerId }]);
    }
    expect(await auditOf(t, 'claim.assignmentUndone')).toHaveLength(4);
    await expectVerified(t);
  });

  it('undoes an assignment made before migration 220, recorded from its audit entry', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ben = await signUpAndIn(t, { name: 'Ben Ortiz' });
    const voucher = await heldVoucher(t, kiosk, 8);
    const wrong = await assign(t, voucher.claimId, ben);
    const recorded = () =>
      t!.db.transaction((tx) =>
        tx.all('SELECT * FROM claim_assignments WHERE transfer_id = ?', [wrong.transferId]),
      );
    const before = await recorded();
    expect(before).toHaveLength(1);
    // As the database was before the migration: no row, only the audit entry of the assignment.
    await t.db.transaction(async (tx) => {
      await tx.run('DELETE FROM claim_assignments');
      await tx.run(backfillOf(adapter));
    });
    expect(await recorded()).toEqual(before);
    const undone = await undo(t, voucher.claimId, { undoId: newId(), assignmentId: wrong.transferId });
    expect(undone.statusCode, undone.body).toBe(201);
    expect((await suspenseEntry(t, voucher.depositId)).status).toBe('held');
    await expectVerified(t);
  });
});
