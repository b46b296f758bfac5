-- Deposits into one wallet must be weighed against its rolling limits one after the other. Migration
-- 006's function read the wallet's usage without a lock and locked the wallet row only later, when it
-- added the credit, so deposits racing into one wallet from several backends (two server processes, or
-- two batches of migration 007 in flight) each read the same usage and passed the limits together: a
-- tier-0 wallet took $1,200 of plain credits against its $1,000 day. This replaces the function with the
-- same signature and behaviour plus one statement: the wallet's account row is locked (FOR UPDATE) before
-- the usage is read. At READ COMMITTED the usage read is a new statement with a new snapshot, so it sees
-- every deposit committed by whoever held the lock before. The lock order is the other paths' (wallet
-- rows in id order, migration 007 running its elements in wallet order; then the caps row, which the
-- trigger of migration 020 locks; then the audit chain head), so nothing can deadlock. Migration 007's
-- batch calls this function by name and needs no change. Migration 006 says what the function is for;
-- migrations that ran are never edited, hence this one.
CREATE OR REPLACE FUNCTION cashin_credit_deposit(
  p_id TEXT, p_code TEXT, p_code_hash TEXT, p_code_masked TEXT, p_amount BIGINT, p_currency TEXT,
  p_source TEXT, p_cash_taken INTEGER, p_now BIGINT, p_grace_ms BIGINT, p_day_ms BIGINT, p_month_ms BIGINT,
  p_t0_day BIGINT, p_t0_month BIGINT, p_t0_count BIGINT, p_t1_day BIGINT, p_t1_month BIGINT, p_t1_count BIGINT,
  p_report_minor BIGINT)
RETURNS TABLE (outcome TEXT, shopper_name TEXT, status TEXT, review_reason TEXT, cash_report INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
  v_src RECORD;
  v_code RECORD;
  v_day BIGINT;
  v_day_count BIGINT;
  v_month BIGINT;
  v_day_max BIGINT;
  v_month_max BIGINT;
  v_count_max BIGINT;
  v_review TEXT := NULL;
  v_report INTEGER := 0;
  v_status TEXT;
  v_seq BIGINT;
  v_prev TEXT;
  v_data TEXT;
  v_hash TEXT;
BEGIN
  PERFORM 1 FROM transfers WHERE id = p_id;
  IF FOUND THEN
    RETURN QUERY SELECT 'fallback'::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT, 0;
    RETURN;
  END IF;
  SELECT kind, currency INTO v_src FROM accounts WHERE id = p_source;
  IF NOT FOUND OR v_src.kind NOT IN ('storeDrawer', 'kioskBag') OR v_src.currency <> p_currency THEN
    RETURN QUERY SELECT 'fallback'::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT, 0;
    RETURN;
  END IF;
  SELECT dc.status AS code_status, dc.revoked_at_ms, s.id AS shopper_id, s.name, s.currency, s.kyc_tier,
         s.wallet_account_id
    INTO v_code
    FROM deposit_codes dc JOIN shoppers s ON s.id = dc.shopper_id
   WHERE dc.code = p_code;
  IF NOT FOUND
     OR (v_code.code_status <> 'active'
         AND NOT (v_code.revoked_at_ms IS NOT NULL AND p_now - v_code.revoked_at_ms < p_grace_ms))
     OR v_code.currency <> p_currency THEN
    RETURN QUERY SELECT 'fallback'::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT, 0;
    RETURN;
  END IF;

  -- The wallet row first (see the top of this file): a concurrent deposit into this wallet waits here,
  -- and the usage read below, a new statement with a new snapshot, then counts it.
  PERFORM 1 FROM accounts WHERE id = v_code.wallet_account_id FOR UPDATE;
  SELECT COALESCE(SUM(CASE WHEN d.created_at_ms > p_now - p_day_ms THEN d.amount_minor ELSE 0 END), 0),
         COUNT(CASE WHEN d.created_at_ms > p_now - p_day_ms THEN 1 END),
         COALESCE(SUM(d.amount_minor), 0)
    INTO v_day, v_day_count, v_month
    FROM deposits d
   WHERE d.wallet_account_id = v_code.wallet_account_id AND d.created_at_ms > p_now - p_month_ms
     AND d.status IN ('credited', 'inReview');
  IF v_code.kyc_tier = 1 THEN
    v_day_max := p_t1_day; v_month_max := p_t1_month; v_count_max := p_t1_count;
  ELSE
    v_day_max := p_t0_day; v_month_max := p_t0_month; v_count_max := p_t0_count;
  END IF;
  IF v_count_max - v_day_count <= 0
     OR p_amount > GREATEST(0, LEAST(v_day_max - v_day, v_month_max - v_month)) THEN
    IF p_cash_taken = 0 THEN
      RETURN QUERY SELECT 'fallback'::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT, 0;
      RETURN;
    END IF;
    v_review := 'limitExceeded';
  END IF;
  IF v_day + p_amount > p_report_minor THEN
    v_report := 1;
  END IF;

  INSERT INTO transfers (id, debit_account_id, credit_account_id, amount_minor, currency, code, reverses_id, reason, created_at_ms)
  VALUES (p_id, p_source, v_code.wallet_account_id, p_amount, p_currency, 'deposit', NULL, NULL, p_now)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'fallback'::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT, 0;
    RETURN;
  END IF;
  UPDATE accounts SET credits_posted = credits_posted + p_amount WHERE id = v_code.wallet_account_id;
  v_status := CASE WHEN v_review IS NULL THEN 'credited' ELSE 'inReview' END;
  INSERT INTO deposits (transfer_id, shopper_id, wallet_account_id, code_hash, code_masked, amount_minor, currency,
                        source_account_id, cash_already_taken, status, review_reason, cash_report_flag, claim_id, created_at_ms)
  VALUES (p_id, v_code.shopper_id, v_code.wallet_account_id, p_code_hash, p_code_masked, p_amount, p_currency,
          p_source, p_cash_taken, v_status, v_review, v_report, NULL, p_now);

  SELECT h.seq, h.hash INTO v_seq, v_prev FROM audit_heads h WHERE h.chain = v_code.wallet_account_id FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO audit_heads (chain, seq, hash) VALUES (v_code.wallet_account_id, 0, repeat('0', 64)) ON CONFLICT DO NOTHING;
    SELECT h.seq, h.hash INTO v_seq, v_prev FROM audit_heads h WHERE h.chain = v_code.wallet_account_id FOR UPDATE;
  END IF;
  v_seq := v_seq + 1;
  v_data := json_build_object('depositId', p_id, 'code', p_code_masked, 'amountMinor', p_amount,
                              'currency', p_currency, 'source', p_source, 'status', v_status)::TEXT;
  v_hash := encode(sha256(convert_to(v_code.wallet_account_id || '|' || v_seq || '|' || p_now || '|deposit.credited|'
                                     || v_data || v_prev, 'UTF8')), 'hex');
  INSERT INTO audit_log (chain, seq, at_ms, kind, data, hash)
  VALUES (v_code.wallet_account_id, v_seq, p_now, 'deposit.credited', v_data, v_hash);
  UPDATE audit_heads SET seq = v_seq, hash = v_hash WHERE chain = v_code.wallet_account_id;

  RETURN QUERY SELECT 'created'::TEXT, v_code.name, v_status, v_review, v_report;
END
$$;
