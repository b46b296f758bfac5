-- What each alert is about, as JSON data (AlertFactsSchema), beside the English `detail`, so the ops console
-- can say it in the reader's language, and so an open alert about deposits can add the ones a later batch
-- names instead of replacing them. Alerts raised before this migration keep a NULL and show their detail.
ALTER TABLE alerts ADD COLUMN facts_json TEXT;
