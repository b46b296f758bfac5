import type { AlertFacts } from '@cashin/shared';
import { AlertFactsSchema, alertSequencesKeptMax, createUuidV7Generator } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import type { Row, SqlValue, Tx } from '../storage/db.js';
import { openTestApp } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import {
  alertDetail,
  alertSequences,
  listAlerts,
  raiseAlert,
  raiseOrUpdateAlert,
  resolveAlertByHand,
} from './alerts.js';

describe('the deposits an alert names', () => {
  it('are distinct and ascending', () => {
    expect(alertSequences([9, 3, 9, 1])).toEqual({ sequences: [1, 3, 9], truncated: false });
  });

  it('stop at the most an alert keeps, the lowest first, and say the list was cut', () => {
    const many = Array.from(
      { length: alertSequencesKeptMax + 5 },
      (_, index) => alertSequencesKeptMax + 5 - index,
    );
    const kept = alertSequences(many);
    expect(kept.sequences).toHaveLength(alertSequencesKeptMax);
    expect(kept.sequences[0]).toBe(1);
    expect(kept.truncated).toBe(true);
    // A list cut once stays marked, and its facts still parse.
    expect(alertSequences(kept.sequences, kept.truncated).truncated).toBe(true);
    const facts = AlertFactsSchema.parse({ kind: 'lostCoinEvents', ...kept });
    expect(alertDetail(facts)).toMatch(/^deposit sequence 1, 2, .* and more reported lost coin events$/);
  });
});

// Only PostgreSQL lets a second connection write while a report's transaction is open; SQLite's single
// writer makes the operator's close wait for the report to commit.
describe.runIf(testAdapters.includes('postgres'))('an alert closed by hand while a report adds to it', () => {
  it('stays as the operator closed it, and the report raises a new alert of its own (postgres)', async () => {
    const t = await openTestApp('postgres');
    try {
      const deps = { db: t.db, clock: t.clock, newId: createUuidV7Generator(() => t.clock.nowMs()) };
      const where = { terminalId: 'K00001', storeId: 'S00001' };
      const first: AlertFacts = { kind: 'lostCoinEvents', sequences: [1], truncated: false };
      const second: AlertFacts = { kind: 'lostCoinEvents', sequences: [2], truncated: false };
      await t.db.transaction((tx) => raiseAlert(tx, deps, { ...where, facts: first }, t.clock.nowMs()));
      const [open] = await listAlerts(deps, true);
      await t.db.transaction(async (tx) => {
        // Right after the report has read the open alert, an operator closes it on another connection.
        const racing: Tx = {
          dialect: tx.dialect,
          all: (sql, params) => tx.all(sql, params),
          run: (sql, params) => tx.run(sql, params),
          savepoint: (body) => tx.savepoint(body),
          get: async <T extends Row>(sql: string, params?: readonly SqlValue[]) => {
            const row = await tx.get<T>(sql, params);
            await resolveAlertByHand(deps, { alertId: open!.id, note: 'bag counted', by: 'O00001' });
            return row;
          },
        };
        await raiseOrUpdateAlert(racing, deps, { ...where, facts: second }, t.clock.nowMs());
      });
      const all = await listAlerts(deps, false);
      const closedByHand = all.find((alert) => alert.id === open!.id);
      expect([closedByHand?.resolvedBy, closedByHand?.facts]).toEqual(['O00001', first]);
      const raisedAgain = all.filter((alert) => alert.id !== open!.id);
      expect(raisedAgain.map((alert) => [alert.resolvedAtMs, alert.facts])).toEqual([[null, second]]);
    } finally {
      await t.close();
    }
  });
});
