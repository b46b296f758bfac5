import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CurrencyCodeSchema, Ed25519PublicKeySchema, TerminalIdSchema, serverKeysMax } from '@cashin/shared';

/**
 * Who this kiosk is to the server, as enrollment answered. Kept beside the key in the data folder; without
 * it the agent cannot sign requests and must be enrolled first.
 */
export const TerminalIdentitySchema = z.object({
  terminalId: TerminalIdSchema,
  storeId: z.string().min(1),
  currency: CurrencyCodeSchema,
  serverUrl: z.string().min(1),
  enrolledAtMs: z.number().int(),
  /**
   * The server's answer-signing key as enrollment answered it: the kiosk believes only answers signed by
   * it (sync/signed-client.ts). Absent in an identity written before the server signed its answers.
   */
  serverPublicKey: Ed25519PublicKeySchema.optional(),
  /**
   * Every server key the kiosk believes, as the last enrollment or heartbeat answer listed them (a rollover
   * of the server's key adds the next one, then drops the old). Absent in an identity written before keys
   * could roll over: then `serverPublicKey` alone.
   */
  serverKeys: z.array(Ed25519PublicKeySchema).min(1).max(serverKeysMax).optional(),
});
export type TerminalIdentity = z.infer<typeof TerminalIdentitySchema>;

/** The server keys an identity believes, or null when it checks nothing (enrolled before answers were signed). */
export function pinnedServerKeys(identity: TerminalIdentity): readonly string[] | null {
  if (identity.serverKeys !== undefined) return identity.serverKeys;
  return identity.serverPublicKey === undefined ? null : [identity.serverPublicKey];
}

export const terminalIdentityFile = 'terminal.json';

export function readTerminalIdentity(dataDir: string): TerminalIdentity | null {
  const file = path.join(dataDir, terminalIdentityFile);
  if (!existsSync(file)) return null;
  return TerminalIdentitySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function writeTerminalIdentity(dataDir: string, identity: TerminalIdentity): void {
  const file = path.join(dataDir, terminalIdentityFile);
  const partial = `${file}.partial`;
  writeFileSync(partial, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
}
