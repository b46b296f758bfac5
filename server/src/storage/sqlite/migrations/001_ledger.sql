-- Accounts after TigerBeetle: running posted debits and credits; the balance is derived.
-- keeps_running_balance = 0 marks a hot account (a store drawer, a kiosk bag): its posted totals are not
-- updated per transfer but summed from the append-only transfers, so no single row is hot.
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  currency TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  keeps_running_balance INTEGER NOT NULL,
  debits_must_not_exceed_credits INTEGER NOT NULL,
  debits_posted INTEGER NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_posted INTEGER NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  created_at_ms INTEGER NOT NULL,
  UNIQUE (kind, owner_ref, currency),
  CHECK (debits_must_not_exceed_credits = 0 OR debits_posted <= credits_posted)
);

-- Transfers are immutable; the id is chosen by whoever first recorded the money and is unique forever.
CREATE TABLE transfers (
  id TEXT PRIMARY KEY,
  debit_account_id TEXT NOT NULL REFERENCES accounts (id),
  credit_account_id TEXT NOT NULL REFERENCES accounts (id),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  code TEXT NOT NULL,
  reverses_id TEXT REFERENCES transfers (id),
  reason TEXT,
  created_at_ms INTEGER NOT NULL,
  CHECK (debit_account_id <> credit_account_id)
);
-- A transfer is undone at most once. Partial: most transfers reverse nothing, and indexing their NULLs would
-- cost every deposit an index entry for nothing.
CREATE UNIQUE INDEX transfers_reverses ON transfers (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX transfers_debit ON transfers (debit_account_id, amount_minor);
CREATE INDEX transfers_credit ON transfers (credit_account_id, amount_minor);

