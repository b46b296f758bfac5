-- Measured: migration 230's batch function spent about 1,000 us of PostgreSQL CPU per deposit on a new
-- database, where it should spend about 200. PL/pgSQL keeps a plan for each of its statements for the
-- whole session, and on a new database those plans were made while deposits and shoppers were nearly
-- empty: sequential scans (of deposits for the rolling-window usage, of shoppers for the codes), which the
-- cached plans go on doing as the tables grow; nothing replans them until the tables are analysed.
-- Planning every call afresh (plan_cache_mode = force_custom_plan) was tried: 1.8 ms of planning per call
-- for the first statement alone. Every statement of the function looks up a batch's few rows by key, so
-- its plans are made once per session and made of index lookups in nested loops whatever the table sizes
-- are. These settings hold inside the function only; they change which plan is chosen, never a result.
ALTER FUNCTION cashin_credit_deposit_batch(TEXT[], TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], INTEGER[],
  BIGINT, BIGINT, BIGINT, BIGINT, BIGINT[], BIGINT[], BIGINT[], BIGINT[], BIGINT[], BIGINT[], BIGINT[])
  SET plan_cache_mode = force_generic_plan
  SET enable_seqscan = off
  SET enable_hashjoin = off
  SET enable_mergejoin = off;
