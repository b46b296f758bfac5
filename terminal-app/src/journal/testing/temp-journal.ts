import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLimits } from '@cashin/shared';
import { Journal } from '../journal.js';
import type { SignBytes, VerifyBytes } from '@cashin/shared';
import { createReceiptSigner } from '../../receipt/receipt-signature.js';

/**
 * A real journal on a real SQLite file in a fresh temporary folder, signing receipts with a real Ed25519
 * key pair from node:crypto, as the agent will. Tests reopen the same file to simulate restarts.
 */
export interface TempJournal {
  path: string;
  terminalId: string;
  sign: SignBytes;
  verify: VerifyBytes;
  open(): Journal;
  cleanup(): void;
}

export function tempJournal(terminalId = 'kiosk-test-1'): TempJournal {
  const dir = mkdtempSync(join(tmpdir(), 'cashin-journal-'));
  const path = join(dir, 'journal.sqlite');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signBytes: SignBytes = (bytes) => new Uint8Array(sign(null, bytes, privateKey));
  const verifyBytes: VerifyBytes = (bytes, signature) => verify(null, bytes, publicKey, signature);
  return {
    path,
    terminalId,
    sign: signBytes,
    verify: verifyBytes,
    open: () =>
      Journal.open(path, {
        signReceipt: createReceiptSigner(terminalId, signBytes),
        syncBatchDepositsMax: defaultLimits.system.syncBatchDepositsMax,
      }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
