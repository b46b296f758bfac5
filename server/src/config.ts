import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Limits } from '@cashin/shared';
import { Ed25519PublicKeySchema, loadLimits, serverKeysMax } from '@cashin/shared';
import { z } from 'zod';
import type { SmsProviderConfig } from './shoppers/sms-providers.js';

/** Requests per minute per client IP that @fastify/rate-limit allows before answering RATE_LIMITED. */
export const httpRequestsPerMinuteDefault = 6_000;

const developmentClaimSecret = 'development-only-claim-code-secret-do-not-use-in-production';
/** Outside production, the answer-signing key is this text's SHA-256: known to all, so never for money. */
const developmentSigningSeedText = 'development-only-server-signing-key-do-not-use-in-production';

/** An IPv4 or IPv6 address, or such an address with a prefix length (a CIDR range). */
function isAddressOrRange(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

const LogLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** The environment, as read once at start-up. Every other module gets the parsed Config passed in. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_PATH: z.string().min(1).default('./data/server.sqlite'),
  DATABASE_URL: z.url().optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional(),
  LOG_LEVEL: LogLevelSchema.default('info'),
  LIMITS_FILE: z.string().min(1).optional(),
  /** The bearer token of the ops role (issue 4 replaces it with ops accounts); unset disables ops routes. */
  OPS_TOKEN: z.string().min(24).optional(),
  /** Derives claim codes from deposit ids, so a replayed suspense deposit answers the same claim code. */
  CLAIM_CODE_SECRET: z.string().min(32).optional(),
  /**
   * The seed of the server's Ed25519 answer-signing key: 32 random bytes, unpadded base64url (43
   * characters). Every server process gets the same one; kiosks pin its public key at enrollment.
   */
  SERVER_SIGNING_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, '32 random bytes as unpadded base64url (43 characters)')
    .optional(),
  /**
   * Other server keys kiosks are to believe besides the signing key's: Ed25519 public keys (43 characters
   * each), separated by commas. How the signing key is rolled over without enrolling every kiosk again:
   * first the next key's public half is listed here (heartbeat answers hand it to every kiosk); once the
   * ops API shows every kiosk holds it, SERVER_SIGNING_KEY becomes the next seed with the old public key
   * listed here while processes restart; then the list is emptied.
   */
  SERVER_TRUSTED_KEYS: z
    .string()
    .transform((text) => text.split(',').map((part) => part.trim()))
    .pipe(z.array(Ed25519PublicKeySchema).max(serverKeysMax - 1))
    .optional(),
  DEV_INBOX: z.enum(['on', 'off']).optional(),
  /**
   * Where one-time codes are texted (shoppers/sms-providers.ts). Unset: the development inbox where it is
   * on, else nowhere (asking for a code answers SERVICE_UNAVAILABLE).
   */
  SMS_PROVIDER: z.enum(['twilio', 'webhook']).optional(),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-f]{32}$/, 'an Account SID: AC and 32 hex digits')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  /** The sender: an E.164 number, or a Messaging Service SID. */
  TWILIO_FROM: z
    .string()
    .regex(/^(\+[1-9]\d{6,14}|MG[0-9a-f]{32})$/, 'an E.164 number or a Messaging Service SID (MG...)')
    .optional(),
  TWILIO_API_BASE_URL: z.url().default('https://api.twilio.com'),
  SMS_WEBHOOK_URL: z.url().optional(),
  SMS_WEBHOOK_TOKEN: z.string().min(24).optional(),
  /**
   * On SQLite, commit the common deposit in a writer thread with its own connection (storage/sqlite/
   * writer-lane.ts) so the main thread serves HTTP during the fsync. Paired bench:server runs on the
   * shared 2-core machine: at load average 4-7 on beat off 4,234 vs 3,294 and 3,536 vs 2,277 deposits/s
   * (230 vs 252 and 247 vs 281 us of CPU per request); at load 10-13 off won, 1,654 vs 795, the thread
   * handoffs then costing more than the overlap saved. 'off' commits on the main thread.
   */
  SQLITE_WRITER_THREAD: z.enum(['on', 'off']).default('on'),
  HTTP_REQUESTS_PER_MINUTE: z.coerce.number().int().positive().default(httpRequestsPerMinuteDefault),
  /**
   * The reverse proxies in front of the server, as addresses or CIDR ranges separated by commas: their
   * X-Forwarded-For names the client. Unset, the client is the connection's own address, as it must be
   * when nothing trusted stands in front (anyone could write the header). Behind a proxy it must be set,
   * or every client shares the proxy's address in the per-client limits (rate limits, code sends).
   */
  TRUST_PROXY: z
    .string()
    .transform((text) => text.split(',').map((part) => part.trim()))
    .refine((parts) => parts.every(isAddressOrRange), 'addresses or CIDR ranges separated by commas')
    .optional(),
});

export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  readonly storage:
    | { readonly kind: 'sqlite'; readonly path: string }
    | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };
  readonly logLevel: z.infer<typeof LogLevelSchema>;
  readonly limits: Limits;
  readonly opsToken: string | undefined;
  readonly claimCodeSecret: string;
  /** The seed of the answer-signing key (terminals/answer-signing.ts). */
  readonly serverSigningSeed: Buffer;
  /** SERVER_TRUSTED_KEYS: public keys kiosks believe besides the signing key's (a rollover). */
  readonly serverTrustedKeys: readonly string[];
  readonly devInboxEnabled: boolean;
  /** The SMS provider one-time codes go through; undefined: the development inbox, or none. */
  readonly smsProvider: SmsProviderConfig | undefined;
  readonly sqliteWriterThread: boolean;
  readonly httpRequestsPerMinute: number;
  /** The trusted reverse proxies (TRUST_PROXY); empty when none. */
  readonly trustedProxies: readonly string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The SMS provider the environment names, with every setting it needs, or a ConfigError naming those missing. */
function smsProviderOf(e: z.infer<typeof EnvSchema>): SmsProviderConfig | undefined {
  const required = (names: Record<string, string | undefined>): Record<string, string> => {
    const missing = Object.keys(names).filter((name) => names[name] === undefined);
    if (missing.length > 0)
      throw new ConfigError(`SMS_PROVIDER=${e.SMS_PROVIDER ?? ''} needs ${missing.join(', ')}`);
    return names as Record<string, string>;
  };
  // Credentials and codes cross the network to the provider: in production only over TLS.
  const addresses = { SMS_WEBHOOK_URL: e.SMS_WEBHOOK_URL, TWILIO_API_BASE_URL: e.TWILIO_API_BASE_URL };
  for (const [name, address] of Object.entries(addresses)) {
    if (e.NODE_ENV === 'production' && address !== undefined && !address.startsWith('https://'))
      throw new ConfigError(`${name} must be an https:// address in production`);
  }
  switch (e.SMS_PROVIDER) {
    case undefined:
      return undefined;
    case 'twilio': {
      const set = required({
        TWILIO_ACCOUNT_SID: e.TWILIO_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: e.TWILIO_AUTH_TOKEN,
        TWILIO_FROM: e.TWILIO_FROM,
      });
      return {
        kind: 'twilio',
        accountSid: set['TWILIO_ACCOUNT_SID']!,
        authToken: set['TWILIO_AUTH_TOKEN']!,
        from: set['TWILIO_FROM']!,
        apiBaseUrl: e.TWILIO_API_BASE_URL,
      };
    }
    case 'webhook': {
      const set = required({ SMS_WEBHOOK_URL: e.SMS_WEBHOOK_URL, SMS_WEBHOOK_TOKEN: e.SMS_WEBHOOK_TOKEN });
      return { kind: 'webhook', url: set['SMS_WEBHOOK_URL']!, token: set['SMS_WEBHOOK_TOKEN']! };
    }
  }
}

/** Parses the environment (and the limits file it names); throws ConfigError naming every problem. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    );
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.CLAIM_CODE_SECRET === undefined) {
    throw new ConfigError('CLAIM_CODE_SECRET is required in production');
  }
  if (e.NODE_ENV === 'production' && e.SERVER_SIGNING_KEY === undefined) {
    throw new ConfigError('SERVER_SIGNING_KEY is required in production');
  }
  const smsProvider = smsProviderOf(e);
  let limitsOverride: unknown = {};
  if (e.LIMITS_FILE !== undefined) {
    try {
      limitsOverride = JSON.parse(readFileSync(e.LIMITS_FILE, 'utf8')) as unknown;
    } catch (error) {
      throw new ConfigError(`LIMITS_FILE ${e.LIMITS_FILE} is not readable JSON: ${String(error)}`);
    }
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    storage:
      e.DATABASE_URL !== undefined
        ? {
            kind: 'postgres',
            url: e.DATABASE_URL,
            ...(e.DATABASE_SCHEMA ? { schema: e.DATABASE_SCHEMA } : {}),
          }
        : { kind: 'sqlite', path: e.DATABASE_PATH },
    logLevel: e.LOG_LEVEL,
    limits: loadLimits(limitsOverride),
    opsToken: e.OPS_TOKEN,
    claimCodeSecret: e.CLAIM_CODE_SECRET ?? developmentClaimSecret,
    serverSigningSeed:
      e.SERVER_SIGNING_KEY !== undefined
        ? Buffer.from(e.SERVER_SIGNING_KEY, 'base64url')
        : createHash('sha256').update(developmentSigningSeedText).digest(),
    serverTrustedKeys: e.SERVER_TRUSTED_KEYS ?? [],
    smsProvider,
    // The inbox shows every one-time code to whoever asks: only when asked for (npm start does), or in
    // tests. Even then it answers only requests from this machine (system-routes.ts).
    devInboxEnabled: (e.DEV_INBOX ?? (e.NODE_ENV === 'test' ? 'on' : 'off')) === 'on',
    httpRequestsPerMinute: e.HTTP_REQUESTS_PER_MINUTE,
    trustedProxies: e.TRUST_PROXY ?? [],
    sqliteWriterThread: e.SQLITE_WRITER_THREAD === 'on',
  };
}
