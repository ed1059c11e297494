// Turning a body into what the store keeps for an address object resource (RFC 6352 §5.1,
// §6.3.2): one vCard 3.0 or 4.0 with UID, FN and VERSION (vcard/validate.ts), validated once on
// write; the UID goes into its column so no-uid-conflict is the store's unique index, as for
// calendar objects (calendar-objects.ts). The bytes are stored as sent.
import type { ObjectInput } from '../store/types.js';
import { checkVCardMediaType, decodeVCard, validateVCard, type VCardLimits } from '../vcard/validate.js';
import { VCardError } from '../vcard/errors.js';
import { davErrorOfVCard } from './carddav-errors.js';

// A generic type says nothing about the body, which is then read as a vCard (as put.ts does for
// calendars: sync tools and curl send text/plain or application/octet-stream, fetch() adds
// text/plain to a string body). Anything else must be a vCard type (checkVCardMediaType).
const GENERIC_TYPE = /^\s*(text\/plain|application\/octet-stream)\s*(;|$)/i;

/** The media type cards are stored and served with (RFC 6350 §10.1). */
export const VCARD_CONTENT_TYPE = 'text/vcard; charset=utf-8';

/**
 * The store input of a card PUT, COPYed or MOVEd into an address book; `contentType` is the
 * request's (checked: RFC 6352 §6.3.2.1 supported-address-data), absent for COPY/MOVE. Throws the
 * CardDAV precondition: valid-address-data, supported-address-data, max-resource-size.
 */
export function cardObjectInput(name: string, data: Buffer, limits: VCardLimits, contentType?: string): ObjectInput {
  try {
    if (contentType !== undefined && !GENERIC_TYPE.test(contentType)) checkVCardMediaType(contentType);
    const info = validateVCard(decodeVCard(data), limits);
    return { name, data, contentType: VCARD_CONTENT_TYPE, uid: info.uid, componentType: null, classification: 'public' };
  } catch (err) {
    if (err instanceof VCardError) throw davErrorOfVCard(err);
    throw err;
  }
}
