-- What a terminal's offline receipts credited that its sync has not yet matched: a receipt redemption
-- sums it to bound what a kiosk key alone can move (redeem-receipt.ts). Partial, so only those few rows
-- are indexed; the query repeats the WHERE term word for word so the planner can use it.
CREATE INDEX kiosk_deposits_receipts_awaiting_sync ON kiosk_deposits (terminal_id, total_minor)
  WHERE source = 'receipt' AND fields_json IS NULL;
