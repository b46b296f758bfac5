-- The suspense queue lists held claims oldest first, a page at a time (suspense-queue.ts): this index
-- reads them in that order and skips the claimed ones, however many there are.
CREATE INDEX claims_held ON claims (created_at_ms, id) WHERE redeemed_transfer_id IS NULL;
