CREATE TABLE deposit_codes (
  code TEXT PRIMARY KEY,
  shopper_id TEXT NOT NULL REFERENCES shoppers (id),
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  created_at_ms BIGINT NOT NULL,
  revoked_at_ms BIGINT
);
CREATE UNIQUE INDEX deposit_codes_one_active ON deposit_codes (shopper_id) WHERE status = 'active';

CREATE TABLE slips (
  code TEXT PRIMARY KEY,
  shopper_id TEXT NOT NULL REFERENCES shoppers (id),
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  used_transfer_id TEXT UNIQUE,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX slips_shopper ON slips (shopper_id, created_at_ms);

-- Enumeration guard for code lookups: one counter per caller per minute.
CREATE TABLE code_lookup_windows (
  caller TEXT NOT NULL,
  window_start_ms BIGINT NOT NULL,
  lookups INTEGER NOT NULL,
  PRIMARY KEY (caller, window_start_ms)
);
