-- Kiosks. The current public key verifies signed requests; terminal_keys keeps every key the terminal
-- ever enrolled, so an offline receipt signed before a key rotation still verifies. The last heartbeat is
-- kept on the row (the fleet view reads one row per terminal); sequence_high and sequence_count tell a
-- gap in the terminal's deposit sequence without scanning its deposits.
CREATE TABLE terminals (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES stores (id),
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  bag_account_id TEXT NOT NULL,
  public_key TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  enrolled_at_ms BIGINT,
  sequence_high BIGINT NOT NULL DEFAULT 0,
  sequence_count BIGINT NOT NULL DEFAULT 0,
  last_heartbeat_at_ms BIGINT,
  software_version TEXT,
  devices_json TEXT NOT NULL DEFAULT '[]',
  queue_depth BIGINT NOT NULL DEFAULT 0,
  unsynced_total_minor BIGINT NOT NULL DEFAULT 0,
  oldest_unsynced_at_ms BIGINT,
  reported_last_sequence BIGINT NOT NULL DEFAULT 0,
  bag_total_minor BIGINT NOT NULL DEFAULT 0,
  bag_coin_count BIGINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX terminals_store ON terminals (store_id);

CREATE TABLE terminal_keys (
  terminal_id TEXT NOT NULL REFERENCES terminals (id),
  public_key TEXT NOT NULL,
  enrolled_at_ms BIGINT NOT NULL,
  retired_at_ms BIGINT,
  PRIMARY KEY (terminal_id, public_key)
);

-- One-time enrollment tokens, stored as SHA-256: the token itself is shown once to ops and never kept.
CREATE TABLE enrollment_tokens (
  token_hash TEXT PRIMARY KEY,
  terminal_id TEXT NOT NULL REFERENCES terminals (id),
  expires_at_ms BIGINT NOT NULL,
  used_at_ms BIGINT,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX enrollment_tokens_terminal ON enrollment_tokens (terminal_id);

-- Nonces seen within the retention window, shared by every server process; old ones are pruned.
CREATE TABLE terminal_nonces (
  terminal_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  seen_at_ms BIGINT NOT NULL,
  PRIMARY KEY (terminal_id, nonce)
);
CREATE INDEX terminal_nonces_seen ON terminal_nonces (seen_at_ms);

-- Every kiosk deposit the server knows, from a sync or from a redeemed offline receipt. fields_json is
-- the deposit exactly as synced (items, timestamps, flags), compared byte for byte on a re-send;
-- signed_payload is what the receipt signature covers, which a receipt and a later sync must agree on.
CREATE TABLE kiosk_deposits (
  deposit_id TEXT PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  sequence BIGINT NOT NULL,
  fields_json TEXT,
  signed_payload TEXT NOT NULL,
  total_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  credited_to TEXT NOT NULL CHECK (credited_to IN ('wallet', 'suspense', 'claim', 'nothing')),
  in_review INTEGER NOT NULL,
  review_flags TEXT,
  claim_code_masked TEXT,
  source TEXT NOT NULL CHECK (source IN ('sync', 'receipt')),
  receipt_redeemed_by TEXT,
  committed_at_ms BIGINT NOT NULL,
  synced_at_ms BIGINT,
  created_at_ms BIGINT NOT NULL,
  UNIQUE (terminal_id, sequence)
);

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  terminal_id TEXT,
  store_id TEXT,
  raised_at_ms BIGINT NOT NULL,
  resolved_at_ms BIGINT,
  detail TEXT NOT NULL
);
-- At most one open alert per terminal and kind: a sweep running in several processes, or a terminal
-- re-sending, raises it once (INSERT ... ON CONFLICT DO NOTHING against this index).
CREATE UNIQUE INDEX alerts_open ON alerts (terminal_id, kind) WHERE resolved_at_ms IS NULL;
CREATE INDEX alerts_raised ON alerts (raised_at_ms);
