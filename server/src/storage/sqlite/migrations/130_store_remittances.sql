-- What stores paid the network for the cash their clerks took at the till. The id is the console's, and
-- the id of the ledger transfer (store drawer -> bank), so a retry records nothing twice.
CREATE TABLE store_remittances (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES stores (id),
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  owed_before_minor INTEGER NOT NULL,
  reference TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at_ms INTEGER NOT NULL
);
CREATE INDEX store_remittances_by_store ON store_remittances (store_id, recorded_at_ms);
