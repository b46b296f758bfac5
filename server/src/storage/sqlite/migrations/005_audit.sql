-- A hash-chained audit log with one chain per subject (a wallet account, a shopper). Every money change
-- to a wallet already locks that wallet's row, so appending to the wallet's own chain adds no contention;
-- one global chain would be a single hot row that every transaction in the network queues on.
-- h(n) = SHA-256(text(n) ‖ h(n-1)), where text(n) is "chain|seq|at_ms|kind|data" over the stored columns,
-- so the verifier needs nothing but the rows.
CREATE TABLE audit_heads (
  chain TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE audit_log (
  chain TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (chain, seq)
);
