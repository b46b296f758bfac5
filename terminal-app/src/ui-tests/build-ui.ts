import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KioskIntent } from '@cashin/shared';
import { build } from 'vite';
import type { BridgeServer } from '../agent/bridge-server.js';
import { startBridgeServer } from '../agent/bridge-server.js';
import type { ManualSnapshotSource } from '../testing/manual-snapshot-source.js';

/** Builds the kiosk UI with its real Vite config into a fresh folder, as the agent would serve it. */
export async function buildKioskUi(): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'kiosk-ui-'));
  await build({
    configFile: path.resolve(import.meta.dirname, '../../vite.config.ts'),
    build: { outDir, emptyOutDir: true },
    logLevel: 'silent',
  });
  return outDir;
}

/**
 * The kiosk UI as the shopper screens' tests serve it: freshly built, behind the real bridge server, fed by
 * `source` (a hand-driven snapshot source), with the agent's side of intents handed to `onIntent`.
 */
export async function serveKioskUi(
  token: string,
  source: ManualSnapshotSource,
  onIntent: (intent: KioskIntent) => void = () => undefined,
): Promise<BridgeServer> {
  return startBridgeServer({
    port: 0,
    token,
    uiDir: await buildKioskUi(),
    source,
    onIntent,
    messageBytesMax: 64 * 1024,
    helloTimeoutMs: 5_000,
    connectionsMax: 4,
  });
}
