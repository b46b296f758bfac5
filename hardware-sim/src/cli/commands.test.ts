import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@cashin/shared';
import { Simulator } from '../simulator.js';
import { until } from '../testing/sim-time.js';
import { resolveDenomination, runCommand } from './commands.js';
import { loadScript } from './script.js';

describe('simulator commands', () => {
  it('names coins and bills by id, minor or major units', () => {
    expect(resolveDenomination('USD', 'coin', '25')?.ccTalkId).toBe('US025A');
    expect(resolveDenomination('USD', 'coin', 'us100a')?.ccTalkId).toBe('US100A');
    expect(resolveDenomination('USD', 'bill', '20')?.ccTalkId).toBe('US0020A');
    expect(resolveDenomination('MXN', 'coin', '5')?.ccTalkId).toBe('MX005A');
    expect(resolveDenomination('USD', 'coin', '3')).toBeUndefined();
  });

  it('drives the devices and reports what they accepted', async () => {
    const clock = new FakeClock();
    const sim = await Simulator.start({
      currency: 'USD',
      clock,
      baud: undefined,
      devices: { coin: { kind: 'tcp', port: 0 }, counter: { kind: 'tcp', port: 0 } },
    });
    const context = { sim, currency: 'USD' as const, receiptsDir: tmpdir() };
    try {
      // No kiosk is polling: the acceptor's watchdog refuses coins, silently.
      expect(await until(clock, runCommand(context, 'insert 25 x2'))).toBe('US025A: 2 watchdogInhibited');
      expect(await until(clock, runCommand(context, 'pour 40 at 6000 reject 0'), 60_000, 10)).toMatch(
        /^poured 40: 40 counted/,
      );
      expect(await runCommand(context, 'bill 20')).toBe('no bill is simulated (start with --bill)');
      expect(await runCommand(context, 'insert 3')).toMatch(/^usage: insert/);
      expect(await runCommand(context, 'frobnicate')).toMatch(/unknown command/);
      expect(await runCommand(context, 'status')).toMatch(/counter: idle, door closed, accepted 40/);
      expect(await runCommand(context, 'help')).toContain('powercycle');
    } finally {
      await sim.close();
    }
  });

  it('validates scenario files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cashin-script-'));
    try {
      const good = join(dir, 'good.json');
      await writeFile(good, JSON.stringify({ steps: ['insert 25', 'status'], expectAcceptedMinor: 25 }));
      expect(await loadScript(good)).toEqual({ steps: ['insert 25', 'status'], expectAcceptedMinor: 25 });
      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify({ steps: [] }));
      await expect(loadScript(bad)).rejects.toThrow(/steps/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
