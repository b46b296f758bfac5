import type { Role } from './roles.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../test-support/test-app.js';
import { openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import {
  createTestStore,
  enrollTestKiosk,
  signInTestClerk,
  signedHeaders,
} from '../test-kit/terminal-kit.js';

/** The callers every route is tried with: each role with valid credentials, and nobody at all. */
const callers = ['none', 'shopper', 'clerk', 'terminal', 'ops'] as const;

/** Codes that mean "the role hook turned this caller away". */
const turnedAway = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'SIGNATURE_INVALID', 'TERMINAL_UNKNOWN']);

describe.each(testAdapters)('every /v1 route against every role on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('lets in exactly the roles each route declares', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const clerk = await signInTestClerk(t, storeId);
    const kiosk = await enrollTestKiosk(t, storeId);
    const shopper = await signUpAndIn(t);
    // Signing out ends the shopper's session, so that route goes last.
    const signOut = (route: { method: string; url: string }) =>
      route.method === 'DELETE' && route.url.startsWith('/v1/auth/sessions') ? 1 : 0;
    const routes = t.app.declaredRoutes
      .filter((route) => !route.roles.includes('public'))
      .sort((a, b) => signOut(a) - signOut(b));
    expect(routes.length).toBeGreaterThan(25);
    // The family, location and audit routes are in the walk with the roles they must declare.
    const declared = (method: string, url: string) =>
      routes.find((route) => route.method === method && route.url === url)?.roles;
    expect(declared('POST', '/v1/me/children')).toEqual(['shopper']);
    expect(declared('GET', '/v1/me/children')).toEqual(['shopper']);
    expect(declared('GET', '/v1/me/children/:childId')).toEqual(['shopper']);
    expect(declared('PUT', '/v1/me/children/:childId/caps')).toEqual(['shopper']);
    expect(declared('GET', '/v1/locations')).toEqual(['shopper']);
    expect(declared('GET', '/v1/ops/audit/verification')).toEqual(['ops']);
    expect(declared('POST', '/v1/me/receipts')).toEqual(['shopper']);
    const checked: string[] = [];
    for (const route of routes) {
      const url = route.url.replace(/:[A-Za-z]+/g, 'x');
      const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
      const body = hasBody ? '{}' : '';
      for (const caller of callers) {
        const headers: Record<string, string> =
          caller === 'none'
            ? {}
            : caller === 'shopper'
              ? shopper.headers
              : caller === 'clerk'
                ? clerk.headers
                : caller === 'ops'
                  ? opsHeaders
                  : signedHeaders(kiosk, t.clock.nowMs(), url, body, { method: route.method });
        const response = await t.app.inject({
          method: route.method as 'GET',
          url,
          headers: hasBody ? { 'content-type': 'application/json', ...headers } : headers,
          ...(hasBody ? { payload: body } : {}),
        });
        const code =
          response.statusCode >= 400 ? response.json<{ error: { code: string } }>().error.code : 'ok';
        const label = `${route.method} ${route.url} as ${caller}`;
        if (caller !== 'none' && route.roles.includes(caller as Role)) {
          expect(turnedAway.has(code), `${label} was let in (got ${code})`).toBe(false);
        } else {
          expect(code, label).toBe(caller === 'none' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        }
        checked.push(label);
      }
    }
    expect(checked.length).toBe(routes.length * callers.length);
  });
});
