-- Ops revoke a terminal key when its device is lost or stolen (a `lost` key rotation, or a revocation of a
-- key a `replaced` rotation retired): from then on every request signed with it is refused, sync batches
-- included, and its receipts redeem nothing. Kept on the key's row, which every server process reads;
-- revoked_by names who did it (a staff id, or ops-token for the service token). A revoked current key
-- also leaves terminals.public_key NULL until a new device enrolls.
ALTER TABLE terminal_keys ADD COLUMN revoked_at_ms BIGINT;
ALTER TABLE terminal_keys ADD COLUMN revoked_by TEXT;
