import type { Clock } from '@cashin/shared';
import { EnrollResponseSchema, terminalApiPaths } from '@cashin/shared';
import { journalPathIn } from '../journal/database.js';
import { recordServerSequenceHigh } from '../journal/server-sequence-high.js';
import type { CallResult } from '../sync/signed-client.js';
import { readAnswer } from '../sync/signed-client.js';
import type { TerminalKey } from '../sync/terminal-key.js';
import type { TerminalIdentity } from './terminal-identity.js';
import { writeTerminalIdentity } from './terminal-identity.js';

/**
 * First start: present the one-time token from ops with the kiosk's public key. The only unsigned request
 * a terminal makes; the server answers with the terminal's id and its own answer-signing key, which the
 * kiosk pins: every request after is signed, and so is every answer the kiosk believes.
 *
 * The answer also carries the highest deposit sequence number the server holds for the terminal. A
 * replaced or reinstalled kiosk enrolls under its predecessor's terminal id with an empty journal, so that
 * number goes into the journal (in `dataDir`, where the agent opens it) before the identity is written:
 * an agent can only start once both are on disk, and then never numbers a deposit at or below it. A crash
 * in between leaves the kiosk not enrolled, and the retry (same key, same token) is answered the same.
 */
export async function enrollTerminal(options: {
  serverUrl: string;
  token: string;
  key: TerminalKey;
  softwareVersion: string;
  dataDir: string;
  clock: Clock;
  requestTimeoutMs: number;
  fetch?: typeof fetch;
}): Promise<CallResult<TerminalIdentity>> {
  const doFetch = options.fetch ?? fetch;
  let status: number;
  let text: string;
  try {
    const response = await doFetch(new URL(terminalApiPaths.enroll, options.serverUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: options.token,
        publicKey: options.key.publicKey,
        softwareVersion: options.softwareVersion,
      }),
      signal: AbortSignal.timeout(options.requestTimeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    return { ok: false, kind: 'unreachable', detail: error instanceof Error ? error.message : String(error) };
  }
  const answer = readAnswer(status, text, EnrollResponseSchema);
  if (!answer.ok) return answer;
  recordServerSequenceHigh(journalPathIn(options.dataDir), answer.value.sequenceHigh);
  const identity: TerminalIdentity = {
    terminalId: answer.value.terminalId,
    storeId: answer.value.storeId,
    currency: answer.value.currency,
    serverUrl: options.serverUrl,
    enrolledAtMs: options.clock.nowMs(),
    serverPublicKey: answer.value.serverPublicKey,
    // An older server lists no keys: the signing key alone.
    serverKeys: answer.value.serverKeys.length > 0 ? answer.value.serverKeys : [answer.value.serverPublicKey],
  };
  writeTerminalIdentity(options.dataDir, identity);
  return { ok: true, value: identity };
}
