-- Wrong one-time codes per phone over all its codes (limits: otpPhoneFailuresMax per otpPhoneWindowMs).
-- Kept on the phone's challenge row, which a new code replaces without touching these two columns.
ALTER TABLE otp_challenges ADD COLUMN phone_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE otp_challenges ADD COLUMN phone_window_start_ms INTEGER NOT NULL DEFAULT 0;
