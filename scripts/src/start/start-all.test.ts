import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { freeTcpPort } from '../testing/free-port.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReviewListSchema, StaffSessionSchema, opsApiPaths } from '@cashin/shared';
import { launchChromium } from '../testing/browser.js';

const root = path.resolve(import.meta.dirname, '../../..');

// What a new user gets from `npm start`: the whole system from an empty data folder, the banner's kiosk
// address showing the attract screen, the demo shopper's code known to the real server through the real
// kiosk agent, and everything gone after SIGTERM.
describe('npm start', () => {
  it('brings the whole system up with demo data and stops it cleanly', { timeout: 240_000 }, async () => {
    const simBase = await freeTcpPort();
    const env = {
      ...process.env,
      PORT: String(await freeTcpPort()),
      KIOSK_UI_PORT: String(await freeTcpPort()),
      SIM_BASE_PORT: String(simBase > 65_000 ? 20_001 : simBase),
      CASHIN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cashin-start-')),
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/src/start-all.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect
        .poll(() => /Kiosk UI\s+(\S+)/.exec(output), { timeout: 180_000, interval: 500 })
        .not.toBeNull();
      const kioskUrl = /Kiosk UI\s+(\S+)/.exec(output)![1]!;
      const code = /deposit code\s+([\d ]+)/.exec(output)![1]!.replace(/ /g, '');
      expect(output).toMatch(/Clerk till\s+http:\/\/127\.0\.0\.1:\d+\/till/);

      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(kioskUrl);
        await expect
          .poll(() => page.locator('h1').textContent(), { timeout: 20_000 })
          .toBe('Turn your cash into wallet money');
        await page.getByRole('button', { name: 'Touch to start' }).click();
        await page.locator('#code').fill(code);
        await page.getByRole('button', { name: 'Continue' }).click();
        // The masked name comes from the server, through the agent's signed lookup.
        await expect
          .poll(() => page.locator('.shopper-name').textContent(), { timeout: 20_000 })
          .toMatch(/^Maria/);
        const wallet = await fetch(`http://127.0.0.1:${env.PORT}/wallet`);
        expect(wallet.status).toBe(200);
        // The banner's ops staff credentials sign in to the console's API.
        const [, username, password] = /ops staff\s+user (\S+), password (\S+)/.exec(output)!;
        const signIn = await fetch(`http://127.0.0.1:${env.PORT}/v1/ops/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        });
        expect(signIn.status).toBe(201);
        // The demo leaves ops one deposit to review: the second shopper's till cash past her day's limit.
        const { token } = StaffSessionSchema.parse(await signIn.json());
        const queue = await fetch(`http://127.0.0.1:${env.PORT}${opsApiPaths.reviews}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const items = ReviewListSchema.parse(await queue.json()).deposits;
        expect(items.map((item) => [item.amountMinor, item.status, item.shopperName])).toEqual([
          [70_000, 'inReview', 'Lucia P.'],
        ]);
      } finally {
        await browser.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${env.PORT}/healthz`)).rejects.toThrow();
  });
});
