import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// The Electron binary cannot run here, so this proves the next best thing: the shell bundles the way the
// packaging step bundles it, and at run time it needs nothing but Electron and Node's own modules.
describe('the Electron shell bundle', () => {
  it('bundles main.ts with only electron and Node built-ins left external', async () => {
    const result = await build({
      entryPoints: [path.join(import.meta.dirname, 'main.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['electron'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.inputs).flatMap((input) =>
      input.imports.filter((entry) => entry.external).map((entry) => entry.path),
    );
    const allowed = new Set(['electron', ...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    expect(imports.filter((name) => !allowed.has(name))).toEqual([]);
    expect(imports).toContain('electron');
    // Nothing of the agent's native modules is pulled into the window process.
    const inputs = Object.keys(result.metafile.inputs).join('\n');
    expect(inputs).not.toMatch(/better-sqlite3|serialport|node-hid/);
  });
});
