// RFC 6352 (CardDAV) properties: of address books (§6.2: addressbook-description,
// supported-address-data, max-resource-size; §8.3.1 supported-collation-set) and of principals
// (§7.1.1 addressbook-home-set). The generic ones — displayname, getctag, sync-token,
// current-user-privilege-set, resourcetype — are defined once in webdav.ts, caldav.ts and
// calendarserver.ts with the address book among their kinds.
// CARDDAV:principal-address (§7.1.2) is not defined: it names the card that represents the
// principal, and Sundial keeps none (a PROPFIND answers it 404, which §7.1.2 allows).
import { CARDDAV } from '../../xml/names.js';
import { textOf } from '../../xml/parse.js';
import { SUPPORTED_CARD_COLLATIONS } from '../../vcard/filter.js';
import { addressbookHomeHref } from '../paths.js';
import { PropertyRejected, defineProperty } from './registry.js';
import { el, hrefNode } from './values.js';

// DAVx5, iOS and Thunderbird find the address books here after current-user-principal.
defineProperty({
  name: CARDDAV.addressbookHomeSet, kinds: ['principal'], allprop: false, protected: true,
  get: (r) => (r.kind === 'principal' ? [hrefNode(addressbookHomeHref(r.user.username))] : undefined),
});

defineProperty({
  name: CARDDAV.addressbookDescription, kinds: ['addressbook'], allprop: false, protected: false,
  get: (r) => (r.kind === 'addressbook' ? r.collection.description ?? undefined : undefined),
  set: (_r, value) => {
    if (value === null) return { description: null };
    const text = textOf(value);
    if (text.length > 10_000) throw new PropertyRejected(409, 'addressbook-description longer than 10000 characters');
    return { description: text };
  },
});

// §6.2.2: the media types and versions a PUT may store; cards are kept and returned as stored.
defineProperty({
  name: CARDDAV.supportedAddressData, kinds: ['addressbook'], allprop: false, protected: true,
  get: () => [
    { name: CARDDAV.addressDataType, attrs: { 'content-type': 'text/vcard', version: '3.0' } },
    { name: CARDDAV.addressDataType, attrs: { 'content-type': 'text/vcard', version: '4.0' } },
  ],
});

// §6.2.3: the largest card PUT accepts (the same limit as calendar objects, --max-resource-size).
defineProperty({
  name: CARDDAV.maxResourceSize, kinds: ['addressbook'], allprop: false, protected: true,
  get: (_r, ctx) => String(ctx.config.maxResourceSize),
});

// §8.3.1: the collations text-match takes (i;ascii-casemap and i;unicode-casemap are required).
defineProperty({
  name: CARDDAV.supportedCollationSet, kinds: ['addressbook'], allprop: false, protected: true,
  get: () => SUPPORTED_CARD_COLLATIONS.map((c) => el(CARDDAV.supportedCollation, [c])),
});
