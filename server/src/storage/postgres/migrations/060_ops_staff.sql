-- Named ops staff: each person in operations signs in with a username and a password (kept only as a slow
-- scrypt hash), so every ops action names who did it. OPS_TOKEN stays the service credential that
-- bootstraps the first staff account and serves automation. Wrong passwords are counted here, in the
-- database, so a guesser spreading attempts over several server processes meets the same lockout.
INSERT INTO id_counters (name, value) VALUES ('opsStaff', 0);

CREATE TABLE ops_staff (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until_ms BIGINT,
  disabled_at_ms BIGINT,
  created_by TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL
);

-- Ops console sessions: opaque bearer tokens stored as SHA-256, like clerk sessions.
CREATE TABLE ops_sessions (
  token_hash TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL REFERENCES ops_staff (id),
  expires_at_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX ops_sessions_staff ON ops_sessions (staff_id);
