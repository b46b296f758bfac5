import type { Code, Language } from '@cashin/shared';
import {
  DepositCodeResponseSchema,
  SessionResponseSchema,
  SignUpResponseSchema,
  WalletResponseSchema,
} from '@cashin/shared';
import type { z } from 'zod';

/**
 * Signs a shopper up over HTTP as the wallet app does: the sign-up texts a code and answers a sign-up
 * token, and verifying the code with the token opens the wallet. For seeds, chaos runs and browser tests
 * that need a real shopper made through the real routes; `codeFor` reads the texted code the way the
 * caller can (the development inbox, a captured sender).
 */
export interface ShopperSignUp {
  readonly phone: string;
  readonly name?: string;
  readonly language: Language;
  readonly currency: string;
}

export interface SignedUpOverHttp {
  readonly shopperId: string;
  readonly name: string | null;
  readonly token: string;
  readonly depositCode: Code;
}

type Fetch = (input: URL | string, init?: RequestInit) => Promise<Response>;

async function answer<T>(response: Response, what: string, schema: z.ZodType<T>): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text}`);
  return schema.parse(JSON.parse(text));
}

export async function signUpShopperOverHttp(options: {
  readonly baseUrl: string;
  readonly signUp: ShopperSignUp;
  readonly codeFor: (phone: string) => Promise<string>;
  readonly fetch?: Fetch;
}): Promise<SignedUpOverHttp> {
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const url = (path: string) => new URL(path, options.baseUrl);
  const post = (path: string, body: unknown) =>
    send(url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const { phone } = options.signUp;
  const { signUpToken } = await answer(
    await post('/v1/shoppers', options.signUp),
    'POST /v1/shoppers',
    SignUpResponseSchema,
  );
  const session = await answer(
    await post('/v1/auth/sessions', { phone, otp: await options.codeFor(phone), signUpToken }),
    'POST /v1/auth/sessions',
    SessionResponseSchema,
  );
  const headers = { authorization: `Bearer ${session.token}` };
  const wallet = await answer(
    await send(url('/v1/me/wallet'), { headers }),
    'GET /v1/me/wallet',
    WalletResponseSchema,
  );
  const code = await answer(
    await send(url('/v1/me/deposit-code'), { headers }),
    'GET /v1/me/deposit-code',
    DepositCodeResponseSchema,
  );
  return {
    shopperId: wallet.shopper.id,
    name: wallet.shopper.name,
    token: session.token,
    depositCode: code.code as Code,
  };
}

/** The newest six-digit code the server's development inbox holds for a phone (GET /dev/inbox.json). */
export async function codeFromDevInbox(baseUrl: string, phone: string, send: Fetch = fetch): Promise<string> {
  const response = await send(new URL('/dev/inbox.json', baseUrl));
  const inbox = (await response.json()) as { messages?: { to: string; text: string }[] };
  const message = inbox.messages?.find((m) => m.to === phone);
  const code = message === undefined ? undefined : /(\d{6})/.exec(message.text)?.[1];
  if (code === undefined) throw new Error(`the development inbox holds no code for ${phone}`);
  return code;
}
