-- Who committed and who voided each till deposit (till/authorizations.ts): a shift's hand-over counts
-- the cash its own clerk took and gave back, not whoever authorized. Rows from before are credited to
-- the authorizing clerk, which is all that was recorded then.
ALTER TABLE till_authorizations ADD COLUMN committed_by TEXT;
ALTER TABLE till_authorizations ADD COLUMN voided_by TEXT;
UPDATE till_authorizations SET committed_by = clerk_id WHERE committed_at_ms IS NOT NULL;
UPDATE till_authorizations SET voided_by = clerk_id WHERE voided_at_ms IS NOT NULL;
CREATE INDEX till_authorizations_committed_by ON till_authorizations (committed_by, committed_at_ms);
CREATE INDEX till_authorizations_voided_by ON till_authorizations (voided_by, voided_at_ms);

-- A clerk's shift runs from a sign-in with no other live session of theirs until they sign out or every
-- session runs out; a session opened while another is live (a second tab, a reopened browser) carries on
-- its shift (clerks/clerks.ts).
ALTER TABLE clerk_sessions ADD COLUMN shift_started_at_ms INTEGER;
UPDATE clerk_sessions SET shift_started_at_ms = created_at_ms;

-- Ops may disable a clerk (clerks/clerks.ts): every session ends and sign-in is refused until enabled.
ALTER TABLE clerks ADD COLUMN disabled_at_ms INTEGER;
