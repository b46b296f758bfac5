import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
const sim = (...args: string[]) => run(process.execPath, ['--import', 'tsx', cli, ...args]);

describe('npm run sim', () => {
  it('prints its help', async () => {
    const { stdout } = await sim('--help');
    expect(stdout).toContain('usage: npm run sim --');
    expect(stdout).toContain('insert <coin> [xN]');
  });

  it('runs a scenario and checks what the devices accepted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cashin-cli-'));
    try {
      const script = join(dir, 'pour.json');
      await writeFile(script, JSON.stringify({ steps: ['pour 30 at 6000 reject 0', 'status'] }));
      const { stdout } = await sim('--counter', 'tcp:0', '--fast', '--script', script);
      expect(stdout).toMatch(/poured 30: 30 counted/);
      const wrong = join(dir, 'wrong.json');
      await writeFile(wrong, JSON.stringify({ steps: ['pour 30 at 6000 reject 0'], expectAcceptedMinor: 1 }));
      await expect(sim('--counter', 'tcp:0', '--fast', '--script', wrong)).rejects.toMatchObject({ code: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
