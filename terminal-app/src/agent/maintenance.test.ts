import type { UuidV7 } from '@cashin/shared';
import { FakeClock } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import { fakeMaintenanceSources } from '../testing/maintenance-sources.js';
import { MaintenanceService } from './maintenance.js';
import { hashTechnicianPin } from './technician-pin.js';

const pinHash = hashTechnicianPin('2468');
const limits = { pinAttemptsMax: 3, pinLockoutMs: 15 * 60_000, idleLockMs: 5 * 60_000 };

function setup() {
  const clock = new FakeClock();
  const sources = fakeMaintenanceSources();
  return { clock, sources, service: new MaintenanceService(sources, pinHash, clock, limits) };
}

describe('MaintenanceService', () => {
  it('does nothing and shows nothing until unlocked', async () => {
    const { service, sources } = setup();
    const state = await service.handle('a', { op: 'collect' });
    expect(state).toMatchObject({
      unlocked: false,
      terminalId: null,
      devices: [],
      lastResult: { ok: false, code: 'FORBIDDEN' },
    });
    expect(state.bag.totalMinor).toBe(0);
    expect(sources.calls).toEqual([]);
  });

  it('unlocks with the right PIN and shows the kiosk', async () => {
    const { service } = setup();
    expect((await service.handle('a', { op: 'unlock', pin: '1111' })).lastResult).toMatchObject({
      code: 'PIN_INVALID',
    });
    const state = await service.handle('a', { op: 'unlock', pin: '2468' });
    expect(state).toMatchObject({
      unlocked: true,
      terminalId: 'kiosk-1',
      outbox: { depth: 3 },
      bag: { totalMinor: 12_345 },
    });
    expect(state.devices).toHaveLength(2);
  });

  it('locks every session out after too many wrong PINs, until the lockout passes', async () => {
    const { service, clock } = setup();
    for (let attempt = 0; attempt < 2; attempt += 1) await service.handle('a', { op: 'unlock', pin: '0000' });
    const locked = await service.handle('b', { op: 'unlock', pin: '0000' });
    expect(locked).toMatchObject({
      lastResult: { code: 'PIN_LOCKED' },
      lockedUntilMs: clock.nowMs() + limits.pinLockoutMs,
    });
    // Even the right PIN is refused during the lockout, from any connection.
    expect(await service.handle('c', { op: 'unlock', pin: '2468' })).toMatchObject({
      unlocked: false,
      lastResult: { code: 'PIN_LOCKED' },
    });
    clock.advance(limits.pinLockoutMs);
    expect(await service.handle('c', { op: 'unlock', pin: '2468' })).toMatchObject({ unlocked: true });
  });

  it('keeps each connection its own session, and locks after a quiet spell', async () => {
    const { service, clock } = setup();
    await service.handle('a', { op: 'unlock', pin: '2468' });
    expect((await service.handle('b', { op: 'refresh' })).unlocked).toBe(false);
    clock.advance(limits.idleLockMs - 1);
    expect((await service.handle('a', { op: 'refresh' })).unlocked).toBe(true);
    clock.advance(limits.idleLockMs);
    expect((await service.handle('a', { op: 'refresh' })).unlocked).toBe(false);
    await service.handle('a', { op: 'unlock', pin: '2468' });
    service.end('a');
    expect((await service.handle('a', { op: 'refresh' })).unlocked).toBe(false);
  });

  it('runs what the tech asks, and reports a failing device without failing itself', async () => {
    const { service, sources } = setup();
    await service.handle('a', { op: 'unlock', pin: '2468' });
    expect((await service.handle('a', { op: 'selfTest', device: 'coin' })).lastResult).toEqual({
      op: 'selfTest',
      ok: true,
      code: null,
      summary: 'coin: self-check passed',
    });
    expect((await service.handle('a', { op: 'selfTest', device: 'printer' })).lastResult).toMatchObject({
      ok: false,
      code: 'INTERNAL',
    });
    expect((await service.handle('a', { op: 'testPrint' })).lastResult).toMatchObject({
      ok: false,
      code: 'DEVICE_FAULT',
    });
    expect((await service.handle('a', { op: 'syncNow' })).lastResult).toMatchObject({
      ok: false,
      code: 'SERVER_UNREACHABLE',
    });
    const collected = await service.handle('a', { op: 'collect' });
    expect(collected).toMatchObject({ lastResult: { ok: true }, bag: { totalMinor: 0, coinCount: 0 } });
    expect(sources.calls).toEqual(['selfTest:coin', 'selfTest:printer', 'testPrint', 'syncNow', 'collect']);
  });

  it('lists recent deposits, recovered ones marked, only once unlocked, and reprints the one picked', async () => {
    const { service, sources } = setup();
    const recoveredId = '019aab40-8c00-7000-8000-000000000040' as UuidV7;
    const locked = await service.handle('a', { op: 'reprint', depositId: recoveredId });
    expect(locked).toMatchObject({ recentDeposits: [], lastResult: { code: 'FORBIDDEN' } });
    expect(sources.calls).toEqual([]);

    const unlocked = await service.handle('a', { op: 'unlock', pin: '2468' });
    expect(unlocked.recentDeposits.map((d) => [d.sequence, d.recovered])).toEqual([
      [41, false],
      [40, true],
      [39, false],
    ]);
    expect((await service.handle('a', { op: 'reprint', depositId: recoveredId })).lastResult).toEqual({
      op: 'reprint',
      ok: true,
      code: null,
      summary: 'reprinted deposit 40',
    });
    const unknown = '019aab40-8c00-7000-8000-000000000099' as UuidV7;
    expect((await service.handle('a', { op: 'reprint', depositId: unknown })).lastResult).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    expect(sources.calls).toEqual([`reprint:${recoveredId}`, `reprint:${unknown}`]);
  });
});
