import type { MaintenanceState, UuidV7 } from '@cashin/shared';
import { FakeClock, MaintenanceStateSchema, maintenanceDetailCharsMax } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import { fakeMaintenanceSources } from '../testing/maintenance-sources.js';
import { MaintenanceService } from './maintenance.js';
import { hashTechnicianPin } from './technician-pin.js';

const pinHash = hashTechnicianPin('2468');
const limits = { pinAttemptsMax: 3, pinLockoutMs: 15 * 60_000, idleLockMs: 5 * 60_000 };

/** The result as the kiosk window gets it: the state must pass the bridge's own schema, or the UI drops it. */
function resultOf(state: MaintenanceState) {
  return MaintenanceStateSchema.parse(state).lastResult;
}

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
      lastResult: { ok: false, code: 'FORBIDDEN', outcome: { kind: 'pinRequired' } },
    });
    expect(state.bag.totalMinor).toBe(0);
    expect(sources.calls).toEqual([]);
  });

  it('unlocks with the right PIN and shows the kiosk', async () => {
    const { service } = setup();
    expect(resultOf(await service.handle('a', { op: 'unlock', pin: '1111' }))).toEqual({
      op: 'unlock',
      ok: false,
      code: 'PIN_INVALID',
      outcome: { kind: 'pinWrong' },
    });
    const state = await service.handle('a', { op: 'unlock', pin: '2468' });
    expect(resultOf(state)).toEqual({ op: 'unlock', ok: true, code: null, outcome: { kind: 'unlocked' } });
    expect(state).toMatchObject({
      unlocked: true,
      terminalId: 'kiosk-1',
      outbox: { depth: 3 },
      bag: { totalMinor: 12_345 },
    });
    expect(state.devices).toHaveLength(3);
  });

  it('locks every session out after too many wrong PINs, until the lockout passes', async () => {
    const { service, clock } = setup();
    for (let attempt = 0; attempt < 2; attempt += 1) await service.handle('a', { op: 'unlock', pin: '0000' });
    const locked = await service.handle('b', { op: 'unlock', pin: '0000' });
    expect(locked).toMatchObject({
      lastResult: { code: 'PIN_LOCKED', outcome: { kind: 'pinLocked' } },
      lockedUntilMs: clock.nowMs() + limits.pinLockoutMs,
    });
    // Even the right PIN is refused during the lockout, from any connection.
    expect(await service.handle('c', { op: 'unlock', pin: '2468' })).toMatchObject({
      unlocked: false,
      lastResult: { code: 'PIN_LOCKED', outcome: { kind: 'pinLocked' } },
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

  it('answers every action as data the screen words: device names, fault codes, counts, amounts', async () => {
    const { service, sources } = setup();
    await service.handle('a', { op: 'unlock', pin: '2468' });
    const ask = async (request: Parameters<typeof service.handle>[1]) =>
      resultOf(await service.handle('a', request));
    expect(await ask({ op: 'selfTest', device: 'coin' })).toEqual({
      op: 'selfTest',
      ok: true,
      code: null,
      outcome: { kind: 'selfTestPassed', device: 'coin' },
    });
    expect(await ask({ op: 'selfTest', device: 'printer' })).toEqual({
      op: 'selfTest',
      ok: false,
      code: 'DEVICE_FAULT',
      outcome: {
        kind: 'selfTestFailed',
        device: 'printer',
        answered: true,
        faults: ['paperOut'],
        selfCheckFaultCode: null,
      },
    });
    expect(await ask({ op: 'testPrint' })).toEqual({
      op: 'testPrint',
      ok: false,
      code: 'DEVICE_FAULT',
      outcome: { kind: 'printFailed', fault: 'paperOut' },
    });
    expect(await ask({ op: 'syncNow' })).toEqual({
      op: 'syncNow',
      ok: false,
      code: 'SERVER_UNREACHABLE',
      outcome: { kind: 'syncFailed', synced: 0, quarantined: 0 },
    });
    const collected = await service.handle('a', { op: 'collect' });
    expect(resultOf(collected)).toEqual({
      op: 'collect',
      ok: true,
      code: null,
      outcome: {
        kind: 'collected',
        currency: 'USD',
        bags: [{ device: 'coin', pieces: 312, totalMinor: 12_345 }],
      },
    });
    expect(collected.bag).toMatchObject({ totalMinor: 0, coinCount: 0 });
    expect(await ask({ op: 'reprintLast' })).toEqual({
      op: 'reprintLast',
      ok: true,
      code: null,
      outcome: { kind: 'receiptReprinted', sequence: 41 },
    });
    expect(await ask({ op: 'refresh' })).toMatchObject({ ok: true, outcome: { kind: 'refreshed' } });
    expect(await ask({ op: 'lock' })).toEqual({
      op: 'lock',
      ok: true,
      code: null,
      outcome: { kind: 'locked' },
    });
    expect(sources.calls).toEqual([
      'selfTest:coin',
      'selfTest:printer',
      'testPrint',
      'syncNow',
      'collect',
      'reprintLast',
    ]);
  });

  it('reports a device that throws without failing itself, its message kept apart as a short detail', async () => {
    const { service, sources } = setup();
    await service.handle('a', { op: 'unlock', pin: '2468' });
    const state = await service.handle('a', { op: 'selfTest', device: 'bill' });
    expect(resultOf(state)).toEqual({
      op: 'selfTest',
      ok: false,
      code: 'INTERNAL',
      outcome: { kind: 'failed', detail: 'port /dev/ttyUSB1 is closed' },
    });
    // A long message is cut to what the bridge carries, so the window still gets the state.
    sources.selfTest = async () => {
      throw new Error('x'.repeat(5_000));
    };
    const long = resultOf(await service.handle('a', { op: 'selfTest', device: 'coin' }));
    expect(long?.outcome).toEqual({ kind: 'failed', detail: 'x'.repeat(maintenanceDetailCharsMax) });
    expect(state.unlocked).toBe(true);
  });

  it('lists recent deposits, recovered ones marked, only once unlocked, and reprints the one picked', async () => {
    const { service, sources } = setup();
    const recoveredId = '019aab40-8c00-7000-8000-000000000040' as UuidV7;
    const locked = await service.handle('a', { op: 'reprint', depositId: recoveredId });
    expect(locked).toMatchObject({
      recentDeposits: [],
      lastResult: { op: 'reprint', code: 'FORBIDDEN', outcome: { kind: 'pinRequired' } },
    });
    expect(sources.calls).toEqual([]);

    const unlocked = await service.handle('a', { op: 'unlock', pin: '2468' });
    expect(unlocked.recentDeposits.map((d) => [d.sequence, d.recovered])).toEqual([
      [41, false],
      [40, true],
      [39, false],
    ]);
    expect(resultOf(await service.handle('a', { op: 'reprint', depositId: recoveredId }))).toEqual({
      op: 'reprint',
      ok: true,
      code: null,
      outcome: { kind: 'receiptReprinted', sequence: 40 },
    });
    const unknown = '019aab40-8c00-7000-8000-000000000099' as UuidV7;
    expect(resultOf(await service.handle('a', { op: 'reprint', depositId: unknown }))).toEqual({
      op: 'reprint',
      ok: false,
      code: 'NOT_FOUND',
      outcome: { kind: 'depositUnknown' },
    });
    expect(sources.calls).toEqual([`reprint:${recoveredId}`, `reprint:${unknown}`]);
  });
});
