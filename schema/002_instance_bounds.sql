-- The one instance of a non-recurring VEVENT whose start and end are exact UTC instants (UTC
-- values, or TZIDs defined by a VTIMEZONE inside the object): epoch ms of its start and of the
-- end the RFC 4791 §9.9 VEVENT test uses (DTEND, DTSTART+DURATION, or DTSTART again for a
-- zero-length event). calendar-query decides a plain VEVENT time-range on such an object from
-- these two columns without parsing it. NULL = not known exactly (recurring, floating or DATE
-- times, TZIDs without a VTIMEZONE, other component types, rows written before this migration
-- or copied by COPY): the object is parsed and evaluated as before.
-- Added at the end of the row (after data): ALTER TABLE cannot insert columns, and a rebuild of
-- every stored object is not worth it; objects of a few KB keep the whole row on one page.
ALTER TABLE objects ADD COLUMN instance_start INTEGER;
ALTER TABLE objects ADD COLUMN instance_end INTEGER;
