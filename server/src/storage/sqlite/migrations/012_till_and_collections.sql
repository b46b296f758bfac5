-- Till authorizations (authorize -> commit -> void). The id is the till's, and becomes the id of the
-- deposit's transfer at commit. The code is kept until commit needs it; receipts and logs show it masked.
CREATE TABLE till_authorizations (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL,
  clerk_id TEXT NOT NULL,
  code TEXT NOT NULL,
  code_masked TEXT NOT NULL,
  code_type TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  masked_name TEXT NOT NULL,
  remaining_after_minor INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('authorized', 'committed', 'voided')),
  expires_at_ms INTEGER NOT NULL,
  committed_at_ms INTEGER,
  voided_at_ms INTEGER,
  void_reason TEXT,
  reversal_id TEXT,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX till_authorizations_clerk ON till_authorizations (clerk_id, created_at_ms);
CREATE INDEX till_authorizations_store ON till_authorizations (store_id, created_at_ms);

-- Cash collections: what a tech counted in a kiosk's bag against what the ledger says went in.
CREATE TABLE collections (
  id TEXT PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  expected_minor INTEGER NOT NULL,
  counted_minor INTEGER NOT NULL,
  over_short_minor INTEGER NOT NULL,
  over_short_transfer_id TEXT,
  bag_label TEXT,
  collected_at_ms INTEGER NOT NULL
);
CREATE INDEX collections_terminal ON collections (terminal_id, collected_at_ms);
