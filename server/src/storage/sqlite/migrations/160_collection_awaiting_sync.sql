-- What a collection knew of the kiosk's unsynced deposits: the unsynced total and the time of the heartbeat
-- that reported it (null before this was kept, or when the kiosk never reported), and the part of the
-- expected amount booked as awaiting sync (cash in the bag whose deposits the server had not received yet;
-- their sync settles it, see collections.ts).
ALTER TABLE collections ADD COLUMN unsynced_reported_minor INTEGER;
ALTER TABLE collections ADD COLUMN unsynced_reported_at_ms INTEGER;
ALTER TABLE collections ADD COLUMN awaiting_sync_minor INTEGER NOT NULL DEFAULT 0;
