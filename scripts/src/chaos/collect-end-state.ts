import type { Db } from '@cashin/server';
import { verifyAudit } from '@cashin/server';
import { PostgresDb } from '@cashin/server/storage/postgres/postgres-db.js';
import { SqliteDb } from '@cashin/server/storage/sqlite/sqlite-db.js';
import type { ChaosKiosk } from '@cashin/terminal-app/chaos/chaos-rig.js';
import type { EndState, KioskEndState, TillEndState } from './end-state.js';
import type { FleetDatabase } from './server-fleet.js';

/**
 * Gathers a chaos run's end state: each kiosk's journal and its simulated devices' counters (read while
 * the agent still runs), and, once every server process has stopped, the database's accounts, transfers,
 * kiosk deposits and open sequence-gap alerts, with the server's own audit-chain verification.
 */
export function kioskEndState(name: string, kiosk: ChaosKiosk): KioskEndState {
  const agent = kiosk.agent;
  if (agent === undefined) throw new Error('a kiosk must be running to read its end state');
  const journal = agent.journal;
  const outbox = journal.outbox.status();
  const strays = journal.strayCredits();
  return {
    name,
    terminalId: agent.identity.terminalId,
    devicesKeptMinor: kiosk.coin.totals.valueMinor + kiosk.bill.totals.valueMinor,
    strayMinor: strays.totalMinor,
    strayDepositsMinor: journal.strayDeposits().totalMinor,
    deposits: journal.committedAfter(0, Number.MAX_SAFE_INTEGER).map((deposit) => ({
      depositId: deposit.depositId,
      sequence: deposit.sequence,
      totalMinor: deposit.totalMinor,
      itemsMinor: deposit.items.reduce((sum, item) => sum + item.valueMinor * item.count, 0),
    })),
    outboxDepth: outbox.depth,
    quarantined: outbox.quarantined,
  };
}

async function openFleetDb(database: FleetDatabase): Promise<Db> {
  return database.kind === 'sqlite'
    ? SqliteDb.open(database.path)
    : PostgresDb.open({ connectionString: database.url, schema: database.schema, poolConnectionsMax: 2 });
}

/** PostgreSQL bigint and numeric columns may arrive as strings. */
const n = (value: unknown): number => Number(value);

export async function collectEndState(
  database: FleetDatabase,
  recorded: {
    seed: number;
    db: 'sqlite' | 'postgres';
    currency: string;
    kiosks: KioskEndState[];
    tills: TillEndState[];
  },
): Promise<EndState> {
  const db = await openFleetDb(database);
  try {
    const rows = await db.transaction(async (tx) => ({
      accounts: await tx.all<{
        id: string;
        kind: string;
        owner_ref: string;
        currency: string;
        keeps_running_balance: unknown;
        debits_posted: unknown;
        credits_posted: unknown;
      }>(
        'SELECT id, kind, owner_ref, currency, keeps_running_balance, debits_posted, credits_posted FROM accounts ORDER BY id',
      ),
      transfers: await tx.all<{
        id: string;
        debit_account_id: string;
        credit_account_id: string;
        amount_minor: unknown;
        currency: string;
        code: string;
        reverses_id: string | null;
      }>(
        'SELECT id, debit_account_id, credit_account_id, amount_minor, currency, code, reverses_id FROM transfers ORDER BY id',
      ),
      kioskDeposits: await tx.all<{
        deposit_id: string;
        terminal_id: string;
        sequence: unknown;
        total_minor: unknown;
        credited_to: string;
      }>(
        'SELECT deposit_id, terminal_id, sequence, total_minor, credited_to FROM kiosk_deposits ORDER BY terminal_id, sequence',
      ),
      gaps: await tx.all<{ terminal_id: string | null; detail: string }>(
        "SELECT terminal_id, detail FROM alerts WHERE kind = 'sequenceGap' AND resolved_at_ms IS NULL ORDER BY id",
      ),
    }));
    const audit = await verifyAudit(db);
    return {
      ...recorded,
      ledger: {
        accounts: rows.accounts.map((row) => ({
          id: row.id,
          kind: row.kind,
          ownerRef: row.owner_ref,
          currency: row.currency,
          keepsRunningBalance: n(row.keeps_running_balance) === 1,
          debitsPostedMinor: n(row.debits_posted),
          creditsPostedMinor: n(row.credits_posted),
        })),
        transfers: rows.transfers.map((row) => ({
          id: row.id,
          debitAccountId: row.debit_account_id,
          creditAccountId: row.credit_account_id,
          amountMinor: n(row.amount_minor),
          currency: row.currency,
          code: row.code,
          reversesId: row.reverses_id,
        })),
      },
      server: {
        kioskDeposits: rows.kioskDeposits.map((row) => ({
          depositId: row.deposit_id,
          terminalId: row.terminal_id,
          sequence: n(row.sequence),
          totalMinor: n(row.total_minor),
          creditedTo: row.credited_to,
        })),
        openSequenceGapAlerts: rows.gaps.map((row) => ({
          terminalId: row.terminal_id ?? '',
          detail: row.detail,
        })),
        audit: {
          ok: audit.ok,
          chains: audit.chains,
          entries: audit.entries,
          breaks: audit.breaks.map((broken) => ({ ...broken })),
        },
      },
    };
  } finally {
    await db.close();
  }
}

/** Drops a PostgreSQL run's schema once its end state is read. */
export async function dropChaosSchema(database: FleetDatabase): Promise<void> {
  if (database.kind !== 'postgres') return;
  const db = await PostgresDb.open({
    connectionString: database.url,
    schema: database.schema,
    poolConnectionsMax: 1,
  });
  try {
    await db.rawPool.query(`DROP SCHEMA ${database.schema} CASCADE`);
  } finally {
    await db.close();
  }
}
