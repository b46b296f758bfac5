import {
  EnrollResponseSchema,
  generateCode,
  opsApiPaths,
  terminalApiPaths,
  tillApiPaths,
} from '@cashin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnrollmentToken,
  createTestClerk,
  kioskDeposit,
  newKeyPair,
  signedPost,
} from '../test-kit/terminal-kit.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { nextPhone, opsHeaders, testOpsToken } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import type { World } from './security-kit.js';
import {
  callerFor,
  concreteUrl,
  logCapture,
  openWorld,
  routeSchemas,
  seedBody,
  send,
  stringFieldPaths,
  withValueAt,
} from './security-kit.js';

/**
 * The whole log of a run, at trace level through the server's own logger (its redaction included), holds
 * no secret: no PIN, one-time code, full deposit, claim or slip code, bearer token, enrollment token or
 * private key. The run signs everyone up and in, enrolls a kiosk, moves money every way, fails every way a
 * person or a guesser would, and calls every registered route, with secrets in the wrong fields too.
 */
describe.each(testAdapters)('secrets in the log of a whole run on %s', (adapter) => {
  const log = logCapture();
  const secrets = new Map<string, string>();
  /** Digits-only secrets must not stand alone in the log; longer ones must not appear at all. */
  const keep = (what: string, value: string) => secrets.set(value, what);
  let world: World;
  /** The staff member who signs in during the run, to find their name on their requests' lines. */
  let staffId = '';

  beforeAll(async () => {
    world = await openWorld(adapter, { logDestination: log.destination });
    keep('clerk PIN', world.clerk.pin);
    keep('clerk token', world.clerk.headers.authorization.slice('Bearer '.length));
    keep('shopper token', world.shopper.token);
    keep('deposit code', world.shopper.depositCode);
    keep('ops token', testOpsToken);
    keep('kiosk private key', world.kiosk.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const jwk = world.kiosk.privateKey.export({ format: 'jwk' });
    if (typeof jwk.d === 'string') keep('kiosk private key (d)', jwk.d);
  });
  afterAll(async () => {
    await world.t.close();
  });

  it('runs every flow, good and bad, and calls every route', async () => {
    const { t } = world;
    // A kiosk enrolled here, so its one-time token is known, and a clerk with a PIN of its own.
    const { token } = await createEnrollmentToken(t, world.storeId);
    keep('enrollment token', token);
    const keys = newKeyPair();
    const enrolled = await t.app.inject({
      method: 'POST',
      url: terminalApiPaths.enroll,
      payload: { token, publicKey: keys.publicKey, softwareVersion: '1.0.0' },
    });
    const { terminalId, serverPublicKey } = EnrollResponseSchema.parse(enrolled.json());
    const kiosk: TestKiosk = { terminalId, storeId: world.storeId, ...keys, sequence: 0, serverPublicKey };
    keep('second kiosk private key', keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const { clerkId, pin } = await createTestClerk(t, world.storeId, '80417293');
    keep('second clerk PIN', pin);
    await t.app.inject({
      method: 'POST',
      url: tillApiPaths.session,
      payload: { storeId: world.storeId, clerkId, pin: '11112222' },
    });
    const clerkSession = await t.app.inject({
      method: 'POST',
      url: tillApiPaths.session,
      payload: { storeId: world.storeId, clerkId, pin },
    });
    keep('second clerk token', clerkSession.json<{ token: string }>().token);

    // An ops staff member: created, a wrong password, then signed in, acting, and signed out.
    const password = 'staff-secret-8841-horse';
    keep('staff password', password);
    await t.app.inject({
      method: 'POST',
      url: opsApiPaths.staff,
      headers: opsHeaders,
      payload: { username: 'log.secrets', name: 'Log Secrets', password },
    });
    await t.app.inject({
      method: 'POST',
      url: opsApiPaths.session,
      payload: { username: 'log.secrets', password: `${password}-wrong` },
    });
    const staffSession = await t.app.inject({
      method: 'POST',
      url: opsApiPaths.session,
      payload: { username: 'log.secrets', password },
    });
    const staffToken = staffSession.json<{ token: string }>().token;
    staffId = staffSession.json<{ staff: { id: string } }>().staff.id;
    keep('staff token', staffToken);
    const staffHeaders = { authorization: `Bearer ${staffToken}` };
    await t.app.inject({ method: 'GET', url: opsApiPaths.staff, headers: staffHeaders });
    await t.app.inject({ method: 'DELETE', url: opsApiPaths.session, headers: staffHeaders });

    // One-time codes: a wrong one, then the right one.
    await t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: world.shopper.phone } });
    const otp = t.sender.lastOtpFor(world.shopper.phone);
    keep('one-time code', otp);
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { phone: world.shopper.phone, otp: otp === '000000' ? '111111' : '000000' },
    });
    const session = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { phone: world.shopper.phone, otp },
    });
    keep('second shopper token', session.json<{ token: string }>().token);
    // A sign-up: the token its answer carries goes back with its code, and opens a wallet.
    const newcomer = nextPhone();
    const signedUp = await t.app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      payload: { phone: newcomer, name: 'Nueva Persona', currency: 'USD' },
    });
    const { signUpToken } = signedUp.json<{ signUpToken: string }>();
    keep('sign-up token', signUpToken);
    const opened = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { phone: newcomer, otp: t.sender.lastOtpFor(newcomer), signUpToken },
    });
    keep('newcomer token', opened.json<{ token: string }>().token);
    for (const message of t.sender.sent) {
      const sent = /(\d{6})/.exec(message.text)?.[1];
      if (sent !== undefined) keep('one-time code', sent);
    }

    // Money every way: a slip, a kiosk sync with a voucher and an unknown code, a claim, a till deposit.
    const slip = await send(
      world,
      'shopper',
      'POST',
      '/v1/me/slips',
      JSON.stringify({ amountMinor: 2_000, ttlMs: 3_600_000 }),
    );
    const slipCode = slip.json<{ code: string }>().code;
    keep('slip code', slipCode);
    const voucher = generateCode('claim');
    keep('claim code', voucher);
    const unknown = generateCode('deposit');
    keep('unknown deposit code', unknown);
    await signedPost(t, kiosk, terminalApiPaths.sync, {
      deposits: [
        kioskDeposit(kiosk, world.newId, t.clock.nowMs(), { code: null, claimCode: voucher }),
        kioskDeposit(kiosk, world.newId, t.clock.nowMs(), { code: unknown }),
        kioskDeposit(kiosk, world.newId, t.clock.nowMs(), { code: world.shopper.depositCode }),
      ],
    });
    await signedPost(t, kiosk, terminalApiPaths.lookup, { code: world.shopper.depositCode });
    await send(world, 'shopper', 'POST', '/v1/me/claims', JSON.stringify({ claimCode: voucher }));
    await send(world, 'shopper', 'POST', '/v1/me/claims', JSON.stringify({ claimCode: voucher }));
    await t.app.inject({
      method: 'POST',
      url: tillApiPaths.commit(world.authorizationId),
      headers: world.clerk.headers,
    });
    await t.app.inject({
      method: 'POST',
      url: '/v1/codes/lookups',
      headers: opsHeaders,
      payload: { code: world.shopper.depositCode },
    });
    // The whole slip code in the URL of its cancel, and of a till's lookup of it (refused: cancelled).
    await send(world, 'shopper', 'DELETE', `/v1/me/slips/${slipCode}`);
    await t.app.inject({
      method: 'POST',
      url: tillApiPaths.lookups,
      headers: world.clerk.headers,
      payload: { code: slipCode },
    });
    const rotated = await send(world, 'shopper', 'POST', '/v1/me/deposit-code/rotations', '{}');
    const newCode = rotated.json<{ code?: string }>().code;
    if (newCode !== undefined) keep('rotated deposit code', newCode);

    // Every route, with its seed body and with each secret in each text field (where it does not belong).
    const routes = await routeSchemas(t);
    const planted = [world.shopper.depositCode, voucher, pin, token, world.shopper.token, signUpToken];
    for (const route of routes) {
      if (route.method === 'DELETE') continue;
      const url = concreteUrl(route, world);
      await send(
        world,
        callerFor(route),
        route.method,
        url,
        route.body === undefined ? undefined : JSON.stringify(seedBody(route.body, world)),
      );
      for (const path of route.body === undefined ? [] : stringFieldPaths(route.body)) {
        for (const secret of planted) {
          t.clock.advance(60_000);
          const body = withValueAt(seedBody(route.body ?? {}, world), path, secret);
          await send(world, callerFor(route), route.method, url, JSON.stringify(body));
        }
      }
    }
    // Secrets in the URL and in the headers of requests that are turned away.
    await t.app.inject({ method: 'GET', url: `/v1/barcodes/code128/${world.shopper.depositCode}.png` });
    await t.app.inject({ method: 'GET', url: `/v1/barcodes/qr/${voucher}.svg` });
    await t.app.inject({
      method: 'GET',
      url: '/v1/me/wallet',
      headers: { authorization: `Bearer ${token}` },
    });
    await t.app.inject({
      method: 'GET',
      url: `/v1/ops/stores?pin=${pin}&code=${world.shopper.depositCode}`,
      headers: world.shopper.headers,
    });
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      headers: { 'content-type': 'application/json' },
      payload: `{"phone":"${world.shopper.phone}","otp":"${otp}",`,
    });
    await t.app.inject({
      method: 'DELETE',
      url: '/v1/auth/sessions/current',
      headers: world.shopper.headers,
    });
  });

  it('names who in operations made a request on its lines, the answer line included', () => {
    const lines = log
      .text()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { opsCaller?: string; msg?: string; req?: { url?: string } });
    const completed = (caller: string) =>
      lines.filter((line) => line.opsCaller === caller && line.msg === 'request completed');
    expect(staffId).toMatch(/^O\d{5}$/);
    // The staff member's list and sign-out, and the service token's many calls.
    expect(completed(staffId).length).toBeGreaterThanOrEqual(2);
    expect(completed('ops-token').length).toBeGreaterThan(10);
    // Nobody else's request carries an operator's name.
    const shopperLines = lines.filter((line) => line.req?.url?.startsWith('/v1/me') === true);
    expect(shopperLines.length).toBeGreaterThan(0);
    expect(shopperLines.filter((line) => line.opsCaller !== undefined)).toEqual([]);
  });

  it('left none of those secrets in the log', () => {
    const text = log.text();
    // The run did log: requests, answers and the handlers' own lines, at trace level.
    expect(text.split('\n').length).toBeGreaterThan(500);
    expect(secrets.size).toBeGreaterThanOrEqual(14);
    const found: string[] = [];
    for (const [secret, what] of secrets) {
      // A short digit secret is looked for standing alone, not inside a request id's hex or a number.
      const pattern = /^\d+$/.test(secret)
        ? new RegExp(`(?<![0-9A-Za-z.-])${secret}(?![0-9A-Za-z.-])`)
        : new RegExp(secret.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/\n/g, '\\\\n'));
      const at = pattern.exec(text)?.index;
      if (at !== undefined) found.push(`${what}: ${text.slice(Math.max(0, at - 120), at + 40)}`);
    }
    expect(found).toEqual([]);
  });
});
