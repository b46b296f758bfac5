-- Family accounts. A child's wallet is a shopper row with a parent: its own wallet account and deposit
-- code, masked name at tills, limits by tier like anyone's. A child never signs in, so it has no phone;
-- the phone column is NOT NULL UNIQUE (as on SQLite, where it cannot be relaxed in place), so a child's
-- holds 'child:' and its id, which no E.164 number (what sign-in accepts) can equal.
ALTER TABLE shoppers ADD COLUMN parent_shopper_id TEXT REFERENCES shoppers (id);
CREATE INDEX shoppers_parent ON shoppers (parent_shopper_id) WHERE parent_shopper_id IS NOT NULL;

-- Caps a parent set on a wallet, in minor units; NULL is no cap of that kind. Keyed by the wallet account,
-- which every deposit path already has in hand.
CREATE TABLE wallet_caps (
  wallet_account_id TEXT PRIMARY KEY REFERENCES accounts (id),
  deposit_max_minor BIGINT CHECK (deposit_max_minor IS NULL OR deposit_max_minor > 0),
  daily_max_minor BIGINT CHECK (daily_max_minor IS NULL OR daily_max_minor >= 0),
  set_by_shopper_id TEXT NOT NULL REFERENCES shoppers (id),
  updated_at_ms BIGINT NOT NULL
);

-- The caps hold on every path that writes a deposit, including the batched stored function of migrations
-- 006/007, which this migration leaves as it is. A deposit recorded as plainly 'credited' into a capped
-- wallet must fit the caps; one that does not raises here. Inside the batch that exception undoes that
-- element alone and answers 'fallback', and the general path (deposits/credit-deposit.ts) then refuses it
-- with FAMILY_CAP_EXCEEDED, or, when the cash is already taken, credits it 'inReview', which passes. The
-- caps row is locked first, so two deposits into one capped wallet are counted one after the other.
-- Uncapped wallets pay one primary-key probe that finds nothing.
CREATE FUNCTION cashin_wallet_caps_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_caps RECORD;
  v_day BIGINT;
BEGIN
  IF NEW.status <> 'credited' OR NEW.wallet_account_id IS NULL THEN
    RETURN NEW;
  END IF;
  SELECT deposit_max_minor, daily_max_minor INTO v_caps
    FROM wallet_caps WHERE wallet_account_id = NEW.wallet_account_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NEW;
  END IF;
  IF v_caps.deposit_max_minor IS NOT NULL AND NEW.amount_minor > v_caps.deposit_max_minor THEN
    RAISE EXCEPTION 'deposit % passes the per-deposit cap of its wallet', NEW.transfer_id USING ERRCODE = 'check_violation';
  END IF;
  IF v_caps.daily_max_minor IS NOT NULL THEN
    SELECT COALESCE(SUM(amount_minor), 0) INTO v_day FROM deposits
     WHERE wallet_account_id = NEW.wallet_account_id AND created_at_ms > NEW.created_at_ms - 86400000
       AND status IN ('credited', 'inReview');
    IF v_day + NEW.amount_minor > v_caps.daily_max_minor THEN
      RAISE EXCEPTION 'deposit % passes the daily cap of its wallet', NEW.transfer_id USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER deposits_wallet_caps BEFORE INSERT ON deposits
  FOR EACH ROW EXECUTE FUNCTION cashin_wallet_caps_guard();

-- Where shoppers can find a store.
ALTER TABLE stores ADD COLUMN address TEXT;

-- The wallet lists a till deposit as pending between authorize and commit: authorizations still open are
-- found by their code, and a shopper's codes (revoked ones too) by their shopper.
CREATE INDEX till_authorizations_open_code ON till_authorizations (code) WHERE status = 'authorized';
CREATE INDEX deposit_codes_shopper ON deposit_codes (shopper_id);
