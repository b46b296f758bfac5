-- The group-committed deposit batch of migration 007 ran migration 140's function once per deposit, each in
-- its own subtransaction: about fifteen statements and a subtransaction per deposit, which measured 390 us
-- of PostgreSQL CPU per deposit at 32 clients, where a plain one-row INSERT per request costs 150. This
-- function credits the same deposits with the same checks and writes the same rows, set-based: each step is
-- one statement for the whole batch (the codes and wallets, the wallet locks, the rolling-window usage, the
-- audit chain heads, then one INSERT per table), and only the arithmetic runs per deposit, in memory.
--
-- A deposit is credited here only when it is the common case: an id not yet in the ledger (and first in
-- the batch), a store drawer or kiosk bag of its currency, an active shopper deposit code (or one within
-- its rotation grace) whose shopper and wallet are in that currency, a wallet with no parent's caps, and,
-- for cash not yet taken, within the wallet's limits. Every other deposit is left out of the answer, writes
-- nothing, and the caller's general path decides it (a replay, suspense with a claim code, a refusal with
-- its details). Limits are weighed exactly as migration 140 weighs them, one deposit after another in
-- arrival order within each wallet, each seeing the ones credited before it; one refused for its limits is
-- not counted.
--
-- Locks are taken in the other paths' order (wallet rows in id order, then audit chain heads in the same
-- order), after which the usage is read with a new snapshot, so it counts every deposit committed by
-- whoever held the locks before. Any error (two processes inserting one new id at once) aborts the whole
-- batch; the caller then runs each deposit alone through the general path.
CREATE FUNCTION cashin_credit_deposit_batch(
  p_id TEXT[], p_code TEXT[], p_code_hash TEXT[], p_code_masked TEXT[], p_amount BIGINT[], p_currency TEXT[],
  p_source TEXT[], p_cash_taken INTEGER[], p_now BIGINT, p_grace_ms BIGINT, p_day_ms BIGINT, p_month_ms BIGINT,
  p_t0_day BIGINT[], p_t0_month BIGINT[], p_t0_count BIGINT[], p_t1_day BIGINT[], p_t1_month BIGINT[],
  p_t1_count BIGINT[], p_report_minor BIGINT[])
RETURNS TABLE (item INTEGER, shopper_name TEXT, status TEXT, review_reason TEXT, cash_report INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
  -- The common deposits, in wallet order (then arrival order): position in the arguments and wallet.
  v_items INTEGER[];
  v_shoppers TEXT[];
  v_names TEXT[];
  v_tiers INTEGER[];
  v_item_wallets TEXT[];
  -- The batch's wallets in id order, and per wallet (same index): usage, audit head, credit.
  v_wallets TEXT[];
  v_day BIGINT[];
  v_day_count BIGINT[];
  v_month BIGINT[];
  v_seq BIGINT[];
  v_hash TEXT[];
  v_credit BIGINT[];
  -- The rows to write, one per credited deposit.
  o_item INTEGER[] := '{}';
  o_wallet TEXT[] := '{}';
  o_shopper TEXT[] := '{}';
  o_status TEXT[] := '{}';
  o_review TEXT[] := '{}';
  o_report INTEGER[] := '{}';
  o_seq BIGINT[] := '{}';
  o_data TEXT[] := '{}';
  o_hash TEXT[] := '{}';
  v_k INTEGER;
  v_n INTEGER;
  v_w INTEGER;
  v_day_max BIGINT;
  v_month_max BIGINT;
  v_count_max BIGINT;
  v_review TEXT;
  v_status TEXT;
  v_data TEXT;
BEGIN
  SELECT array_agg(c.n ORDER BY c.wallet, c.n), array_agg(c.shopper ORDER BY c.wallet, c.n),
         array_agg(c.name ORDER BY c.wallet, c.n), array_agg(c.tier ORDER BY c.wallet, c.n),
         array_agg(c.wallet ORDER BY c.wallet, c.n)
    INTO v_items, v_shoppers, v_names, v_tiers, v_item_wallets
    FROM (
      SELECT a.n::INTEGER AS n, s.id AS shopper, s.name, s.kyc_tier AS tier, s.wallet_account_id AS wallet,
             row_number() OVER (PARTITION BY a.id ORDER BY a.n) AS copy
        FROM unnest(p_id, p_code, p_amount, p_currency, p_source) WITH ORDINALITY
               AS a(id, code, amount, currency, source, n)
        JOIN deposit_codes dc ON dc.code = a.code
        JOIN shoppers s ON s.id = dc.shopper_id
        JOIN accounts w ON w.id = s.wallet_account_id
        JOIN accounts src ON src.id = a.source
       WHERE (dc.status = 'active' OR (dc.revoked_at_ms IS NOT NULL AND p_now - dc.revoked_at_ms < p_grace_ms))
         AND s.currency = a.currency AND w.currency = a.currency AND w.keeps_running_balance = 1
         AND src.kind IN ('storeDrawer', 'kioskBag') AND src.currency = a.currency
         AND a.amount > 0
         AND NOT EXISTS (SELECT 1 FROM wallet_caps wc WHERE wc.wallet_account_id = w.id)
         AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.id = a.id)
    ) c
   WHERE c.copy = 1;
  IF v_items IS NULL THEN
    RETURN;
  END IF;

  SELECT array_agg(DISTINCT x ORDER BY x) INTO v_wallets FROM unnest(v_item_wallets) AS x;
  PERFORM 1 FROM accounts WHERE id = ANY (v_wallets) ORDER BY id FOR UPDATE;
  SELECT array_agg(COALESCE(u.day, 0) ORDER BY w.id), array_agg(COALESCE(u.day_count, 0) ORDER BY w.id),
         array_agg(COALESCE(u.month, 0) ORDER BY w.id)
    INTO v_day, v_day_count, v_month
    FROM unnest(v_wallets) AS w(id)
    LEFT JOIN (
      SELECT d.wallet_account_id AS id,
             SUM(CASE WHEN d.created_at_ms > p_now - p_day_ms THEN d.amount_minor ELSE 0 END) AS day,
             COUNT(CASE WHEN d.created_at_ms > p_now - p_day_ms THEN 1 END) AS day_count,
             SUM(d.amount_minor) AS month
        FROM deposits d
       WHERE d.wallet_account_id = ANY (v_wallets) AND d.created_at_ms > p_now - p_month_ms
         AND d.status IN ('credited', 'inReview')
       GROUP BY d.wallet_account_id
    ) u ON u.id = w.id;
  INSERT INTO audit_heads (chain, seq, hash)
    SELECT x, 0, repeat('0', 64) FROM unnest(v_wallets) AS x
    ON CONFLICT DO NOTHING;
  SELECT array_agg(h.seq ORDER BY h.chain), array_agg(h.hash ORDER BY h.chain)
    INTO v_seq, v_hash
    FROM (SELECT chain, seq, hash FROM audit_heads WHERE chain = ANY (v_wallets) ORDER BY chain FOR UPDATE) h;
  v_credit := array_fill(0::BIGINT, ARRAY[array_length(v_wallets, 1)]);

  FOR v_k IN 1 .. array_length(v_items, 1) LOOP
    v_n := v_items[v_k];
    v_w := array_position(v_wallets, v_item_wallets[v_k]);
    IF v_tiers[v_k] = 1 THEN
      v_day_max := p_t1_day[v_n]; v_month_max := p_t1_month[v_n]; v_count_max := p_t1_count[v_n];
    ELSE
      v_day_max := p_t0_day[v_n]; v_month_max := p_t0_month[v_n]; v_count_max := p_t0_count[v_n];
    END IF;
    v_review := NULL;
    IF v_count_max - v_day_count[v_w] <= 0
       OR p_amount[v_n] > GREATEST(0, LEAST(v_day_max - v_day[v_w], v_month_max - v_month[v_w])) THEN
      CONTINUE WHEN p_cash_taken[v_n] = 0;
      v_review := 'limitExceeded';
    END IF;
    v_status := CASE WHEN v_review IS NULL THEN 'credited' ELSE 'inReview' END;
    item := v_n;
    shopper_name := v_names[v_k];
    status := v_status;
    review_reason := v_review;
    cash_report := CASE WHEN v_day[v_w] + p_amount[v_n] > p_report_minor[v_n] THEN 1 ELSE 0 END;
    v_day[v_w] := v_day[v_w] + p_amount[v_n];
    v_day_count[v_w] := v_day_count[v_w] + 1;
    v_month[v_w] := v_month[v_w] + p_amount[v_n];
    v_credit[v_w] := v_credit[v_w] + p_amount[v_n];
    v_seq[v_w] := v_seq[v_w] + 1;
    v_data := json_build_object('depositId', p_id[v_n], 'code', p_code_masked[v_n], 'amountMinor', p_amount[v_n],
                                'currency', p_currency[v_n], 'source', p_source[v_n], 'status', v_status)::TEXT;
    v_hash[v_w] := encode(sha256(convert_to(v_wallets[v_w] || '|' || v_seq[v_w] || '|' || p_now
                                            || '|deposit.credited|' || v_data || v_hash[v_w], 'UTF8')), 'hex');
    o_item := o_item || v_n;
    o_wallet := o_wallet || v_wallets[v_w];
    o_shopper := o_shopper || v_shoppers[v_k];
    o_status := o_status || v_status;
    o_review := o_review || v_review;
    o_report := o_report || cash_report;
    o_seq := o_seq || v_seq[v_w];
    o_data := o_data || v_data;
    o_hash := o_hash || v_hash[v_w];
    RETURN NEXT;
  END LOOP;
  IF array_length(o_item, 1) IS NULL THEN
    RETURN;
  END IF;

  INSERT INTO transfers (id, debit_account_id, credit_account_id, amount_minor, currency, code, reverses_id, reason,
                         created_at_ms)
    SELECT p_id[o.n], p_source[o.n], o.wallet, p_amount[o.n], p_currency[o.n], 'deposit', NULL, NULL, p_now
      FROM unnest(o_item, o_wallet) AS o(n, wallet);
  UPDATE accounts a SET credits_posted = a.credits_posted + c.amount
    FROM unnest(v_wallets, v_credit) AS c(id, amount)
   WHERE a.id = c.id AND c.amount > 0;
  INSERT INTO deposits (transfer_id, shopper_id, wallet_account_id, code_hash, code_masked, amount_minor, currency,
                        source_account_id, cash_already_taken, status, review_reason, cash_report_flag, claim_id,
                        created_at_ms)
    SELECT p_id[o.n], o.shopper, o.wallet, p_code_hash[o.n], p_code_masked[o.n], p_amount[o.n], p_currency[o.n],
           p_source[o.n], p_cash_taken[o.n], o.status, o.review, o.report, NULL, p_now
      FROM unnest(o_item, o_wallet, o_shopper, o_status, o_review, o_report) AS o(n, wallet, shopper, status, review, report);
  INSERT INTO audit_log (chain, seq, at_ms, kind, data, hash)
    SELECT o.wallet, o.seq, p_now, 'deposit.credited', o.data, o.hash
      FROM unnest(o_wallet, o_seq, o_data, o_hash) AS o(wallet, seq, data, hash);
  UPDATE audit_heads h SET seq = c.seq, hash = c.hash
    FROM unnest(v_wallets, v_seq, v_hash, v_credit) AS c(chain, seq, hash, credit)
   WHERE h.chain = c.chain AND c.credit > 0;
END
$$;
