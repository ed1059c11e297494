// CardDAV preconditions (RFC 6352 §6.3.2.1 PUT/COPY/MOVE, §8.6 addressbook-query), rendered by
// the one DavError renderer like the CalDAV ones in errors.ts. RFC 6352 defines no valid-filter;
// a filter that breaks §10.5's grammar answers CARDDAV:valid-filter as RFC 4791 §7.7 does for
// CalDAV (sabre/dav and Radicale answer a bare 400 or 403).
import { CARDDAV_QUERY as CR } from '../xml/names.js';
import { el } from '../xml/serialize.js';
import type { VCardError } from '../vcard/errors.js';
import { DavError } from './errors.js';

export const validAddressData = (why: string) => new DavError(403, CR.validAddressData, why);
export const supportedAddressData = (why: string) => new DavError(403, CR.supportedAddressData, why);
export const cardMaxResourceSize = (why: string) => new DavError(403, CR.maxResourceSize, why);
/** §10.3.1 (address-data in a REPORT): a content-type or version the server cannot return. */
export const supportedAddressDataConversion = (why: string) => new DavError(403, CR.supportedAddressDataConversion, why);
export const cardValidFilter = (why: string) => new DavError(403, CR.validFilter, why);
export const cardSupportedCollation = (why: string) => new DavError(403, CR.supportedCollation, why);

/** §8.6: the filter names a property or parameter no query can read; the element names it
 *  ("Servers SHOULD report the CARDDAV:prop-filter or CARDDAV:param-filter"). */
export function cardSupportedFilter(why: string, element: 'prop-filter' | 'param-filter', name: string): DavError {
  return new DavError(403, CR.supportedFilter, why, [el(element === 'prop-filter' ? CR.propFilter : CR.paramFilter, [], { name })]);
}

/** A vCard refused by src/vcard/ as the precondition it names (PUT, COPY, MOVE). */
export function davErrorOfVCard(err: VCardError): DavError {
  switch (err.condition) {
    case 'max-resource-size': return cardMaxResourceSize(err.message);
    case 'supported-address-data': return supportedAddressData(err.message);
    default: return validAddressData(err.message);
  }
}
