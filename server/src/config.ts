import { readFileSync } from 'node:fs';
import type { Limits } from '@cashin/shared';
import { loadLimits } from '@cashin/shared';
import { z } from 'zod';

/** Requests per minute per client IP that @fastify/rate-limit allows before answering RATE_LIMITED. */
export const httpRequestsPerMinuteDefault = 6_000;

const developmentClaimSecret = 'development-only-claim-code-secret-do-not-use-in-production';

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
  DEV_INBOX: z.enum(['on', 'off']).optional(),
  /**
   * On SQLite, commit the common deposit in a writer thread with its own connection (storage/sqlite/
   * writer-lane.ts) so the main thread serves HTTP during the fsync. Paired bench:server runs on the
   * shared 2-core machine: at load average 4-7 on beat off 4,234 vs 3,294 and 3,536 vs 2,277 deposits/s
   * (230 vs 252 and 247 vs 281 us of CPU per request); at load 10-13 off won, 1,654 vs 795, the thread
   * handoffs then costing more than the overlap saved. 'off' commits on the main thread.
   */
  SQLITE_WRITER_THREAD: z.enum(['on', 'off']).default('on'),
  HTTP_REQUESTS_PER_MINUTE: z.coerce.number().int().positive().default(httpRequestsPerMinuteDefault),
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
  readonly devInboxEnabled: boolean;
  readonly sqliteWriterThread: boolean;
  readonly httpRequestsPerMinute: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
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
    devInboxEnabled: (e.DEV_INBOX ?? (e.NODE_ENV === 'production' ? 'off' : 'on')) === 'on',
    httpRequestsPerMinute: e.HTTP_REQUESTS_PER_MINUTE,
    sqliteWriterThread: e.SQLITE_WRITER_THREAD === 'on',
  };
}
