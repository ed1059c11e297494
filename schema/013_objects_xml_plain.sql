-- Whether a body is "XML-plain" (src/xml/serialize.ts isXmlPlain): valid UTF-8 whose only
-- character needing work in XML character data is CR. Then a multiget's calendar-data or
-- address-data is the text with each CR written "&#13;", which SQL's replace() produces while the
-- row is read: no scan and no escaping per body in JavaScript (issue 13, DAVx5's initial sync).
-- Set by every write; NULL = not decided yet (rows stored before this column), which the store
-- decides when it opens the database (src/store/sqlite/xml-plain.ts) and reads as 0 meanwhile.
ALTER TABLE objects ADD COLUMN xml_plain INTEGER CHECK (xml_plain IN (0, 1));
-- Holds only the undecided rows, so the check at each open costs nothing once they are decided
-- (as objects_unclassified does for the classification).
CREATE INDEX objects_xml_plain_unknown ON objects (collection_id) WHERE xml_plain IS NULL;
