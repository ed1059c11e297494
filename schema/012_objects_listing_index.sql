-- A covering index for the listings (issue 13): the Depth 1 PROPFIND, the token-less
-- sync-collection and the size read that plans multiget batches ask for the name, etag,
-- classification, content type, size, times and schedule tag of every member, in name order.
-- Without it each row came from the table, whose pages hold the bodies (~1 KB each, three rows a
-- page; and classification and schedule_tag were added after `data` by ALTER TABLE): a 9000-event
-- listing read ~3000 table pages through a 4 MB page cache, ~37 ms of the listing's ~45 ms of
-- server CPU under the profiler. From this index it reads ~330 pages in order.
CREATE INDEX objects_listing ON objects (collection_id, name, etag, classification, content_type, size, modified_at, created_at, schedule_tag);
