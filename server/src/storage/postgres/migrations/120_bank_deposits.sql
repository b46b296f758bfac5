-- What the bank credited for collected bags. Collected cash sits in cash in transit until ops records the
-- bank's credit for it: then it moves to the bank, and credited - counted goes to over/short. The id is
-- the console's, and the id of the ledger transfer, so a retry records nothing twice.
CREATE TABLE bank_deposits (
  id TEXT PRIMARY KEY,
  currency TEXT NOT NULL,
  counted_minor BIGINT NOT NULL,
  credited_minor BIGINT NOT NULL,
  difference_minor BIGINT NOT NULL,
  difference_transfer_id TEXT,
  bank_reference TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at_ms BIGINT NOT NULL
);
CREATE INDEX bank_deposits_recent ON bank_deposits (recorded_at_ms);
-- One credit on the statement is one bank deposit: a reference recorded twice is a mistake.
CREATE UNIQUE INDEX bank_deposits_reference ON bank_deposits (currency, bank_reference);
-- The bank deposit that carried a collection's cash; NULL while it is in transit.
ALTER TABLE collections ADD COLUMN bank_deposit_id TEXT REFERENCES bank_deposits (id);
CREATE INDEX collections_bank_deposit ON collections (bank_deposit_id);
-- The collections still in transit, oldest first: what ops has yet to bank.
CREATE INDEX collections_in_transit ON collections (collected_at_ms, id) WHERE bank_deposit_id IS NULL;
