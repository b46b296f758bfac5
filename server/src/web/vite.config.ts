import path from 'node:path';
import type { InlineConfig } from 'vite';

/** The three web apps the server serves, each under its own path. */
export const webApps = ['wallet', 'till', 'ops'] as const;
export type WebApp = (typeof webApps)[number];

/** Where the apps' sources live (browser code, its own lint zone and tsconfig). */
export const webSourceDir = path.resolve(import.meta.dirname, '../../web');

/** Where `npm run build:web` puts them, one folder per app; the serving plugin reads from here by default. */
export const webDistDir = path.resolve(import.meta.dirname, '../../dist/web');

/**
 * One Vite configuration per app rather than one multi-page build: each app is served from its own path
 * with its own cache lifetime, and the wallet's bundle (the one that must stay small for cheap phones on
 * slow data) holds only what the wallet imports.
 */
export function webAppViteConfig(app: WebApp, outRoot: string = webDistDir): InlineConfig {
  return {
    configFile: false,
    root: path.join(webSourceDir, app),
    base: `/${app}/`,
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir: path.join(outRoot, app),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      // The polyfill would be the only inline script; the Content-Security-Policy allows none, and every
      // browser the apps target preloads modules natively.
      modulePreload: { polyfill: false },
      // Small assets are inlined as data: URLs by default; keep them as files so the CSP stays simple.
      assetsInlineLimit: 0,
      rolldownOptions: {
        // The shared package is pure declarations (schemas, tables, functions): what an app does not
        // import can be dropped even though building a zod schema looks like a call with effects.
        treeshake: { moduleSideEffects: (id: string) => !/[\\/]shared[\\/]src[\\/]/.test(id) },
      },
    },
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  };
}
