// The CardDAV preconditions a vCard can fail on PUT/COPY/MOVE and import (RFC 6352 §6.3.2.1).
// dav/ maps `condition` to the status and the <CR:…/> element; nothing here knows HTTP.

export type VCardCondition =
  | 'valid-address-data' // not UTF-8, not one well-formed vCard, UID/FN/VERSION missing, limits
  | 'supported-address-data' // a media type or vCard version other than text/vcard 3.0 / 4.0
  | 'max-resource-size'; // larger than the configured size (CARDDAV:max-resource-size)

export class VCardError extends Error {
  override name = 'VCardError';
  constructor(
    readonly condition: VCardCondition,
    message: string,
    /** The 1-based physical line the problem was found on, when there is one. */
    readonly line: number | null = null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`);
  }
}
