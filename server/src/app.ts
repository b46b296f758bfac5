import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Clock, UuidV7Generator } from '@cashin/shared';
import { CodedError, createUuidV7Generator, maskCode, realClock } from '@cashin/shared';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { frameworkErrors, installErrorHandling } from './http/error-handler.js';
import { keyLegacyClaimHashes } from './claims/key-legacy-claim-hashes.js';
import { installMetrics } from './http/metrics.js';
import { installNulGuard } from './http/nul-guard.js';
import { installRoles } from './http/roles.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { barcodeRoutes } from './routes/barcode-routes.js';
import { depositRoutes } from './routes/deposit-routes.js';
import { familyRoutes } from './routes/family-routes.js';
import { opsFleetRoutes } from './routes/ops-fleet-routes.js';
import { opsMoneyRoutes } from './routes/ops-money-routes.js';
import { opsRoutes } from './routes/ops-routes.js';
import { opsStaffRoutes } from './routes/ops-staff-routes.js';
import { receiptRoutes } from './routes/receipt-routes.js';
import { shopperRoutes } from './routes/shopper-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { terminalRoutes } from './routes/terminal-routes.js';
import { installAnswerSigning, serverKeyList, serverSigningKeyFromSeed } from './terminals/answer-signing.js';
import { tillRoutes } from './routes/till-routes.js';
import { sweepTerminals, terminalSweepIntervalMs } from './alerts/terminal-sweep.js';
import type { MessageSender } from './shoppers/message-sender.js';
import { DevInboxSender, UnconfiguredSender } from './shoppers/message-sender.js';
import { SmsProviderSender } from './shoppers/sms-providers.js';
import type { Db } from './storage/db.js';
import type { WebPluginOptions } from './web/web-plugin.js';
import { webAppsPlugin } from './web/web-plugin.js';

/**
 * Paths the logger blanks. Fastify logs no bodies by default; these cover headers and anything a handler
 * might log by mistake. Codes are logged masked by the handlers themselves.
 */
export const logRedactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.otp',
  '*.token',
  '*.signUpToken',
  '*.pin',
  '*.claimCode',
  '*.code',
  '*.phone',
];

export interface AppDeps {
  readonly db: Db;
  readonly clock?: Clock;
  readonly newId?: UuidV7Generator;
  readonly messageSender?: MessageSender;
  /** Tests pass a silent or captured logger. */
  readonly logger?: Logger;
  /** Where the built web apps are (/wallet, /till, /ops); the default is server/dist/web. */
  readonly web?: WebPluginOptions;
}

/** Digit runs as long as a code are masked in URLs before they reach the log (barcode URLs carry codes). */
export function maskCodesInText(text: string): string {
  return text.replace(/\d{12,20}/g, (digits) => maskCode(digits));
}

/**
 * A request URL as the log may show it: digit runs as long as a code masked in the path (barcode URLs carry
 * codes), and the query by its keys alone, since a client may put anything in a query value (a PIN, a
 * one-time code) and no route needs those values logged to be traced.
 */
export function loggableUrl(url: string): string {
  const cut = url.indexOf('?');
  if (cut < 0) return maskCodesInText(url);
  const keys = url
    .slice(cut + 1)
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair) => `${maskCodesInText(pair.split('=')[0] ?? '')}=*`);
  return `${maskCodesInText(url.slice(0, cut))}?${keys.join('&')}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
}

/** The server's logger: leveled, with secrets redacted and codes masked; `destination` is for tests. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: logRedactPaths, censor: '[redacted]' },
    serializers: {
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: loggableUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
      }),
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * Every process sweeps for silent terminals, old nonces and long-expired sessions on a timer; the sweep is safe to run in
 * several processes at once (alerts/terminal-sweep.ts). Unref'd, and stopped when the app closes.
 */
function installTerminalSweep(app: FastifyInstance, deps: Deps): void {
  const timer = setInterval(() => {
    sweepTerminals(deps).catch((error: unknown) =>
      deps.logger.error({ err: error }, 'terminal sweep failed'),
    );
  }, terminalSweepIntervalMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

/** The whole server, ready for `inject` or `listen`. The caller owns `deps.db` and closes it. */
export async function buildApp(config: Config, appDeps: AppDeps): Promise<FastifyInstance> {
  const logger = appDeps.logger ?? createLogger(config);
  const clock = appDeps.clock ?? realClock();
  const newId = appDeps.newId ?? createUuidV7Generator(() => clock.nowMs());
  const deps: Deps = {
    db: appDeps.db,
    clock,
    limits: config.limits,
    newId,
    messageSender:
      appDeps.messageSender ??
      (config.smsProvider !== undefined
        ? new SmsProviderSender(config.smsProvider, logger)
        : config.devInboxEnabled
          ? new DevInboxSender(appDeps.db, newId, () => clock.nowMs(), logger)
          : new UnconfiguredSender(logger)),
    claimCodeSecret: config.claimCodeSecret,
    logger,
  };
  // Claim code hashes stored before they were keyed are keyed before anything is answered.
  const keyed = await keyLegacyClaimHashes(deps.db, config.claimCodeSecret);
  if (keyed.claims + keyed.kioskDeposits > 0) logger.info(keyed, 'claim code hashes keyed');

  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.limits.system.httpBodyBytesMax,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    frameworkErrors,
    // request.ip is the client behind a trusted proxy, else the connection's address (config.ts).
    ...(config.trustedProxies.length > 0 ? { trustProxy: [...config.trustedProxies] } : {}),
  });
  // The API speaks JSON only; any other body type is refused with 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    done(null, payload);
  });
  const signingKey = serverSigningKeyFromSeed(config.serverSigningSeed);
  installAnswerSigning(app, signingKey);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Cash-in network server', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  const swaggerCsp = (app as unknown as { swaggerCSP: { script: string[]; style: string[] } }).swaggerCSP;
  installSecurityHeaders(app, {
    contentSecurityPolicy: {
      // Laid over helmet's default directives; swagger-ui's static CSP hashes let /docs run its scripts.
      directives: {
        'img-src': ["'self'", 'data:'],
        'script-src': ["'self'", ...swaggerCsp.script],
        'style-src': ["'self'", ...swaggerCsp.style],
      },
    },
  });
  // Per-process counters: a coarse flood guard per client IP. The limits that guard secrets (OTP guesses,
  // code lookups) are counted in the database, where every server process shares them.
  await app.register(rateLimit, {
    max: config.httpRequestsPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      new CodedError('RATE_LIMITED', { retryAfterMs: context.ttl }),
  });

  const metrics = installMetrics(app, deps.db);
  installRoles(app, config, deps);
  installNulGuard(app);
  await app.register(systemRoutes(deps, metrics, config.devInboxEnabled));
  await app.register(shopperRoutes(deps));
  await app.register(depositRoutes(deps, metrics));
  await app.register(opsRoutes(deps));
  await app.register(opsStaffRoutes(deps));
  await app.register(barcodeRoutes());
  const serverKeys = serverKeyList(signingKey, config.serverTrustedKeys);
  await app.register(terminalRoutes(deps, serverKeys));
  await app.register(opsFleetRoutes(deps, serverKeys));
  await app.register(opsMoneyRoutes(deps));
  await app.register(receiptRoutes(deps));
  await app.register(tillRoutes(deps));
  await app.register(familyRoutes(deps));
  installTerminalSweep(app, deps);
  await app.register(webAppsPlugin, appDeps.web ?? {});
  return app;
}
