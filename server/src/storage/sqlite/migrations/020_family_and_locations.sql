-- Family accounts. A child's wallet is a shopper row with a parent: its own wallet account and deposit
-- code, masked name at tills, limits by tier like anyone's. A child never signs in, so it has no phone;
-- the phone column is NOT NULL UNIQUE, so a child's holds 'child:' and its id, which no E.164 number
-- (what sign-in accepts) can equal.
ALTER TABLE shoppers ADD COLUMN parent_shopper_id TEXT REFERENCES shoppers (id);
CREATE INDEX shoppers_parent ON shoppers (parent_shopper_id) WHERE parent_shopper_id IS NOT NULL;

-- Caps a parent set on a wallet, in minor units; NULL is no cap of that kind. Keyed by the wallet account,
-- which every deposit path already has in hand.
CREATE TABLE wallet_caps (
  wallet_account_id TEXT PRIMARY KEY REFERENCES accounts (id),
  deposit_max_minor INTEGER CHECK (deposit_max_minor IS NULL OR deposit_max_minor > 0),
  daily_max_minor INTEGER CHECK (daily_max_minor IS NULL OR daily_max_minor >= 0),
  set_by_shopper_id TEXT NOT NULL REFERENCES shoppers (id),
  updated_at_ms INTEGER NOT NULL
);

-- Where shoppers can find a store.
ALTER TABLE stores ADD COLUMN address TEXT;

-- The wallet lists a till deposit as pending between authorize and commit: authorizations still open are
-- found by their code, and a shopper's codes (revoked ones too) by their shopper.
CREATE INDEX till_authorizations_open_code ON till_authorizations (code) WHERE status = 'authorized';
CREATE INDEX deposit_codes_shopper ON deposit_codes (shopper_id);
