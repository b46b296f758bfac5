-- Every deposit credits a wallet, and there are as many wallets as shoppers: an index on
-- (credit_account_id, ...) over deposits takes each new deposit to a different leaf page, so a kiosk's
-- sync batch of 500 deposits rewrote hundreds of scattered pages of this one index into the WAL (measured
-- in interleaved runs: a 100,000-deposit drain took 17.9 s with it and 15.2 s without). Nothing needs it
-- for deposits: a wallet's deposits are found through deposits_wallet_time, and the accounts whose totals
-- are summed from their transfers (drawers, bags, suspense, ...) are never credited by a deposit (the
-- ledger refuses it). So the index keeps every other credit: reversals into a drawer or bag, claims,
-- adjustments, suspense.
DROP INDEX transfers_credit;
CREATE INDEX transfers_credit_not_deposit ON transfers (credit_account_id, amount_minor) WHERE code <> 'deposit';
