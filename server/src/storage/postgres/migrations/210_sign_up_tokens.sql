-- A sign-up waiting for its code, one row per sign-up rather than one per phone, found by the hash of the
-- random token its answer carried (shoppers/otp.ts). Verifying the phone's code with that token opens the
-- wallet with these details and no others, so a stranger who signs the same number up later adds a row of
-- their own and cannot change what the owner's token opens. Rows live signUpTtlMs (expires_at_ms), for a
-- number with a wallet too, so whether a token is still good says nothing about the number; the sweep
-- deletes them once expired (sessions/prune-guard-counters.ts).
CREATE TABLE pending_sign_ups (
  token_hash TEXT PRIMARY KEY,
  phone TEXT NOT NULL,
  name TEXT,
  language TEXT NOT NULL,
  currency TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL
);
CREATE INDEX pending_sign_ups_expiry ON pending_sign_ups (expires_at_ms);

-- The details migration 175 kept on the phone's one challenge row, which any later sign-up replaced, are
-- no longer read or written. A sign-up pending when this runs has no token, so its code opens nothing: it
-- signs up again. The columns stay: server processes of the previous release share this database until a
-- rolling deploy has replaced them all, and they still write them. A later migration drops them, once no
-- process older than this one can be running.
