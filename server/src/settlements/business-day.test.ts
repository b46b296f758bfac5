import { describe, expect, it } from 'vitest';
import { businessDayOf, businessDayRange } from './business-day.js';

const hourMs = 3_600_000;

describe('business days', () => {
  it.each([
    // A zone without daylight saving, and UTC itself.
    ['America/Mexico_City', '2026-06-01', Date.UTC(2026, 5, 1, 6), Date.UTC(2026, 5, 2, 6)],
    ['UTC', '2026-06-01', Date.UTC(2026, 5, 1), Date.UTC(2026, 5, 2)],
    ['Asia/Kolkata', '2026-06-01', Date.UTC(2026, 4, 31, 18, 30), Date.UTC(2026, 5, 1, 18, 30)],
    // Spring forward at 02:00 and fall back at 02:00: 23 and 25 hours.
    ['America/New_York', '2026-03-08', Date.UTC(2026, 2, 8, 5), Date.UTC(2026, 2, 9, 4)],
    ['America/New_York', '2026-11-01', Date.UTC(2026, 10, 1, 4), Date.UTC(2026, 10, 2, 5)],
    // Clocks jump from 00:00 to 01:00, so these days start at 01:00 local: the jump itself.
    ['America/Santiago', '2026-09-05', Date.UTC(2026, 8, 5, 4), Date.UTC(2026, 8, 6, 4)],
    ['America/Santiago', '2026-09-06', Date.UTC(2026, 8, 6, 4), Date.UTC(2026, 8, 7, 3)],
    ['America/Havana', '2026-03-07', Date.UTC(2026, 2, 7, 5), Date.UTC(2026, 2, 8, 5)],
    ['America/Havana', '2026-03-08', Date.UTC(2026, 2, 8, 5), Date.UTC(2026, 2, 9, 4)],
    // Clocks fall back from 00:00 to 23:00 of the day before, which is 25 hours long.
    ['America/Santiago', '2026-04-04', Date.UTC(2026, 3, 4, 3), Date.UTC(2026, 3, 5, 4)],
  ])('cuts %s %s at its local midnights', (timeZone, date, startMs, endMs) => {
    expect(businessDayRange(date, timeZone)).toEqual({ startMs, endMs });
    // The range is exactly the instants whose local date is that day.
    expect(businessDayOf(startMs, timeZone)).toBe(date);
    expect(businessDayOf(startMs - 1_000, timeZone)).not.toBe(date);
    expect(businessDayOf(endMs - 1_000, timeZone)).toBe(date);
    expect(businessDayOf(endMs, timeZone)).not.toBe(date);
  });

  it('puts a deposit at 23:30 on the eve of a midnight jump on that eve', () => {
    // 2026-09-05 23:30 in Santiago (UTC-4) is 2026-09-06 03:30 UTC.
    const atMs = Date.UTC(2026, 8, 6, 3, 30);
    const eve = businessDayRange('2026-09-05', 'America/Santiago');
    expect(atMs >= eve.startMs && atMs < eve.endMs).toBe(true);
    expect(businessDayRange('2026-09-06', 'America/Santiago').startMs).toBeGreaterThan(atMs);
    expect(eve.endMs - eve.startMs).toBe(24 * hourMs);
  });
});
