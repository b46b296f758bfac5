import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';

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
