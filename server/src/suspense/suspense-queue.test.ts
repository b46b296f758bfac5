import {
  SuspenseListSchema,
  createUuidV7Generator,
  opsApiPaths,
  suspensePageEntriesMax,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureAccount, ensureSystemAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import type { TransferInput } from '../ledger/transfer.js';
import { insertRows } from '../storage/bulk-sql.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';

const newId = createUuidV7Generator();

/** Claims more than a page holds; the oldest `claimedCount` of them already claimed by their owners. */
const claimCount = suspensePageEntriesMax + 120;
const claimedCount = 30;

/**
 * Money in suspense written straight to the ledger and the claims table, in one transaction and a few
 * multi-row statements, so a queue longer than a page costs the test little. Two claims share each
 * moment, so pages must break ties by id. Answers the claims oldest first.
 */
async function fillSuspense(t: TestApp) {
  const startMs = t.clock.nowMs() - claimCount * 1_000;
  const claims = Array.from({ length: claimCount }, (_, index) => ({
    id: newId(),
    transferId: newId(),
    redeemedTransferId: index < claimedCount ? newId() : null,
    amountMinor: 100 + index,
    createdAtMs: startMs + Math.floor(index / 2) * 1_000,
  }));
  await t.db.transaction(async (tx) => {
    const nowMs = t.clock.nowMs();
    const drawer = await ensureAccount(
      tx,
      { kind: 'storeDrawer', ownerRef: 's1', currency: 'USD' },
      newId,
      nowMs,
    );
    const suspense = await ensureSystemAccount(tx, 'suspense', 'USD', newId, nowMs);
    const transfers: TransferInput[] = claims.flatMap((claim) => [
      {
        id: claim.transferId,
        debitAccountId: drawer,
        creditAccountId: suspense,
        amountMinor: claim.amountMinor,
        currency: 'USD',
        code: 'depositToSuspense',
      },
      ...(claim.redeemedTransferId === null
        ? []
        : [
            {
              id: claim.redeemedTransferId,
              debitAccountId: suspense,
              creditAccountId: drawer,
              amountMinor: claim.amountMinor,
              currency: 'USD' as const,
              code: 'adjustment' as const,
              reason: 'claimed',
            },
          ]),
    ]);
    const results = await createTransfers(tx, transfers, nowMs);
    expect(results.every((result) => result === 'created')).toBe(true);
    await insertRows(
      tx,
      'claims',
      [
        'id',
        'code_hash',
        'amount_minor',
        'currency',
        'deposit_transfer_id',
        'redeemed_transfer_id',
        'created_at_ms',
      ],
      claims.map((claim) => [
        claim.id,
        `hash-${claim.id}`,
        claim.amountMinor,
        'USD',
        claim.transferId,
        claim.redeemedTransferId,
        claim.createdAtMs,
      ]),
    );
  });
  // Oldest first, ties by id: the order the queue promises.
  return claims.sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1));
}

describe.each(testAdapters)('the suspense queue on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const page = async (query: string) => {
    const response = await t!.app.inject({
      method: 'GET',
      url: `${opsApiPaths.suspense}${query}`,
      headers: opsHeaders,
    });
    expect(response.statusCode, response.body).toBe(200);
    return SuspenseListSchema.parse(response.json());
  };

  it('pages through every held claim oldest first, with the total held however many pages', async () => {
    t = await openTestApp(adapter);
    const claims = await fillSuspense(t);
    const held = claims.filter((claim) => claim.redeemedTransferId === null);
    expect(held.length).toBeGreaterThan(suspensePageEntriesMax);

    const first = await page('');
    expect(first.entries).toHaveLength(suspensePageEntriesMax);
    expect(first.next).not.toBeNull();
    expect(first.held).toEqual([
      {
        currency: 'USD',
        count: held.length,
        totalMinor: held.reduce((sum, claim) => sum + claim.amountMinor, 0),
      },
    ]);
    const second = await page(`?after=${encodeURIComponent(first.next!)}`);
    expect(second.next).toBeNull();
    expect(second.held).toEqual(first.held);
    // Every held claim once, oldest (the one that has waited longest) first; none of the claimed ones.
    const listed = [...first.entries, ...second.entries];
    expect(listed.map((entry) => entry.id)).toEqual(held.map((claim) => claim.id));
    expect(listed.every((entry) => entry.status === 'held')).toBe(true);

    // Claimed ones too, newest first, when asked.
    const all = await page('?status=all');
    expect(all.entries[0]?.id).toBe(claims.at(-1)?.id);
    const allSecond = await page(`?status=all&after=${encodeURIComponent(all.next!)}`);
    expect(allSecond.next).toBeNull();
    expect([...all.entries, ...allSecond.entries].map((entry) => entry.id)).toEqual(
      claims.map((claim) => claim.id).reverse(),
    );
    expect(allSecond.entries.at(-1)?.status).toBe('claimed');

    const forged = await t.app.inject({
      method: 'GET',
      url: `${opsApiPaths.suspense}?after=not-a-cursor`,
      headers: opsHeaders,
    });
    expect(errorCodeOf(forged)).toBe('VALIDATION_FAILED');
  });
});
