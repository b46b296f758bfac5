-- Ops may ask a kiosk, from the console, to send its set-aside deposits again: the request (its id, when and
-- by whom) waits here until the kiosk reports what came of it in a heartbeat; the report is then kept as the
-- last result (JSON, checked by a schema where it is read) and the request is cleared.
ALTER TABLE terminals ADD COLUMN set_aside_retry_id TEXT;
ALTER TABLE terminals ADD COLUMN set_aside_retry_requested_at_ms BIGINT;
ALTER TABLE terminals ADD COLUMN set_aside_retry_requested_by TEXT;
ALTER TABLE terminals ADD COLUMN set_aside_retry_result_json TEXT;
