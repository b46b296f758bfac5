-- Group commit on PostgreSQL: the deposits that arrive while a call is in flight travel together, as
-- arrays, in one round trip and one COMMIT (one WAL flush), instead of one transaction and one flush each.
-- Each element runs the very function of migration 006 (so the batched and the single path cannot drift
-- apart) inside its own exception block: an error in one element rolls back that element alone and
-- answers 'fallback', and the caller's general path then handles (or reports) it on its own. The others
-- commit. Elements run in wallet order, so two batches in flight (from one process or several) lock wallet
-- rows and audit chain heads in the same order and cannot deadlock; deposits to the same wallet keep their
-- arrival order. Every array has one entry per deposit; the caller keeps a batch at or under 64 elements,
-- the subtransactions one backend caches without overflowing into pg_subtrans.
CREATE FUNCTION cashin_credit_deposits(
  p_id TEXT[], p_code TEXT[], p_code_hash TEXT[], p_code_masked TEXT[], p_amount BIGINT[], p_currency TEXT[],
  p_source TEXT[], p_cash_taken INTEGER[], p_now BIGINT[], p_grace_ms BIGINT[], p_day_ms BIGINT, p_month_ms BIGINT,
  p_t0_day BIGINT[], p_t0_month BIGINT[], p_t0_count BIGINT[], p_t1_day BIGINT[], p_t1_month BIGINT[],
  p_t1_count BIGINT[], p_report_minor BIGINT[])
RETURNS TABLE (item INTEGER, outcome TEXT, shopper_name TEXT, status TEXT, review_reason TEXT, cash_report INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
  v_i INTEGER;
  v_one RECORD;
BEGIN
  FOR v_i IN
    SELECT c.n::INTEGER
      FROM unnest(p_code) WITH ORDINALITY AS c(code, n)
      LEFT JOIN deposit_codes dc ON dc.code = c.code
      LEFT JOIN shoppers s ON s.id = dc.shopper_id
     ORDER BY s.wallet_account_id NULLS LAST, c.n
  LOOP
    BEGIN
      SELECT f.outcome, f.shopper_name, f.status, f.review_reason, f.cash_report INTO v_one
        FROM cashin_credit_deposit(p_id[v_i], p_code[v_i], p_code_hash[v_i], p_code_masked[v_i], p_amount[v_i],
                                   p_currency[v_i], p_source[v_i], p_cash_taken[v_i], p_now[v_i], p_grace_ms[v_i],
                                   p_day_ms, p_month_ms, p_t0_day[v_i], p_t0_month[v_i], p_t0_count[v_i],
                                   p_t1_day[v_i], p_t1_month[v_i], p_t1_count[v_i], p_report_minor[v_i]) AS f;
    EXCEPTION WHEN OTHERS THEN
      -- This element's writes are undone; the general path retries it alone and answers for it.
      item := v_i; outcome := 'fallback'; shopper_name := NULL; status := NULL; review_reason := NULL;
      cash_report := 0;
      RETURN NEXT;
      CONTINUE;
    END;
    item := v_i;
    outcome := v_one.outcome;
    shopper_name := v_one.shopper_name;
    status := v_one.status;
    review_reason := v_one.review_reason;
    cash_report := v_one.cash_report;
    RETURN NEXT;
  END LOOP;
END
$$;
