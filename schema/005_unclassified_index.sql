-- The store classifies rows whose classification is NULL every time it opens the database
-- (src/store/sqlite/classify.ts). Without an index that check reads the whole objects table,
-- bodies included, on every start and every CLI command; this partial index holds only the
-- unclassified rows, so once the backfill is done the check finds nothing at no cost.
CREATE INDEX objects_unclassified ON objects (collection_id) WHERE classification IS NULL;
