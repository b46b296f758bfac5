-- What the deposits a terminal holds set aside come to, as its last heartbeat said (NULL: its software does
-- not say). Their cash is in the bag and in no ledger entry, so the bag's collection counts over by as much;
-- the collection form warns of it.
ALTER TABLE terminals ADD COLUMN set_aside_total_minor BIGINT;
