-- A sign-up waiting for its code: the details it asked for, kept on the phone's challenge row until the
-- code texted for it is verified (then the wallet is opened with them) or a newer code replaces it.
-- A null currency: the phone's code is not a sign-up's (a sign-up's name may be null).
ALTER TABLE otp_challenges ADD COLUMN sign_up_name TEXT;
ALTER TABLE otp_challenges ADD COLUMN sign_up_language TEXT;
ALTER TABLE otp_challenges ADD COLUMN sign_up_currency TEXT;
-- When the phone's last wrong code came, from anywhere: past otpPhoneFailuresMax, the next guess waits
-- a delay counted from here.
ALTER TABLE otp_challenges ADD COLUMN last_failure_at_ms INTEGER NOT NULL DEFAULT 0;

-- Wrong codes per phone and client IP address (limits: otpAttemptsMax, otpLockoutMs..otpLockoutMsMax,
-- within otpPhoneWindowMs): a guesser locks out only their own address, never the phone's owner.
CREATE TABLE otp_client_guesses (
  phone TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  failures INTEGER NOT NULL,
  window_start_ms INTEGER NOT NULL,
  locks INTEGER NOT NULL,
  locked_until_ms INTEGER NOT NULL,
  PRIMARY KEY (phone, client_ip)
);

-- Code messages and guesses per client IP address in fixed windows (limits: otpSendsPerClientIpMax,
-- otpGuessesPerClientIpMax per otpClientIpWindowMs), shared by every server process.
CREATE TABLE otp_client_windows (
  purpose TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  window_start_ms INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  PRIMARY KEY (purpose, client_ip, window_start_ms)
);
