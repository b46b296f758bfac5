-- Short ids a person can read out or type at a till (S00001, C00001, K00001), numbered by counters in the
-- database so several server processes never hand out the same one.
CREATE TABLE id_counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO id_counters (name, value) VALUES ('store', 0), ('clerk', 0), ('terminal', 0);

CREATE TABLE stores (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  drawer_account_id TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);

-- A clerk's PIN is kept only as a slow scrypt hash. Wrong PINs are counted here, in the database, so a
-- guesser spreading attempts over several server processes meets the same lockout.
CREATE TABLE clerks (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES stores (id),
  name TEXT NOT NULL,
  pin_hash TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until_ms INTEGER,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX clerks_store ON clerks (store_id);

-- Till sessions: opaque bearer tokens stored as SHA-256, like shopper sessions.
CREATE TABLE clerk_sessions (
  token_hash TEXT PRIMARY KEY,
  clerk_id TEXT NOT NULL REFERENCES clerks (id),
  store_id TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL
);
