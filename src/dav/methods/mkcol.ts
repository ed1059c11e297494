// MKCOL (RFC 4918 §9.3) and extended MKCOL (RFC 5689): a plain WebDAV collection, or — when the
// requested resourcetype includes CALDAV:calendar — a calendar with initial properties, or — with
// CARDDAV:addressbook — an address book (RFC 6352 §6.3.1: address books are made by extended
// MKCOL only, so a plain MKCOL in the address-book home makes a plain collection, as litmus and
// generic WebDAV clients expect). Calendars go directly into the calendar home, address books
// directly into the address-book home; nothing goes inside either (RFC 4791 §4.2, RFC 6352 §5.2).
// A body that is not an extended-MKCOL request is 415 (§9.3: "unsupported request body").
import { CALDAV, CARDDAV, DAV } from '../../xml/names.js';
import { XmlError, parseXml } from '../../xml/parse.js';
import type { MethodHandler } from '../handler-types.js';
import { DavError, addressbookCollectionLocationOk, badRequest, calendarCollectionLocationOk, conflict, methodNotAllowed, unsupportedMediaType } from '../errors.js';
import { allowHeader } from '../allow.js';
import { parseInstructions } from '../property-update.js';
import { createCollectionWithProps } from '../create-collection.js';

export const mkcol: MethodHandler = async (req, svc, resource) => {
  // RFC 4918 §9.3.1: MKCOL where something exists is 405.
  if (resource.kind !== 'missing') throw methodNotAllowed(allowHeader(resource), 'Something already exists at this URL');
  const raw = await req.body(svc.config.maxXmlSize, () => new DavError(413, null, 'MKCOL body too large'));
  let instructions: ReturnType<typeof parseInstructions> = [];
  let kind: 'calendar' | 'addressbook' | 'plain' = 'plain';
  if (raw.length > 0) {
    const type = req.header('content-type') ?? '';
    if (!/xml/i.test(type)) throw unsupportedMediaType('MKCOL accepts no body other than an extended MKCOL request');
    let root;
    try {
      root = parseXml(raw); // bytes: refused unless UTF-8
    } catch (err) {
      if (err instanceof XmlError) throw badRequest(`Malformed XML: ${err.message}`);
      throw err;
    }
    if (root.name !== DAV.mkcol) throw unsupportedMediaType('Expected a DAV:mkcol body (RFC 5689)');
    instructions = parseInstructions(root, 'mkcol');
    const rt = instructions.find((i) => i.name === DAV.resourcetype);
    if (rt?.element) {
      const types = rt.element.children.map((c) => c.name);
      if (types.some((t) => t !== DAV.collection && t !== CALDAV.calendar && t !== CARDDAV.addressbook) || (types.includes(CALDAV.calendar) && types.includes(CARDDAV.addressbook))) {
        throw new DavError(403, DAV.validResourcetype, 'Only collections, calendars and address books can be created');
      }
      if (types.includes(CALDAV.calendar)) kind = 'calendar';
      else if (types.includes(CARDDAV.addressbook)) kind = 'addressbook';
    }
    instructions = instructions.filter((i) => i.name !== DAV.resourcetype);
  }
  const parent = resource.parent;
  if (parent === null) throw conflict('The parent collection does not exist');
  if (kind === 'calendar' && (parent.kind !== 'home' || parent.home !== 'calendars')) throw calendarCollectionLocationOk('Calendars are created directly in the calendar home');
  if (kind === 'addressbook' && (parent.kind !== 'home' || parent.home !== 'addressbooks')) throw addressbookCollectionLocationOk('Address books are created directly in the address-book home');
  if (parent.kind === 'calendar') throw calendarCollectionLocationOk('Collections cannot be created inside a calendar');
  if (parent.kind === 'addressbook') throw addressbookCollectionLocationOk('Collections cannot be created inside an address book');
  return createCollectionWithProps(svc, resource, parent, kind, instructions, DAV.mkcolResponse);
};
