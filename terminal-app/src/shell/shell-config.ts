import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * The shell's configuration, parsed once from its command line and environment. The shell starts the
 * agent with the system's Node (not Electron's: the agent's SQLite addon is built for Node's ABI) and hands
 * both the agent and the window the same per-boot bridge token.
 */
export const ShellConfigSchema = z.object({
  nodePath: z.string().min(1).default('node'),
  agentEntry: z.string().min(1),
  agentArgs: z.array(z.string()).default([]),
  uiPort: z.coerce.number().int().min(1).max(65_535).default(8090),
  kiosk: z.boolean().default(true),
  restartBackoffMsMin: z.number().int().positive().default(500),
  restartBackoffMsMax: z.number().int().positive().default(30_000),
  stableRunMs: z.number().int().positive().default(60_000),
  stopGraceMs: z.number().int().positive().default(10_000),
  rendererReloadsPerWindowMax: z.number().int().positive().default(5),
  rendererReloadWindowMs: z.number().int().positive().default(60_000),
});
export type ShellConfig = z.infer<typeof ShellConfigSchema> & { bridgeToken: string };

export function parseShellConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ShellConfig {
  const flag = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const parsed = ShellConfigSchema.parse({
    nodePath: flag('node') ?? env.KIOSK_NODE_PATH,
    agentEntry: flag('agent') ?? env.KIOSK_AGENT_ENTRY,
    uiPort: flag('ui-port') ?? env.KIOSK_UI_PORT,
    kiosk: !argv.includes('--windowed'),
  });
  return { ...parsed, bridgeToken: randomBytes(32).toString('base64url') };
}

/** The address the window opens: the agent's UI, with the bridge token in the fragment (never sent). */
export function kioskUiUrl(config: Pick<ShellConfig, 'uiPort' | 'bridgeToken'>): string {
  return `http://127.0.0.1:${config.uiPort}/#token=${config.bridgeToken}`;
}
