-- Ops work the review queue: a deposit held for review is cleared (kept credited) by someone with a note,
-- or reversed; a deposit that took the shopper's day past the cash-report threshold stays due until the
-- report's reference is recorded. Who and when are kept on the deposit (and in the audit log).
ALTER TABLE deposits ADD COLUMN reviewed_by TEXT;
ALTER TABLE deposits ADD COLUMN reviewed_at_ms BIGINT;
ALTER TABLE deposits ADD COLUMN review_note TEXT;
ALTER TABLE deposits ADD COLUMN cash_report_reference TEXT;
ALTER TABLE deposits ADD COLUMN cash_report_filed_by TEXT;
ALTER TABLE deposits ADD COLUMN cash_report_filed_at_ms BIGINT;
-- The queue, oldest first, without reading the deposits that need nothing (nearly all of them, which
-- never enter this index). Queries repeat the WHERE term word for word, so the planner can use it.
CREATE INDEX deposits_attention ON deposits (created_at_ms, transfer_id)
  WHERE status = 'inReview' OR (cash_report_flag = 1 AND cash_report_filed_at_ms IS NULL);
