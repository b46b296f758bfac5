import { createUuidV7Generator, maskCode, opsApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import type { TestApp } from '../test-support/test-app.js';
import {
  nextPhone,
  openCashAccount,
  openTestApp,
  opsHeaders,
  signUpAndIn,
} from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';

const newId = createUuidV7Generator();

describe.each(testAdapters)('ops finds a shopper by phone on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const find = (phone: string, headers: Record<string, string> = opsHeaders) =>
    t!.app.inject({
      method: 'GET',
      url: `${opsApiPaths.shoppers}?phone=${encodeURIComponent(phone)}`,
      headers,
    });

  it('answers the wallet the shopper sees, with entry ids, the masked code and the sign-up time', async () => {
    t = await openTestApp(adapter);
    const signedUpAtMs = t.clock.nowMs();
    const maria = await signUpAndIn(t, { name: 'Maria Gonzalez' });
    const drawer = await openCashAccount(t);
    t.clock.advance(60_000);
    const depositId = newId();
    const deposited = await t.app.inject({
      method: 'POST',
      url: '/v1/deposits',
      headers: opsHeaders,
      payload: {
        id: depositId,
        code: maria.depositCode,
        amountMinor: 2_500,
        currency: 'USD',
        sourceAccountId: drawer,
      },
    });
    expect(deposited.statusCode).toBe(201);

    const found = await find(maria.phone);
    expect(found.statusCode).toBe(200);
    const own = await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: maria.headers });
    // The same wallet the shopper's app shows, no more (no ledger account ids), and the support facts.
    expect(found.json()).toEqual({
      ...own.json(),
      depositCodeMasked: maskCode(maria.depositCode),
      signedUpAtMs,
    });
    expect(found.json()).toMatchObject({
      shopper: { id: maria.shopperId, phone: maria.phone, name: 'Maria Gonzalez', kycTier: 0 },
      balanceMinor: 2_500,
      history: [{ transferId: depositId, kind: 'deposit', amountMinor: 2_500, status: 'credited' }],
    });
    expect(found.body).not.toContain(maria.depositCode);

    // Identity checked: ops raises the tier, and the shopper's allowance follows.
    const before = found.json<{ allowance: { remainingMinor: number } }>().allowance.remainingMinor;
    const raised = await t.app.inject({
      method: 'PUT',
      url: opsApiPaths.shopperKyc(maria.shopperId),
      headers: opsHeaders,
      payload: { tier: 1 },
    });
    expect(raised.json()).toMatchObject({ id: maria.shopperId, kycTier: 1 });
    const after = (await find(maria.phone)).json<{
      shopper: { kycTier: number };
      allowance: { remainingMinor: number };
    }>();
    expect(after.shopper.kycTier).toBe(1);
    expect(after.allowance.remainingMinor).toBeGreaterThan(before);
    // Each look at the wallet is on the shopper's audit chain, with who looked.
    const viewed = await t.db.transaction((tx) =>
      tx.all<{ chain: string; data: string }>(
        "SELECT chain, data FROM audit_log WHERE kind = 'shopper.viewed'",
      ),
    );
    expect(viewed).toHaveLength(2);
    for (const entry of viewed) {
      expect(entry.chain).toBe(maria.shopperId);
      expect(JSON.parse(entry.data)).toMatchObject({ by: expect.any(String) });
    }
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('counts each search against the operator’s tries per minute, found or not', async () => {
    t = await openTestApp(adapter);
    const maria = await signUpAndIn(t);
    const perMinute = t.config.limits.system.codeLookupsPerMinuteMax;
    for (let n = 1; n < perMinute; n += 1) expect((await find(nextPhone())).statusCode).toBe(404);
    expect((await find(maria.phone)).statusCode).toBe(200);
    const over = await find(maria.phone);
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('RATE_LIMITED');
    t.clock.advance(60_000);
    expect((await find(maria.phone)).statusCode).toBe(200);
  });

  it('refuses an unknown or malformed number, and anyone but ops', async () => {
    t = await openTestApp(adapter);
    const maria = await signUpAndIn(t);
    const unknown = await find(nextPhone());
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'NOT_FOUND', details: { field: 'phone' } });
    for (const phone of ['5551234567', '+1 555 123 4567', '', '+0123']) {
      const malformed = await find(phone);
      expect(malformed.statusCode, phone).toBe(400);
      expect(malformed.json().error.code).toBe('PHONE_INVALID');
    }
    expect((await find(maria.phone, maria.headers)).statusCode).toBe(403);
    expect((await find(maria.phone, {})).statusCode).toBe(401);
  });
});
