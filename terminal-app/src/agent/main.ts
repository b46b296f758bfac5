// `npm run agent -- --config kiosk.json [--enroll <token>]`: the terminal agent as a plain Node process.
// It parses its arguments and config once, enrolls on first start, and runs until SIGTERM. An impossible
// state crashes it on purpose: the shell restarts it and the journal recovers what was open.
import { pino } from 'pino';
import { realClock } from '@cashin/shared';
import { randomBytes } from 'node:crypto';
import type { AgentConfig } from './agent-config.js';
import { AgentConfigError, loadAgentConfig, parseAgentArgs } from './agent-config.js';
import { CurrencyMismatchError, JournalMissingError, startAgent } from './agent.js';
import { enrollTerminal } from './enroll.js';
import { readTerminalIdentity } from './terminal-identity.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';

const logger = pino({ name: 'agent' });
const args = parseAgentArgs(process.argv.slice(2), process.env);
// A config the agent cannot run with (a plain-http server address, say) is the tech's to fix: say what.
function configError(error: AgentConfigError): never {
  logger.error({ file: error.file, problems: error.problems }, 'the kiosk config needs fixing');
  process.exit(2);
}
let config: AgentConfig;
try {
  config = loadAgentConfig(args.configPath);
} catch (error) {
  if (!(error instanceof AgentConfigError)) throw error;
  configError(error);
}
const clock = realClock();

if (args.enrollToken !== undefined) {
  const { key } = loadOrCreateTerminalKey(config.dataDir);
  const enrolled = await enrollTerminal({
    serverUrl: config.serverUrl,
    token: args.enrollToken,
    key,
    softwareVersion: config.softwareVersion,
    dataDir: config.dataDir,
    clock,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  if (!enrolled.ok) {
    logger.error(enrolled, 'enrollment failed');
    process.exit(2);
  }
  logger.info({ terminalId: enrolled.value.terminalId }, 'enrolled');
} else if (readTerminalIdentity(config.dataDir) === null) {
  logger.error({ dataDir: config.dataDir }, 'not enrolled: start once with --enroll <token>');
  process.exit(2);
}

// Without a shell (a headless kiosk, a bench), the agent makes its own token and prints the UI address.
const bridgeToken = args.bridgeToken ?? randomBytes(32).toString('base64url');
const agent = await startAgent({ config, bridgeToken, clock, logger }).catch((error: unknown) => {
  // Taking money without knowing its deposit numbers, or in a currency the server does not hold for this
  // kiosk, would have every deposit answered as a conflict: it waits for the tech, saying what to do.
  if (error instanceof JournalMissingError) {
    logger.error({ journalPath: error.journalPath }, error.message);
    process.exit(2);
  }
  if (error instanceof AgentConfigError) configError(error);
  if (error instanceof CurrencyMismatchError) {
    const { code, configuredCurrency, enrolledCurrency } = error;
    logger.error({ code, configuredCurrency, enrolledCurrency }, error.message);
    process.exit(2);
  }
  throw error;
});
if (args.bridgeToken === undefined)
  logger.info({ url: `${agent.bridge.url}/#token=${bridgeToken}` }, 'kiosk UI');

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void agent.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
