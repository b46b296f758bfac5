import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import {
  CashAccountResponseSchema,
  DepositReceiptSchema,
  EnrollmentTokenSchema,
  StoreSchema,
  createUuidV7Generator,
  opsApiPaths,
} from '@cashin/shared';
import { codeFromDevInbox, signUpShopperOverHttp } from '../testing/shopper-sign-up.js';

/**
 * The demo data `npm start` needs, made through the server's real API (so it is what a real store,
 * clerk, shopper and kiosk look like) and remembered in a file, so a restart finds the same ones. If the
 * server's database was reset, the file no longer matches and everything is made afresh.
 */
export const DemoSchema = z.object({
  storeId: z.string(),
  storeName: z.string(),
  clerkId: z.string(),
  clerkName: z.string(),
  clerkPin: z.string(),
  shopperPhone: z.string(),
  shopperName: z.string(),
  depositCode: z.string(),
  terminalId: z.string(),
  /** The one-time token for the kiosk's first start; spent once the agent has enrolled. */
  enrollmentToken: z.string(),
  technicianPin: z.string(),
});
export type Demo = z.infer<typeof DemoSchema>;

const ClerkCreatedSchema = z.object({ id: z.string() });

async function call<T>(
  baseUrl: string,
  opsToken: string | null,
  path: string,
  body: unknown,
  schema: z.ZodType<T>,
): Promise<T> {
  const response = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opsToken ? { authorization: `Bearer ${opsToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return schema.parse(JSON.parse(text));
}

async function storeExists(baseUrl: string, opsToken: string, storeId: string): Promise<boolean> {
  const response = await fetch(new URL(opsApiPaths.stores, baseUrl), {
    headers: { authorization: `Bearer ${opsToken}` },
  });
  if (!response.ok) return false;
  const list = z.object({ stores: z.array(StoreSchema) }).safeParse(await response.json());
  return list.success && list.data.stores.some((store) => store.id === storeId);
}

/** The demo's ops staff account: a person signs in to the console with these, not with the service token. */
export const demoStaff = { username: 'ops.demo', name: 'Olivia Ops', password: 'demo-ops-password' } as const;

/**
 * Makes the demo's ops staff account unless it exists (a data directory from before named staff, or a
 * restart): the server answers CONFLICT for a taken username, which here means "already done".
 */
export async function ensureDemoStaff(options: { baseUrl: string; opsToken: string }): Promise<void> {
  const response = await fetch(new URL(opsApiPaths.staff, options.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.opsToken}` },
    body: JSON.stringify(demoStaff),
  });
  if (response.ok || response.status === 409) return;
  throw new Error(`POST ${opsApiPaths.staff} answered ${response.status}: ${await response.text()}`);
}

/** A second shopper, whose cash the demo store's till took past her day's limit. */
const heldShopper = { phone: '+15550100002', name: 'Lucia Perez' } as const;

/**
 * Gives ops something in the review queue: the demo store's till credits a second shopper $400, then
 * $700 more with the cash already in the drawer (as a deposit recorded after the fact is), which passes
 * her $1,000 day. The server credits it and holds it for a person, as it would any real overrun.
 */
async function seedHeldDeposit(baseUrl: string, opsToken: string, storeId: string): Promise<void> {
  const signUp = await signUpShopperOverHttp({
    baseUrl,
    signUp: { phone: heldShopper.phone, name: heldShopper.name, language: 'es', currency: 'USD' },
    codeFor: (phone) => codeFromDevInbox(baseUrl, phone),
  });
  const drawer = await call(
    baseUrl,
    opsToken,
    '/v1/ops/cash-accounts',
    { kind: 'storeDrawer', ownerRef: storeId, currency: 'USD' },
    CashAccountResponseSchema,
  );
  const newId = createUuidV7Generator();
  for (const amountMinor of [40_000, 70_000]) {
    await call(
      baseUrl,
      opsToken,
      '/v1/deposits',
      {
        id: newId(),
        code: signUp.depositCode,
        amountMinor,
        currency: 'USD',
        sourceAccountId: drawer.accountId,
        cashAlreadyTaken: true,
      },
      DepositReceiptSchema,
    );
  }
}

export async function ensureDemo(options: {
  baseUrl: string;
  opsToken: string;
  file: string;
}): Promise<{ demo: Demo; fresh: boolean }> {
  if (existsSync(options.file)) {
    const saved = DemoSchema.safeParse(JSON.parse(readFileSync(options.file, 'utf8')));
    if (saved.success && (await storeExists(options.baseUrl, options.opsToken, saved.data.storeId))) {
      return { demo: saved.data, fresh: false };
    }
  }
  const { baseUrl, opsToken } = options;
  const store = await call(
    baseUrl,
    opsToken,
    opsApiPaths.stores,
    { name: 'Demo Store', currency: 'USD', timeZone: 'America/New_York' },
    StoreSchema,
  );
  const clerkPin = '1234';
  const clerk = await call(
    baseUrl,
    opsToken,
    opsApiPaths.clerks(store.id),
    { name: 'Alex Clerk', pin: clerkPin },
    ClerkCreatedSchema,
  );
  const shopperPhone = '+15550100001';
  // The demo signs its shopper up as the wallet app does, reading the texted code from the development
  // inbox that `npm start` turns on.
  const signUp = await signUpShopperOverHttp({
    baseUrl,
    signUp: { phone: shopperPhone, name: 'Maria Garcia', language: 'en', currency: 'USD' },
    codeFor: (phone) => codeFromDevInbox(baseUrl, phone),
  });
  const terminal = await call(
    baseUrl,
    opsToken,
    opsApiPaths.terminals,
    { storeId: store.id, name: 'Demo kiosk' },
    EnrollmentTokenSchema,
  );
  await seedHeldDeposit(baseUrl, opsToken, store.id);
  const demo: Demo = {
    storeId: store.id,
    storeName: store.name,
    clerkId: clerk.id,
    clerkName: 'Alex Clerk',
    clerkPin,
    shopperPhone,
    shopperName: signUp.name ?? 'Maria Garcia',
    depositCode: signUp.depositCode,
    terminalId: terminal.terminalId,
    enrollmentToken: terminal.token,
    technicianPin: '2468',
  };
  writeFileSync(options.file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return { demo, fresh: true };
}
