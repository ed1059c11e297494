-- Whether a body is "XML-plain" (src/xml/serialize.ts isXmlPlain): valid UTF-8 whose only
-- character needing work in XML character data is CR. A multiget then neither scans nor escapes
-- the body (issue 13, DAVx5's initial sync). Set by every write; NULL = rows stored before this
-- column, rendered as before (escaped in full) until they are written again. smallint as in
-- SQLite, so that `sundial migrate-to-postgres` copies it unchanged.
ALTER TABLE objects ADD COLUMN xml_plain smallint CHECK (xml_plain IN (0, 1));
