import path from 'node:path';
import { defineConfig } from 'vite';

// The kiosk UI: a static bundle the agent serves from 127.0.0.1. Relative asset paths, so it can be served
// from any folder; no source maps in the kiosk build.
export default defineConfig({
  root: path.join(import.meta.dirname, 'src/ui'),
  base: './',
  publicDir: false,
  build: {
    outDir: path.join(import.meta.dirname, 'dist/ui'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
