CREATE TABLE shoppers (
  id TEXT PRIMARY KEY,
  phone TEXT NOT NULL UNIQUE,
  name TEXT,
  language TEXT NOT NULL,
  currency TEXT NOT NULL,
  kyc_tier INTEGER NOT NULL DEFAULT 0,
  wallet_account_id TEXT NOT NULL REFERENCES accounts (id),
  created_at_ms INTEGER NOT NULL
);

-- One pending one-time code per phone; only its salted hash is kept.
CREATE TABLE otp_challenges (
  phone TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL
);

-- Opaque bearer tokens, stored as SHA-256 so a database leak yields no usable session.
CREATE TABLE shopper_sessions (
  token_hash TEXT PRIMARY KEY,
  shopper_id TEXT NOT NULL REFERENCES shoppers (id),
  expires_at_ms INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL
);

-- The development inbox of the default message sender (in the database, so every process sees it).
CREATE TABLE dev_inbox (
  id TEXT PRIMARY KEY,
  to_phone TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
