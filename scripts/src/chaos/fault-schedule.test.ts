import { seededRandom } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import { countFaults, drawFaultSchedule, faultRates } from './fault-schedule.js';
import { drawShopperPlan, piecesPerDepositMax } from './kiosk-shopper.js';

const shape = { durationMs: 10 * 60_000, servers: 2, kiosks: 20, tills: 4 };

describe('the network chaos fault schedule', () => {
  it('is the same for the same seed and differs for another', () => {
    const first = drawFaultSchedule(seededRandom(42), shape);
    expect(drawFaultSchedule(seededRandom(42), shape)).toEqual(first);
    expect(drawFaultSchedule(seededRandom(43), shape)).not.toEqual(first);
  });

  it('strikes every kind of fault, in order, inside the run and after the quiet start', () => {
    const faults = drawFaultSchedule(seededRandom(7), shape);
    const counts = countFaults(faults);
    // Ten minutes: each of 2 servers is killed about 20 times, each of 20 kiosks about 5 times, and so on.
    expect(counts.killServer).toBeGreaterThan(20);
    expect(counts.killAgent).toBeGreaterThan(50);
    expect(counts.link).toBeGreaterThan(200);
    expect(counts.unplug).toBeGreaterThan(30);
    expect(counts.powerOff).toBeGreaterThan(30);
    for (const [index, fault] of faults.entries()) {
      expect(fault.atMs).toBeGreaterThan(faultRates.quietStartMs);
      expect(fault.atMs).toBeLessThan(shape.durationMs);
      if (index > 0) expect(fault.atMs).toBeGreaterThanOrEqual(faults[index - 1]!.atMs);
    }
    const servers = new Set(faults.flatMap((f) => (f.kind === 'killServer' ? [f.server] : [])));
    expect([...servers].sort()).toEqual([0, 1]);
    const linkKinds = faults.flatMap((f) => (f.kind === 'link' ? [JSON.stringify(f.faults)] : []));
    expect(new Set(linkKinds).size).toBe(6);
  });

  it('kills every server process early, so even a one-minute run crashes each of them', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const faults = drawFaultSchedule(seededRandom(seed), { ...shape, durationMs: 60_000 });
      for (const server of [0, 1]) {
        const first = faults.find((fault) => fault.kind === 'killServer' && fault.server === server);
        expect(first?.atMs, `seed ${seed}, server ${server}`).toBeLessThanOrEqual(
          faultRates.quietStartMs + faultRates.serverFirstKillGapMsMax,
        );
      }
    }
  });

  it('gives a longer run the same faults at the start (a replay is a prefix, not a reshuffle)', () => {
    const short = drawFaultSchedule(seededRandom(9), { ...shape, durationMs: 60_000 });
    const long = drawFaultSchedule(seededRandom(9), shape);
    expect(long.filter((fault) => fault.atMs < 60_000)).toEqual(short);
  });
});

describe('a kiosk shopper plan', () => {
  it('takes the same draws whatever it holds, so the next shopper is the same', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const plansA = Array.from({ length: 50 }, () => drawShopperPlan(a, 40));
    const plansB = Array.from({ length: 50 }, () => drawShopperPlan(b, 40));
    expect(plansB).toEqual(plansA);
    expect(a.next()).toBe(b.next());
    for (const plan of plansA) {
      expect(plan.pieces.length).toBeGreaterThan(0);
      expect(plan.pieces.length).toBeLessThanOrEqual(piecesPerDepositMax);
    }
    const kinds = new Set(plansA.map((plan) => plan.identify.kind));
    expect([...kinds].sort()).toEqual(['none', 'own', 'unknown']);
  });
});
