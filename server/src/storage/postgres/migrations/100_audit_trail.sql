-- The ops console reads the audit trail newest first. One subject's chain is read by its primary key;
-- the trail of everything that is not a deposit (staff, stores, terminals, collections, codes, claims)
-- by this partial index, which deposits, the bulk of the log, never enter, so crediting pays nothing
-- for it. Queries repeat the index's WHERE term word for word, so the planner can use it.
CREATE INDEX audit_log_trail ON audit_log (at_ms, chain, seq)
  WHERE kind NOT IN ('deposit.credited', 'deposit.suspense');
-- Who counted a collected bag (a staff id, or ops-token for the service token); NULL before this
-- migration, when nobody was recorded.
ALTER TABLE collections ADD COLUMN collected_by TEXT;
