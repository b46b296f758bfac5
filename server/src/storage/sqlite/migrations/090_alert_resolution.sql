-- An operator closes an alert that no condition closes by itself (lost coin events, a sync conflict) once
-- they have looked, and says what they found. An alert its condition closed keeps NULLs in both.
ALTER TABLE alerts ADD COLUMN resolved_by TEXT;
ALTER TABLE alerts ADD COLUMN resolution_note TEXT;
