-- The server keys a terminal's last heartbeat said it believes (a JSON array of public keys; NULL: its
-- software does not say), so ops can see when every kiosk holds the next key of a rollover.
ALTER TABLE terminals ADD COLUMN server_keys_json TEXT;
