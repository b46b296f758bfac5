-- What the business knows about a deposit beyond its transfer: where it went, and whether it needs review.
-- No foreign keys here: each would take a KEY SHARE row lock (a write to the tuple header, and a
-- MultiXact under concurrency) on the shopper's row for every deposit. The deposit is written in the same
-- transaction as its transfer, by code that has just read both.
CREATE TABLE deposits (
  transfer_id TEXT PRIMARY KEY,
  shopper_id TEXT,
  wallet_account_id TEXT,
  code_hash TEXT NOT NULL,
  code_masked TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  source_account_id TEXT NOT NULL,
  cash_already_taken INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('credited', 'inReview', 'reversed', 'suspense')),
  review_reason TEXT,
  cash_report_flag INTEGER NOT NULL DEFAULT 0,
  claim_id TEXT,
  created_at_ms BIGINT NOT NULL
);
-- Covers the rolling-window limit query (wallet, time range, status, amount) so it never reads the table.
CREATE INDEX deposits_wallet_time ON deposits (wallet_account_id, created_at_ms, status, amount_minor);

-- Money held in suspense for an unknown or revoked code; the claim code is kept only as a hash.
CREATE TABLE claims (
  id TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL UNIQUE,
  amount_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  deposit_transfer_id TEXT NOT NULL UNIQUE REFERENCES transfers (id),
  redeemed_by_shopper_id TEXT REFERENCES shoppers (id),
  -- Deferred: the claim is marked redeemed (the race only one transaction wins) before its transfer exists.
  redeemed_transfer_id TEXT UNIQUE REFERENCES transfers (id) DEFERRABLE INITIALLY DEFERRED,
  redeemed_at_ms BIGINT,
  created_at_ms BIGINT NOT NULL
);
