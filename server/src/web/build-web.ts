import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import type { WebApp } from './vite.config.js';
import { webAppViteConfig, webApps, webDistDir } from './vite.config.js';

/** Builds the given apps (all by default) into `outRoot/<app>`; returns `outRoot`. */
export async function buildWebApps(
  outRoot: string = webDistDir,
  apps: readonly WebApp[] = webApps,
): Promise<string> {
  // One at a time: three parallel Rolldown builds on a 2-core machine are no faster and use more memory.
  for (const app of apps) await build(webAppViteConfig(app, outRoot));
  return outRoot;
}

/** For tests: a fresh build into a temp folder, as the server would serve it. */
export async function buildWebAppsToTemp(apps: readonly WebApp[] = webApps): Promise<string> {
  return buildWebApps(mkdtempSync(path.join(tmpdir(), 'cashin-web-')), apps);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outRoot = await buildWebApps();
  console.log(`built ${webApps.join(', ')} into ${outRoot}`);
}
