// addressbook-multiget (RFC 6352 §8.7): the listed cards with the requested properties, usually
// getetag and address-data (RFC 6352 §10.4: the whole card, or the vCard properties it names).
// DAVx5, Thunderbird and iOS fetch changed cards this way after a listing or a sync-collection.
// The batching, limits and streaming are multiget.ts's, the same as calendar-multiget's.
import type { XmlElement } from '../../xml/parse.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { forbidden } from '../errors.js';
import type { Resource } from '../resources.js';
import { ADDRESS_DATA } from '../data-properties.js';
import { multiget } from './multiget.js';

export function addressbookMultiget(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  if (target.kind !== 'addressbook') throw forbidden('addressbook-multiget is supported on address books');
  return multiget(req, svc, target, root, ADDRESS_DATA, 'addressbook-multiget', 'addressbook');
}
