import { execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';
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

  it('keeps its devices up without a terminal when told not to prompt, until SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--coin', 'tcp:0', '--no-prompt'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => /tcp:\/\/127\.0\.0\.1:(\d+)/.exec(output), { timeout: 20_000 }).not.toBeNull();
    // stdin is closed from the start; a prompting simulator would have exited by now. This one answers.
    const port = Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
    });
    expect(child.exitCode).toBeNull();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
