// The data property a report returns with each object: CALDAV:calendar-data (RFC 4791 §9.6) in
// calendars, CARDDAV:address-data (RFC 6352 §10.4) in address books. Multiget and sync-collection
// are written once (reports/multiget.ts, reports/sync-collection.ts) and ask the descriptor of the
// addressed collection how to read the request element and how to render one object; CalDAV and
// CardDAV each describe their own here, side by side.
import { CALDAV, CARDDAV } from '../xml/names.js';
import type { XmlElement } from '../xml/parse.js';
import type { Collection, StoredObject } from '../store/types.js';
import { isWholeObject } from '../ical/calendar-data.js';
import type { QueryOptions } from '../ical/query-object.js';
import { selectAddressData } from '../vcard/address-data.js';
import type { DavServices } from './handler-types.js';
import type { PropContent } from './properties/index.js';
import type { PropRequest } from './propstats.js';
import type { Resource } from './resources.js';
import { calendarDataElement, parseCalendarDataRequest } from './requests/calendar-data.js';
import { addressDataElement, parseAddressDataRequest } from './requests/address-query.js';

/** The data of one request: how each object's data property is rendered. */
export interface DataRendering {
  /** The stored text answers the request as it is: the row path may send it straight. */
  readonly whole: boolean;
  /** The data property of `obj` (of `collection`) as an extra property of its response. */
  extra(obj: StoredObject, collection: Collection): Promise<Map<string, PropContent>>;
}

export interface DataProperty {
  /** The property's Clark name. */
  readonly name: string;
  /** What the request asks of the data property, or null when it does not ask for it. Throws its 4xx. */
  prepare(root: XmlElement, propReq: PropRequest, svc: DavServices): DataRendering | null;
}

const asks = (propReq: PropRequest, name: string) => propReq.type === 'prop' && propReq.names.includes(name);

/** CALDAV:calendar-data: the stored object, or a selection, expansion or limit of it (query/engine.ts). */
export const CALENDAR_DATA: DataProperty = {
  name: CALDAV.calendarData,
  prepare(root, propReq, svc) {
    if (!asks(propReq, CALDAV.calendarData)) return null;
    const dataReq = parseCalendarDataRequest(calendarDataElement(root));
    // One set of query options per collection, and with it one evaluation budget, for the whole
    // request (not a fresh budget per object).
    const options = new Map<number, QueryOptions>();
    const optionsOf = (c: Collection) => {
      let o = options.get(c.id);
      if (!o) options.set(c.id, (o = svc.queries.optionsFor(c, svc.config)));
      return o;
    };
    return {
      whole: isWholeObject(dataReq),
      extra: (obj, collection) => svc.queries.calendarDataExtra(obj, dataReq, optionsOf(collection)),
    };
  },
};

/**
 * CARDDAV:address-data: the stored card, or the properties the request names (RFC 6352 §10.4.2).
 * A `version` attribute is not converted to: the card comes back as it was PUT, whatever version
 * is asked. DAVx5 asks every multiget for version="4.0" once supported-address-data lists 4.0
 * (dav4jvm DavAddressBook.multiget), and reads 3.0 cards as well; refusing with
 * supported-address-data-conversion (§10.4) would fail its whole sync over any 3.0 card another
 * client stored. The same rule as GET with an Accept of another version (issue 14 item 2).
 */
export const ADDRESS_DATA: DataProperty = {
  name: CARDDAV.addressData,
  prepare(root, propReq) {
    if (!asks(propReq, CARDDAV.addressData)) return null;
    const sel = parseAddressDataRequest(addressDataElement(root));
    return {
      whole: sel.all,
      extra: async (obj) => new Map([[CARDDAV.addressData, selectAddressData(obj.data.toString('utf8'), sel)]]),
    };
  },
};

/** The data property of the objects of a resource's collection: address-data in address books, else calendar-data. */
export function dataPropertyOf(r: Resource): DataProperty {
  const coll = r.kind === 'object' || r.kind === 'missing' ? r.parent : r;
  return coll?.kind === 'addressbook' ? ADDRESS_DATA : CALENDAR_DATA;
}
