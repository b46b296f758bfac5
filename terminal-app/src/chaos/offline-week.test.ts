import { expect, it } from 'vitest';
import { runOfflineWeek } from './offline-week.js';

// CI runs a week with 100 deposits a day; `npm run chaos:kiosk -- --offline-week` runs issue 6's 5,000.
it('syncs a week of offline deposits exactly once, with a receipt redeemed before the sync', async () => {
  const report = await runOfflineWeek({ seed: 6, deposits: 700 });
  expect(report.problems).toEqual([]);
  expect(report.simulatedDays).toBeGreaterThanOrEqual(7);
  expect(report.creditedDeposits).toBe(700);
  expect(report.receiptRedeemedStatus).toBe(201);
}, 180_000);
