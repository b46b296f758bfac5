// `npm start`: the whole cash-in network on one machine, with demo data. The server on its embedded SQLite
// database under ./data, the hardware simulator, the kiosk agent wired to it, and the kiosk window
// (Electron if it is installed, else Chromium when there is a display, else just the URL). One banner
// lists every address and demo credential. Ctrl-C or SIGTERM stops everything cleanly.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatCode, parseCode } from '@cashin/shared';
import { writeSimulatedKioskConfig } from '@cashin/terminal-app/agent/simulated-kiosk-config.js';
import { demoStaff, ensureDemo, ensureDemoStaff } from './start/demo-seed.js';
import { Supervisor, waitUntilReady } from './start/supervisor.js';

const root = path.resolve(import.meta.dirname, '../..');

// The one place start-all reads its environment: ports can be moved when they are taken.
const env = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65_535).default(8080),
    KIOSK_UI_PORT: z.coerce.number().int().min(1).max(65_535).default(8090),
    SIM_BASE_PORT: z.coerce.number().int().min(1).max(65_530).default(7001),
    CASHIN_DATA_DIR: z.string().min(1).optional(),
    DISPLAY: z.string().optional(),
    WAYLAND_DISPLAY: z.string().optional(),
  })
  .parse(process.env);

const readyTimeoutMs = 90_000;
const dataDir = path.resolve(env.CASHIN_DATA_DIR ?? path.join(root, 'data'));
const kioskDir = path.join(dataDir, 'kiosk');
mkdirSync(kioskDir, { recursive: true, mode: 0o700 });
const tsx = ['--import', 'tsx'];
const interactive = Boolean(process.stdin.isTTY);

function step(text: string): void {
  console.log(`\n==> ${text}`);
}

/** Runs a command to completion (the UI builds), echoing its output only if it fails. */
function runOnce(args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed:\n${output}`))));
  });
}

function secret(file: string): string {
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const supervisor = new Supervisor((name, code, signal) => {
  console.error(`\n${name} stopped (code ${code}, signal ${signal}); stopping everything.`);
  void shutdown(code === 0 ? 0 : 1);
});
let shuttingDown = false;
async function shutdown(exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`\nStopping ${supervisor.running.join(', ') || 'nothing'}...`);
  await supervisor.stop();
  process.exit(exitCode);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

step('Building the kiosk UI and the web apps');
await runOnce(
  ['node_modules/vite/bin/vite.js', 'build', '--config', 'terminal-app/vite.config.ts', '--logLevel', 'warn'],
  'the kiosk UI build',
);
await runOnce([...tsx, 'server/src/web/build-web.ts'], 'the web apps build');

step('Starting the server');
const baseUrl = `http://127.0.0.1:${env.PORT}`;
const opsToken = secret(path.join(dataDir, 'ops-token'));
supervisor.start({
  name: 'server',
  command: process.execPath,
  args: [...tsx, path.join(root, 'server/src/main.ts')],
  cwd: root,
  env: {
    PORT: String(env.PORT),
    HOST: '127.0.0.1',
    DATABASE_PATH: path.join(dataDir, 'server.sqlite'),
    DEV_INBOX: 'on',
    OPS_TOKEN: opsToken,
    LOG_LEVEL: 'warn',
  },
});
if (!(await waitUntilReady(`${baseUrl}/readyz`, readyTimeoutMs))) {
  console.error(`The server did not become ready within ${readyTimeoutMs / 1000} s.`);
  await shutdown(1);
}

step('Demo data');
const { demo, fresh } = await ensureDemo({ baseUrl, opsToken, file: path.join(dataDir, 'demo.json') });
await ensureDemoStaff({ baseUrl, opsToken });
if (fresh && existsSync(path.join(kioskDir, 'data'))) {
  // The server's database is new, so the kiosk's old enrollment means nothing to it: start the kiosk over.
  rmSync(path.join(kioskDir, 'data'), { recursive: true, force: true });
}

step('Starting the hardware simulator');
const simPorts = {
  coin: env.SIM_BASE_PORT,
  bill: env.SIM_BASE_PORT + 1,
  scanner: env.SIM_BASE_PORT + 2,
  printer: env.SIM_BASE_PORT + 3,
};
supervisor.start({
  name: 'sim',
  command: process.execPath,
  args: [
    ...tsx,
    path.join(root, 'hardware-sim/src/cli.ts'),
    ...Object.entries(simPorts).flatMap(([device, port]) => [`--${device}`, `tcp:${port}`]),
    '--receipts',
    path.join(dataDir, 'receipts'),
    ...(interactive ? [] : ['--no-prompt']),
  ],
  cwd: root,
  stdin: interactive ? 'inherit' : 'ignore',
});

step('Starting the kiosk agent');
const kioskConfigFile = path.join(kioskDir, 'kiosk.json');
writeSimulatedKioskConfig(kioskConfigFile, {
  serverUrl: baseUrl,
  deviceUrls: Object.fromEntries(
    Object.entries(simPorts).map(([device, port]) => [device, `tcp://127.0.0.1:${port}`]),
  ),
  uiDir: path.join(root, 'terminal-app/dist/ui'),
  uiPort: env.KIOSK_UI_PORT,
  terminalName: 'Demo kiosk',
  technicianPin: demo.technicianPin,
});
const enrolled = existsSync(path.join(kioskDir, 'data', 'terminal.json'));
const bridgeToken = randomBytes(32).toString('base64url');
supervisor.start({
  name: 'agent',
  command: process.execPath,
  args: [
    ...tsx,
    path.join(root, 'terminal-app/src/agent/main.ts'),
    '--config',
    kioskConfigFile,
    ...(enrolled ? [] : ['--enroll', demo.enrollmentToken]),
  ],
  cwd: root,
  env: { KIOSK_BRIDGE_TOKEN: bridgeToken, LOG_LEVEL: 'warn' },
});
const kioskUrl = `http://127.0.0.1:${env.KIOSK_UI_PORT}/#token=${bridgeToken}`;
if (!(await waitUntilReady(`http://127.0.0.1:${env.KIOSK_UI_PORT}/`, readyTimeoutMs))) {
  console.error('The kiosk agent did not come up.');
  await shutdown(1);
}

step('The kiosk window');
const electron = path.join(root, 'node_modules/electron/dist/electron');
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) =>
  existsSync(p),
);
// Without a display nothing opens: the banner says to open the address it already prints.
let window = 'open it in a browser';
if (env.DISPLAY || env.WAYLAND_DISPLAY) {
  if (existsSync(electron)) {
    // Electron is present (a packaging machine): it shows the same UI; the agent above keeps running it.
    supervisor.start({ name: 'window', command: electron, args: [`--app=${kioskUrl}`], cwd: root });
    window = 'Electron window';
  } else if (chromium) {
    const profile = path.join(kioskDir, 'chromium-profile');
    supervisor.start({
      name: 'window',
      command: chromium,
      args: [
        `--app=${kioskUrl}`,
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
        `--user-data-dir=${profile}`,
      ],
      cwd: root,
    });
    window = 'Chromium window';
  }
}

const code = parseCode(demo.depositCode);
console.log(
  [
    '',
    '==================================================================================',
    ' Cash-in network is running on this machine.',
    '',
    ` Kiosk UI          ${kioskUrl}   (${window})`,
    ` Shopper wallet    ${baseUrl}/wallet`,
    ` Clerk till        ${baseUrl}/till`,
    ` Ops console       ${baseUrl}/ops`,
    ` Dev SMS inbox     ${baseUrl}/dev/inbox   (one-time codes land here)`,
    ` API and docs      ${baseUrl}/v1  ${baseUrl}/docs`,
    ` Health, metrics   ${baseUrl}/healthz  ${baseUrl}/metrics`,
    '',
    ' Demo credentials',
    `   shopper         ${demo.shopperName}, phone ${demo.shopperPhone}`,
    `   deposit code    ${code.ok ? formatCode(code.code) : demo.depositCode}`,
    `   clerk           store ${demo.storeId}, clerk ${demo.clerkId}, PIN ${demo.clerkPin}`,
    `   ops staff       user ${demoStaff.username}, password ${demoStaff.password}`,
    `   ops token       ${opsToken}   (service token, also in data/ops-token)`,
    `   kiosk           terminal ${demo.terminalId}, technician PIN ${demo.technicianPin}`,
    '',
    ` Hardware simulator on TCP ${simPorts.coin}-${simPorts.printer}${
      interactive
        ? ': type at the sim> prompt ("help", "insert 25", "bill 5", "scan <code>")'
        : ' (no terminal: no prompt)'
    }`,
    ` Data              ${dataDir}`,
    '',
    ' Press Ctrl-C to stop everything.',
    '==================================================================================',
    '',
  ].join('\n'),
);
