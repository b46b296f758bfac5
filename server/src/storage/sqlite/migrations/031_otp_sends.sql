-- One-time code messages sent to a phone in the current window (limits: otpSendsMax per otpSendsWindowMs).
-- Kept on the phone's challenge row, which a new code replaces without resetting these two columns.
ALTER TABLE otp_challenges ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
ALTER TABLE otp_challenges ADD COLUMN sends_window_start_ms INTEGER NOT NULL DEFAULT 0;
