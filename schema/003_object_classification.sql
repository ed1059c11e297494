-- The access classification of each calendar object (RFC 5545 §3.8.1.3 CLASS, reduced by
-- src/ical/classification.ts to public / confidential / private): what a sharee may see of it
-- (private: nothing; confidential: busy time only; SPEC "Sharing", docs/clients.md). Written by
-- every PUT, import, COPY and MOVE. NULL = not classified yet: rows stored before this migration.
-- SQL cannot read iCalendar, so the store classifies those rows when it opens the database
-- (src/store/sqlite/classify.ts), once, before it answers anything; until then — and for any
-- row it could not read — the DAV layer treats NULL as private (fail closed).
-- Plain WebDAV resources (no component type) live in owner-only collections: public.
ALTER TABLE objects ADD COLUMN classification TEXT CHECK (classification IN ('public', 'confidential', 'private'));
UPDATE objects SET classification = 'public' WHERE component_type IS NULL;
