import type { CurrencyCode } from '@cashin/shared';
import {
  AuditTrailSchema,
  BankDepositListSchema,
  BankDepositSchema,
  CollectionListSchema,
  createUuidV7Generator,
  opsApiPaths,
  terminalApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { ensureSystemAccount, findAccount, postedTotals } from '../ledger/accounts.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { enrollTestKiosk, kioskDeposit, signedPost } from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

function post(t: TestApp, url: string, payload: object) {
  return t.app.inject({ method: 'POST', url, headers: opsHeaders, payload });
}

/** A bag with `coins` quarters synced into it, collected and counted at `countedMinor`. */
async function collectedBag(t: TestApp, kiosk: TestKiosk, code: string, coins: number, countedMinor: number) {
  const deposit = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code, coins });
  expect((await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [deposit] })).statusCode).toBe(200);
  const collectionId = newId();
  const collected = await post(t, opsApiPaths.collections, {
    collectionId,
    terminalId: kiosk.terminalId,
    countedMinor,
    currency: 'USD',
  });
  expect(collected.statusCode, collected.body).toBe(201);
  return collectionId;
}

/** A bag collected from a kiosk with nothing in it since the last collection, counted at nothing. */
async function emptyBag(t: TestApp, kiosk: TestKiosk) {
  const collectionId = newId();
  const collected = await post(t, opsApiPaths.collections, {
    collectionId,
    terminalId: kiosk.terminalId,
    countedMinor: 0,
    currency: 'USD',
  });
  expect(collected.statusCode, collected.body).toBe(201);
  return collectionId;
}

/** Debits less credits of the network's account of a kind: what it holds (an asset is debit-normal). */
async function holds(t: TestApp, kind: 'cashInTransit' | 'bank' | 'overShort', currency: CurrencyCode) {
  return t.db.transaction(async (tx) => {
    const id = await ensureSystemAccount(tx, kind, currency, newId, t.clock.nowMs());
    const account = await findAccount(tx, id);
    const totals = await postedTotals(tx, account!);
    return totals.debitsPosted - totals.creditsPosted;
  });
}

/** The collections the in-transit listing answers, in its order (oldest first). */
async function inTransit(t: TestApp): Promise<string[]> {
  const listed = await t.app.inject({
    method: 'GET',
    url: `${opsApiPaths.collections}?inTransit=true`,
    headers: opsHeaders,
  });
  return CollectionListSchema.parse(listed.json()).collections.map((collection) => collection.collectionId);
}

describe.each(testAdapters)('bank deposits on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('moves counted cash from in transit to the bank once, the difference to over/short', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const other = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const first = await collectedBag(t, kiosk, ana.depositCode, 8, 200); // $2.00, counted right
    const second = await collectedBag(t, other, ana.depositCode, 4, 90); // $1.00, counted $0.90
    const third = await collectedBag(t, kiosk, ana.depositCode, 4, 100);
    expect(await holds(t, 'cashInTransit', 'USD')).toBe(390);
    expect(await inTransit(t)).toEqual([first, second, third]);

    // The bank credited $2.85 for the first two bags: $0.05 short of the $2.90 counted.
    const bankDepositId = newId();
    const request = {
      bankDepositId,
      collectionIds: [second, first],
      creditedMinor: 285,
      currency: 'USD',
      bankReference: 'STMT 2026-06-02 line 14',
    };
    const recorded = await post(t, opsApiPaths.bankDeposits, request);
    expect(recorded.statusCode, recorded.body).toBe(201);
    expect(BankDepositSchema.parse(recorded.json())).toMatchObject({
      bankDepositId,
      collectionIds: [first, second].sort(),
      countedMinor: 290,
      creditedMinor: 285,
      differenceMinor: -5,
      recordedBy: 'ops-token',
    });
    expect(await holds(t, 'cashInTransit', 'USD')).toBe(100);
    expect(await holds(t, 'bank', 'USD')).toBe(285);
    expect(await inTransit(t)).toEqual([third]);

    // A retry answers the same and books nothing; the same id with other facts is refused.
    const again = await post(t, opsApiPaths.bankDeposits, request);
    expect(again.json()).toEqual(recorded.json());
    expect(await holds(t, 'bank', 'USD')).toBe(285);
    expect(errorCodeOf(await post(t, opsApiPaths.bankDeposits, { ...request, creditedMinor: 290 }))).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    // A bag already banked cannot be banked again under another id; an unknown one is not found.
    const twice = await post(t, opsApiPaths.bankDeposits, {
      ...request,
      bankDepositId: newId(),
      collectionIds: [third, first],
    });
    expect(errorCodeOf(twice)).toBe('CONFLICT');
    expect(twice.json()).toMatchObject({ error: { details: { collectionId: first, bankDepositId } } });
    expect(
      errorCodeOf(
        await post(t, opsApiPaths.bankDeposits, {
          ...request,
          bankDepositId: newId(),
          collectionIds: [newId()],
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      errorCodeOf(
        await post(t, opsApiPaths.bankDeposits, {
          ...request,
          bankDepositId: newId(),
          collectionIds: [third],
          currency: 'MXN',
        }),
      ),
    ).toBe('CURRENCY_MISMATCH');

    // Over: the bank credited more than counted for the third bag.
    const over = await post(t, opsApiPaths.bankDeposits, {
      bankDepositId: newId(),
      collectionIds: [third],
      creditedMinor: 125,
      currency: 'USD',
      bankReference: 'STMT 2026-06-03 line 2',
    });
    expect(over.json()).toMatchObject({ countedMinor: 100, differenceMinor: 25 });
    expect(await holds(t, 'cashInTransit', 'USD')).toBe(0);
    expect(await inTransit(t)).toEqual([]);
    expect(await holds(t, 'bank', 'USD')).toBe(410);
    // over/short took the collection's -10 (short), the bank's -5 (short) and +25 (over): it is owed 10.
    expect(await holds(t, 'overShort', 'USD')).toBe(10 + 5 - 25);

    // Collections say where their cash is; bank deposits list newest first; the audit log says who.
    const collections = CollectionListSchema.parse(
      (await t.app.inject({ method: 'GET', url: opsApiPaths.collections, headers: opsHeaders })).json(),
    ).collections;
    expect(new Map(collections.map((listed) => [listed.collectionId, listed.bankDepositId]))).toEqual(
      new Map([
        [first, bankDepositId],
        [second, bankDepositId],
        [third, over.json<{ bankDepositId: string }>().bankDepositId],
      ]),
    );
    const listed = BankDepositListSchema.parse(
      (await t.app.inject({ method: 'GET', url: opsApiPaths.bankDeposits, headers: opsHeaders })).json(),
    ).bankDeposits;
    expect(listed.map((deposit) => deposit.bankReference)).toEqual([
      'STMT 2026-06-03 line 2',
      'STMT 2026-06-02 line 14',
    ]);
    const trail = AuditTrailSchema.parse(
      (await t.app.inject({ method: 'GET', url: opsApiPaths.auditEntries, headers: opsHeaders })).json(),
    ).entries.filter((entry) => entry.kind === 'bankDeposit.recorded');
    expect(trail.map((entry) => entry.data)).toEqual([
      expect.objectContaining({ creditedMinor: 125, differenceMinor: 25, collections: 1, by: 'ops-token' }),
      expect.objectContaining({ bankDepositId, countedMinor: 290, bankReference: request.bankReference }),
    ]);

    expect((await verifyLedger(t.db)).ok).toBe(true);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('refuses malformed requests and changes nothing', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const bag = await collectedBag(t, kiosk, ana.depositCode, 4, 100);
    const base = {
      bankDepositId: newId(),
      collectionIds: [bag],
      creditedMinor: 100,
      currency: 'USD',
      bankReference: 'ref',
    };
    for (const bad of [
      { ...base, collectionIds: [] },
      { ...base, collectionIds: [bag, bag] },
      { ...base, creditedMinor: 1.5 },
      { ...base, creditedMinor: -1 },
      { ...base, bankReference: '  ' },
      { ...base, bankDepositId: 'not-a-uuid' },
      { ...base, collectionIds: Array.from({ length: 101 }, () => newId()) },
    ])
      expect(errorCodeOf(await post(t, opsApiPaths.bankDeposits, bad))).toBe('VALIDATION_FAILED');
    expect(await holds(t, 'cashInTransit', 'USD')).toBe(100);
    expect(await holds(t, 'bank', 'USD')).toBe(0);
  });

  // Two operators banking overlapping bags at the same moment: each bag reaches the bank once, and a
  // retry that races its own first send answers that send (PostgreSQL runs them on separate connections).
  it('banks each collection once when operators record overlapping deposits at once', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    for (let round = 0; round < 4; round += 1) {
      const bags = [
        await collectedBag(t, kiosk, ana.depositCode, 4, 100),
        await collectedBag(t, kiosk, ana.depositCode, 4, 100),
        await collectedBag(t, kiosk, ana.depositCode, 4, 100),
      ];
      const retried = {
        bankDepositId: newId(),
        collectionIds: [bags[0]!, bags[1]!],
        creditedMinor: 200,
        currency: 'USD',
        bankReference: `R${round}-a`,
      };
      const answers = await Promise.all([
        post(t, opsApiPaths.bankDeposits, retried),
        post(t, opsApiPaths.bankDeposits, retried),
        post(t, opsApiPaths.bankDeposits, {
          bankDepositId: newId(),
          collectionIds: [bags[2]!, bags[1]!],
          creditedMinor: 200,
          currency: 'USD',
          bankReference: `R${round}-b`,
        }),
      ]);
      const [a, aAgain, b] = answers;
      expect(aAgain?.statusCode).toBe(a?.statusCode);
      if (a?.statusCode === 201) expect(aAgain?.json()).toEqual(a.json());
      // Exactly one of the overlapping deposits won the shared bag.
      expect([a?.statusCode, b?.statusCode].sort()).toEqual([201, 409]);
    }
    // Twelve bags of $1.00: eight reached the bank in four winning deposits, four wait in transit.
    expect(await holds(t, 'bank', 'USD')).toBe(800);
    expect(await holds(t, 'cashInTransit', 'USD')).toBe(400);
    expect((await verifyLedger(t.db)).ok).toBe(true);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('records one statement line once, and one id once even for empty bags sent at once', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const first = await collectedBag(t, kiosk, ana.depositCode, 4, 100);
    const second = await collectedBag(t, kiosk, ana.depositCode, 4, 100);
    const line = { currency: 'USD', creditedMinor: 100, bankReference: 'STMT 9 line 3' };
    const recorded = await post(t, opsApiPaths.bankDeposits, {
      ...line,
      bankDepositId: newId(),
      collectionIds: [first],
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    // The same statement line for another bag is a mistake: refused, naming the deposit that holds it.
    const again = await post(t, opsApiPaths.bankDeposits, {
      ...line,
      bankDepositId: newId(),
      collectionIds: [second],
    });
    expect(errorCodeOf(again)).toBe('CONFLICT');
    expect(again.json()).toMatchObject({
      error: {
        details: {
          reason: 'referenceUsed',
          bankDepositId: recorded.json<{ bankDepositId: string }>().bankDepositId,
        },
      },
    });
    expect(await holds(t, 'bank', 'USD')).toBe(100);
    expect(await inTransit(t)).toEqual([second]);

    // Empty bags (counted at nothing) move no cash, so only the row guards their id: two requests with
    // one id and different bags, at once, record one and refuse the other with a code.
    for (let round = 0; round < 3; round += 1) {
      const emptyA = await emptyBag(t, kiosk);
      const emptyB = await emptyBag(t, kiosk);
      const bankDepositId = newId();
      const answers = await Promise.all(
        [emptyA, emptyB].map((bag) =>
          post(t!, opsApiPaths.bankDeposits, {
            bankDepositId,
            collectionIds: [bag],
            creditedMinor: 0,
            currency: 'USD',
            bankReference: `empty ${round}`,
          }),
        ),
      );
      expect(answers.map((answer) => answer.statusCode).sort(), answers.map((a) => a.body).join()).toEqual([
        201, 409,
      ]);
      expect(answers.map(errorCodeOf).filter((code) => code !== undefined)).toEqual(['IDEMPOTENCY_CONFLICT']);
    }
    expect((await verifyLedger(t.db)).ok).toBe(true);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });
});
