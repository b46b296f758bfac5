// `npm run kiosk:browser -- --agent-config data/kiosk/kiosk.json`: the kiosk without Electron. It starts
// the agent and supervises it as the Electron shell does, then shows the UI in Chromium's kiosk mode and
// restarts Chromium if it closes. With no display (a server, a CI box) it prints the UI address instead.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { realClock } from '@cashin/shared';
import { z } from 'zod';
import { AgentSupervisor } from './agent-supervisor.js';
import { chromiumKioskArgs, findChromium, hasDisplay } from './browser-kiosk.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
};
const options = z
  .object({
    agentConfig: z.string().min(1),
    uiPort: z.coerce.number().int().min(1).max(65_535),
    profileDir: z.string().min(1),
  })
  .parse({
    agentConfig: flag('agent-config') ?? process.env.KIOSK_CONFIG ?? 'data/kiosk/kiosk.json',
    uiPort: flag('ui-port') ?? process.env.KIOSK_UI_PORT ?? 8090,
    profileDir: flag('profile') ?? 'data/kiosk/chromium-profile',
  });

const clock = realClock();
const bridgeToken = randomBytes(32).toString('base64url');
const agentEntry = path.resolve(import.meta.dirname, '../agent/main.ts');
const supervisor = new AgentSupervisor({
  clock,
  restartBackoffMsMin: 500,
  restartBackoffMsMax: 30_000,
  stableRunMs: 60_000,
  stopGraceMs: 10_000,
  spawnAgent: () => {
    const child = spawn(process.execPath, ['--import', 'tsx', agentEntry, '--config', options.agentConfig], {
      stdio: 'inherit',
      env: { ...process.env, KIOSK_BRIDGE_TOKEN: bridgeToken, KIOSK_UI_PORT: String(options.uiPort) },
    });
    return { onExit: (listener) => child.once('exit', listener), kill: (signal) => child.kill(signal) };
  },
  onEvent: (event) => console.log(JSON.stringify({ component: 'browser-kiosk', ...event })),
});
supervisor.start();

const url = `http://127.0.0.1:${options.uiPort}/#token=${bridgeToken}`;
const chromium = findChromium(existsSync, process.env);
let browser: ReturnType<typeof spawn> | undefined;
let stopping = false;

function openBrowser(executable: string): void {
  browser = spawn(executable, chromiumKioskArgs({ url, userDataDir: path.resolve(options.profileDir) }), {
    stdio: 'ignore',
  });
  browser.once('exit', () => {
    if (!stopping) clock.setTimeout(() => openBrowser(executable), 1_000);
  });
}

if (!hasDisplay(process.env) || chromium === undefined) {
  console.log(`\nNo ${chromium ? 'display' : 'Chromium'} here. Open the kiosk UI at:\n  ${url}\n`);
} else {
  openBrowser(chromium);
}

const stop = (): void => {
  if (stopping) return;
  stopping = true;
  browser?.kill('SIGTERM');
  void supervisor.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
