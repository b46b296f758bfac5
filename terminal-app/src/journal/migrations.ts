/**
 * The journal's schema, as numbered migrations applied in order and recorded in `PRAGMA user_version`.
 * A migration is never edited once shipped: kiosks in the field have run it; a change is a new number.
 */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      -- Named counters. The deposit sequence lives here so that assigning a number is one UPDATE inside the
      -- commit's transaction: a rolled-back commit takes its number back, so numbers have no gaps, and the
      -- counter only grows, so a number is never reused.
      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL CHECK (value >= 0)
      ) STRICT;
      INSERT INTO counters (name, value) VALUES ('depositSequence', 0);

      -- One row per deposit, written when the shopper confirms (with the id sync will use) and completed at
      -- commit. The money itself is never stored here as a running figure: it is derived from the events.
      CREATE TABLE deposits (
        deposit_id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('open', 'committed', 'abandoned')),
        code TEXT,
        claim_code TEXT,
        currency TEXT NOT NULL,
        started_at_ms INTEGER NOT NULL,
        max_minor INTEGER NOT NULL CHECK (max_minor >= 0),
        offline INTEGER NOT NULL CHECK (offline IN (0, 1)),
        language TEXT NOT NULL,
        masked_name TEXT,
        balance_minor INTEGER,
        recovered INTEGER NOT NULL DEFAULT 0 CHECK (recovered IN (0, 1)),
        sequence INTEGER UNIQUE,
        total_minor INTEGER,
        committed_at_ms INTEGER,
        closed_at_ms INTEGER,
        receipt_signature TEXT,
        CHECK ((code IS NULL) <> (claim_code IS NULL)),
        CHECK ((status = 'committed') = (sequence IS NOT NULL))
      ) STRICT;
      CREATE INDEX deposits_open ON deposits (status) WHERE status = 'open';

      -- Every coin, bill, reject and device trouble, in arrival order, written before the screen shows it.
      -- deposit_id is NULL for a stray: money that arrived while no deposit was open (a coin that finished
      -- its fall after the deposit committed). Strays are still in the bag and count in its totals.
      CREATE TABLE deposit_events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT,
        deposit_id TEXT REFERENCES deposits (deposit_id),
        type TEXT NOT NULL
          CHECK (type IN ('credit', 'reject', 'lostEvents', 'reset', 'fault', 'disconnected')),
        device TEXT NOT NULL,
        kind TEXT CHECK (kind IN ('coin', 'bill')),
        cc_talk_id TEXT,
        currency TEXT,
        value_minor INTEGER CHECK (value_minor > 0),
        count INTEGER CHECK (count > 0),
        detail TEXT,
        at_ms INTEGER NOT NULL,
        CHECK (type <> 'credit' OR (kind IS NOT NULL AND cc_talk_id IS NOT NULL AND currency IS NOT NULL
          AND value_minor IS NOT NULL AND count IS NOT NULL))
      ) STRICT;
      CREATE INDEX deposit_events_by_deposit ON deposit_events (deposit_id, type);
      CREATE INDEX deposit_events_credits_by_device ON deposit_events (device, event_id) WHERE type = 'credit';

      -- The outbox: one row per committed deposit, inserted in the commit's transaction. The payload is the
      -- KioskDeposit exactly as it will be sent, fixed at commit, so every resend is byte-for-byte the same.
      CREATE TABLE outbox (
        sequence INTEGER PRIMARY KEY,
        deposit_id TEXT NOT NULL UNIQUE REFERENCES deposits (deposit_id),
        payload TEXT NOT NULL,
        currency TEXT NOT NULL,
        total_minor INTEGER NOT NULL,
        committed_at_ms INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'synced', 'quarantined')),
        synced_at_ms INTEGER,
        quarantined_at_ms INTEGER,
        server_answer TEXT
      ) STRICT;
      CREATE INDEX outbox_by_status ON outbox (status, sequence);

      -- A cash collection: a device's bag or cassette taken out. Bag totals count credits after the last
      -- collection's high-water event id, so a collection never edits or deletes an event.
      CREATE TABLE collections (
        collection_id TEXT PRIMARY KEY,
        device TEXT NOT NULL,
        collected_at_ms INTEGER NOT NULL,
        through_event_id INTEGER NOT NULL,
        totals TEXT NOT NULL
      ) STRICT;
      CREATE INDEX collections_by_device ON collections (device, through_event_id);
    `,
  },
  {
    version: 2,
    sql: `
      -- Each acceptor's event counter right after the last of its events the journal wrote, updated in the
      -- same transaction as that event. At start the driver takes it as its baseline, so events the device
      -- buffered while the agent was down (a coin accepted just before a crash) are reported, not skipped.
      -- serial is the device's own serial number when the counter was first taken: a baseline only means
      -- something for the same physical device (a replaced acceptor's buffer is not our money).
      CREATE TABLE event_counters (
        device TEXT PRIMARY KEY,
        counter INTEGER NOT NULL CHECK (counter BETWEEN 0 AND 255),
        serial TEXT,
        at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    sql: `
      -- A stray that became a deposit of its own: money in the terminal's currency that arrived while no
      -- deposit was open (a coin finishing its fall after the commit, or buffered in an acceptor across a
      -- crash). There is no shopper to credit, so it syncs like a voucher nobody holds: the server puts it in
      -- suspense under its claim code, where ops can see it and move it to whoever it belongs to.
      ALTER TABLE deposits ADD COLUMN stray INTEGER NOT NULL DEFAULT 0 CHECK (stray IN (0, 1));
    `,
  },
  {
    version: 4,
    sql: `
      -- The highest sequence number the server held for this terminal when the kiosk enrolled, written at
      -- enrollment before the agent takes any number. A replaced or reinstalled kiosk starts with an empty
      -- journal while the server already holds its predecessor's deposits under the same terminal id: the
      -- next number is taken after the larger of this and depositSequence, so the kiosk never reuses one of
      -- theirs, and a kiosk that kept its journal never goes back. It only grows, like depositSequence.
      INSERT INTO counters (name, value) VALUES ('serverSequenceHigh', 0);
    `,
  },
  {
    version: 5,
    sql: `
      -- Each bulk counter's registers right after the last of its events the journal wrote, updated in the
      -- same transaction as that event: what event_counters is to the acceptors. The counter cannot be
      -- inhibited and goes on counting while the agent is down; at start the driver takes these as its
      -- baseline and reports what the registers grew by since, instead of taking the grown registers as
      -- its starting point. registers_json is the driver's CounterRegisters (which register holds which
      -- coin, so another counter's registers are not taken for ours); at_ms is when it was journaled.
      CREATE TABLE counter_registers (
        device TEXT PRIMARY KEY,
        registers_json TEXT NOT NULL,
        at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 6,
    sql: `
      -- When the deposit's receipt came out of the printer (the printer said so), or NULL while it has not.
      -- A voucher's claim code and an offline deposit's signed QR exist on paper nowhere else: the server
      -- keeps only a hash of the claim code. One committed but never printed (a power loss between commit and
      -- print, or no paper) is printed at the next start, or when the printer's fault clears.
      ALTER TABLE deposits ADD COLUMN receipt_printed_at_ms INTEGER;
      -- Journals from before this column cannot say which receipts printed. Their deposits count as printed
      -- (at their commit): a kiosk printing every voucher it ever took on its first start after the upgrade
      -- would hand bearer codes to whoever stands there. A tech can still reprint any of them.
      UPDATE deposits SET receipt_printed_at_ms = committed_at_ms WHERE status = 'committed';
      CREATE INDEX deposits_receipt_unprinted ON deposits (sequence)
        WHERE status = 'committed' AND stray = 0 AND receipt_printed_at_ms IS NULL;
    `,
  },
  {
    version: 7,
    sql: `
      -- The server's last refusal of this terminal (ops disabled it, its key was revoked, it is unknown), kept
      -- until a heartbeat says it is enabled again: a kiosk that restarts where it cannot reach the server
      -- stays out of service instead of taking money offline that nobody will credit. One row at most.
      CREATE TABLE terminal_refusal (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        code TEXT NOT NULL,
        at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
