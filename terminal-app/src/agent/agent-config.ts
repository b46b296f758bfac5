import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CurrencyCodeSchema, DeviceConfigSchema, LanguageSchema } from '@cashin/shared';

/**
 * Whether a host name is this machine itself (127.0.0.0/8, ::1, localhost), where plain http never crosses
 * a network: the demo and the tests run the server there.
 */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * Whether the kiosk may talk to a server at this URL. Only over https, except on loopback: over plain http
 * anyone on the store's network can answer \`created\` to every sync, and the kiosk would mark deposits
 * synced that the server never saw. (Signing the server's answers would close that even without TLS; the
 * kiosk does not check them yet.)
 */
export function isAllowedServerUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname));
}

export const serverUrlProblem =
  'must be an https:// address (plain http:// only to this machine: 127.0.0.1, ::1 or localhost)';

/**
 * The agent's configuration, parsed once at start-up from its config file and command line, then passed
 * down: no other module reads the environment or argv. The terminal id is not configured: it comes from
 * enrollment and is kept in the data folder with the key.
 */
export const AgentConfigSchema = z.object({
  serverUrl: z.url({ protocol: /^https?$/, abort: true }).refine(isAllowedServerUrl, serverUrlProblem),
  dataDir: z.string().min(1),
  /** What receipts and the maintenance screen call this kiosk ("Store 12 entrance"). */
  terminalName: z.string().min(1).max(40),
  /** The kiosk's IANA time zone, for receipt times. */
  timeZone: z.string().min(1).max(64),
  currency: CurrencyCodeSchema,
  languages: z.array(LanguageSchema).min(1),
  devices: z.array(DeviceConfigSchema).max(16),
  /** The kiosk UI and bridge listen here, on 127.0.0.1 only. */
  uiPort: z.number().int().min(0).max(65_535).default(8090),
  /** The built kiosk UI; null serves only the bridge (headless kiosks, tests). */
  uiDir: z.string().nullable().default(null),
  /** A JSON file of limits laid over the defaults (see shared/limits). */
  limitsFile: z.string().nullable().default(null),
  /** scrypt hash of the technician PIN for maintenance mode, as `hashTechnicianPin` writes it. */
  technicianPinHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/),
  softwareVersion: z.string().min(1).max(40).default('0.1.0'),
  requestTimeoutMs: z.number().int().positive().default(10_000),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

export const AgentArgsSchema = z.object({
  configPath: z.string().min(1),
  enrollToken: z.string().min(16).max(128).optional(),
  bridgeToken: z.string().min(16).max(128).optional(),
});
export type AgentArgs = z.infer<typeof AgentArgsSchema>;

/** `agent --config kiosk.json [--enroll <token>]`; the shell passes the bridge token in the environment. */
export function parseAgentArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): AgentArgs {
  const flag = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return AgentArgsSchema.parse({
    configPath: flag('config') ?? env.KIOSK_CONFIG,
    enrollToken: flag('enroll'),
    bridgeToken: env.KIOSK_BRIDGE_TOKEN,
  });
}

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';

  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}:\n- ${problems.join('\n- ')}`);
  }
}

/** Reads and checks the config file; relative folders are taken from the file's own folder. */
export function loadAgentConfig(file: string): AgentConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AgentConfigError(file, [error instanceof Error ? error.message : String(error)]);
  }
  const parsed = AgentConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new AgentConfigError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const base = path.dirname(path.resolve(file));
  const config = parsed.data;
  const names = config.devices.map((device) => device.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new AgentConfigError(file, [`devices: the name "${duplicate}" is used twice`]);
  const foreign = config.devices.find((device) => device.currency !== config.currency);
  if (foreign)
    throw new AgentConfigError(file, [
      `devices: ${foreign.name} counts ${foreign.currency}, not ${config.currency}`,
    ]);
  return {
    ...config,
    dataDir: path.resolve(base, config.dataDir),
    uiDir: config.uiDir === null ? null : path.resolve(base, config.uiDir),
    limitsFile: config.limitsFile === null ? null : path.resolve(base, config.limitsFile),
  };
}
