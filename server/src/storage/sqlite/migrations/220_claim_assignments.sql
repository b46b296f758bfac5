-- Each time ops credit a suspense claim to a shopper (claims/redeem-claim.ts assignClaim), and the undo
-- of it when it went to the wrong shopper (claims/undo-claim-assignment.ts): what the suspense queue shows
-- as the claim's history, and how an undo tells an ops assignment (undoable) from a shopper's own
-- redemption with the code (theirs by proof, never undone). The money itself is in the transfers named.
CREATE TABLE claim_assignments (
  transfer_id TEXT PRIMARY KEY REFERENCES transfers (id),
  claim_id TEXT NOT NULL REFERENCES claims (id),
  shopper_id TEXT NOT NULL REFERENCES shoppers (id),
  reason TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  assigned_at_ms INTEGER NOT NULL,
  -- The compensating transfer (wallet -> suspense) that undid it; NULL while it stands.
  undo_transfer_id TEXT UNIQUE REFERENCES transfers (id),
  undo_reason TEXT,
  undone_by TEXT,
  undone_at_ms INTEGER,
  CHECK ((undo_transfer_id IS NULL) = (undone_at_ms IS NULL))
);
CREATE INDEX claim_assignments_claim ON claim_assignments (claim_id, assigned_at_ms);

-- Assignments made before this table existed, from their audit entries (the only record of the reason
-- and who acted), so a wrong one among them can be undone too. The trail index's term is repeated so the
-- scan skips the deposits, the bulk of the log.
INSERT INTO claim_assignments (transfer_id, claim_id, shopper_id, reason, assigned_by, assigned_at_ms)
SELECT d.transfer_id, d.claim_id, d.shopper_id,
       COALESCE(json_extract(a.data, '$.reason'), ''), COALESCE(json_extract(a.data, '$.by'), 'unknown'),
       a.at_ms
  FROM audit_log a
  JOIN deposits d ON d.transfer_id = json_extract(a.data, '$.transferId')
 WHERE a.kind NOT IN ('deposit.credited', 'deposit.suspense') AND a.kind = 'claim.assigned'
   AND d.claim_id IS NOT NULL AND d.shopper_id IS NOT NULL;
