-- The covering index of SQLite's 012 (see there): listings and multiget size reads by index-only
-- scans, not by heap rows that carry the ~1 KB bodies inline (below the TOAST threshold).
-- INCLUDE keeps the payload out of the key (PostgreSQL 11+).
CREATE INDEX objects_listing ON objects (collection_id, name) INCLUDE (etag, classification, content_type, size, modified_at, created_at, schedule_tag);
