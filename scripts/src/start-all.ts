// `npm start`: the whole system on one machine. Until the kiosk issue lands, that is the server on its
// embedded SQLite database under ./data; the hardware simulator, the kiosk agent and the kiosk window join
// it here as they are built.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Supervisor, waitUntilReady } from './start/supervisor.js';

const root = path.resolve(import.meta.dirname, '../..');

// The one place start-all reads its environment: ports can be moved when 8080 is taken.
const env = z.object({ PORT: z.coerce.number().int().min(1).max(65_535).default(8080) }).parse(process.env);

const serverReadyTimeoutMs = 60_000;
const dataDir = path.join(root, 'data');
mkdirSync(dataDir, { recursive: true });

const supervisor = new Supervisor((name, code, signal) => {
  console.error(`\n${name} stopped unexpectedly (code ${code}, signal ${signal}); stopping everything.`);
  void shutdown(1);
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

const baseUrl = `http://127.0.0.1:${env.PORT}`;
supervisor.start({
  name: 'server',
  command: process.execPath,
  args: ['--import', 'tsx', path.join(root, 'server/src/main.ts')],
  cwd: root,
  env: {
    PORT: String(env.PORT),
    HOST: '127.0.0.1',
    DATABASE_PATH: path.join(dataDir, 'server.sqlite'),
    DEV_INBOX: 'on',
  },
});

if (!(await waitUntilReady(`${baseUrl}/readyz`, serverReadyTimeoutMs))) {
  console.error(`The server did not become ready within ${serverReadyTimeoutMs / 1000} s.`);
  await shutdown(1);
}

console.log(
  [
    '',
    '================================================================',
    ' Cash-in network is running (server only: the hardware simulator,',
    ' kiosk agent and kiosk UI join npm start when the kiosk lands).',
    '',
    ` Server API      ${baseUrl}/v1`,
    ` API docs        ${baseUrl}/docs`,
    ` Health          ${baseUrl}/healthz`,
    ` Metrics         ${baseUrl}/metrics`,
    ` Dev SMS inbox   ${baseUrl}/dev/inbox`,
    ` Database        ${path.join(dataDir, 'server.sqlite')}`,
    '',
    ' Press Ctrl-C to stop.',
    '================================================================',
    '',
  ].join('\n'),
);
