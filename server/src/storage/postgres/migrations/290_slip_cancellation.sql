-- When the shopper cancelled an open payment slip (NULL: never cancelled). A cancelled slip starts no
-- deposit; cash a kiosk already took against it is credited and held for review (slipCancelled).
ALTER TABLE slips ADD COLUMN cancelled_at_ms BIGINT;
