// Properties as small registered definitions (ARCHITECTURE.md "Describe properties, don't branch
// on them"). PROPFIND loops over the registry; adding a property touches one file. Each
// definition says where it applies, whether allprop includes it (RFC 4918 §9.1: allprop returns
// the dead properties and the live properties the spec defines; expensive or RFC 4791 §4.2
// "not returned by allprop" properties are left out), whether it is protected, how to compute it,
// and, for writable ones, how to validate a new value into a collection patch.
import type { XmlElement } from '../../xml/parse.js';
import type { XmlChild } from '../../xml/serialize.js';
import type { CollectionPatch, Store, User } from '../../store/types.js';
import type { ObjectEtag, ObjectRow } from '../../store/objects.js';
import type { Config } from '../../config.js';
import type { Resource } from '../resources.js';

/**
 * A property's value: text, element content, null for an empty element, or a Buffer holding the
 * whole property element already rendered for a multistatus (`propertyBytes`, cached renderings).
 */
export type PropContent = string | XmlChild[] | Buffer | null;

export interface PropContext {
  store: Store;
  config: Config;
  /** The requesting user's home sequence, computed once per request when a home property needs it. */
  homeSeq?: number;
  /** The requesting user (current-user-principal on resources that belong to nobody, such as /). */
  user?: User;
}

export interface PropertyDef {
  name: string;
  kinds: readonly Resource['kind'][];
  /** Included in allprop responses. */
  allprop: boolean;
  /** Not writable by PROPPATCH (403 cannot-modify-protected-property). */
  protected: boolean;
  /** undefined → the property is not defined on this resource (404 propstat). */
  get(r: Resource, ctx: PropContext): PropContent | undefined | Promise<PropContent | undefined>;
  /*
   * What the value costs on an object (issue 13 item 3) — its cost class, `costOf` — and so which
   * paths may compute it. A definition has at most one of these two:
   * - fromEtag: cost 'etag', a pure function of the object's name and etag (getetag,
   *   resourcetype) — it changes only with the bytes, so reports may cache whole responses by etag
   *   (reports/common.ts), and a listing reads three columns;
   * - fromRow: cost 'row', a pure function of the small stored row a listing reads (ObjectRow:
   *   content type, size, dates; getcontenttype, getcontentlength, getlastmodified, creationdate);
   * - neither: 'computed' from the full resource, its body or the request context — such a
   *   property sends a listing or multiget through the general path (propstats.ts).
   * Each returns exactly what `get` answers on the object's resource built from its metadata (a
   * sharee's busy view has `busyView` set on both); fromRow's undefined → not defined on this
   * object (404 propstat, unless a dead property holds it); an 'etag' property is defined on every
   * object. Listings and multigets of 'etag' and 'row'
   * properties, in any combination, read rows and render them straight to text
   * (properties/row-derived.ts, dav/row-listing.ts).
   */
  fromEtag?(o: ObjectEtag): PropContent;
  fromRow?(o: ObjectRow): PropContent | undefined;
  /**
   * Validates a PROPPATCH set (value = the property element) or remove (value = null) into a
   * collection patch; throws a PropertyRejected when the value is not acceptable.
   */
  set?(r: Resource, value: XmlElement | null): CollectionPatch;
}

/** A refused PROPPATCH of one property, with the status of its propstat (RFC 4918 §9.2). */
export class PropertyRejected extends Error {
  constructor(readonly status: number, message: string, readonly condition?: string) {
    super(message);
  }
}

const registry = new Map<string, PropertyDef>();

export function defineProperty(def: PropertyDef): void {
  if (registry.has(def.name)) throw new Error(`property ${def.name} defined twice`);
  if ((def.fromEtag && def.fromRow) || ((def.fromEtag || def.fromRow) && !def.kinds.includes('object'))) {
    throw new Error(`property ${def.name}: one of fromEtag and fromRow, on a definition for objects`);
  }
  registry.set(def.name, def);
}

/** A property's cost class on objects (see PropertyDef.fromEtag). */
export function costOf(def: PropertyDef): 'etag' | 'row' | 'computed' {
  return def.fromEtag ? 'etag' : def.fromRow ? 'row' : 'computed';
}

export function lookupProperty(name: string): PropertyDef | undefined {
  return registry.get(name);
}

export function allProperties(): Iterable<PropertyDef> {
  return registry.values();
}

/**
 * For a `<prop>` list whose properties are all of cost 'etag' (a function of the name and etag
 * alone), apart from `supplied` (calendar-data, given by a report): the definition of each in
 * request order, null for `supplied`; else null. Such properties are defined on every object, so
 * the general path would answer them in one 200 propstat too — never 404, never a dead property —
 * and a response of them changes only with the etag, which lets reports cache whole responses
 * (reports/common.ts responseCacheKey). Listings and multigets use the wider `rowSelection`
 * (row-derived.ts).
 */
export function etagDerivedDefs(names: readonly string[], supplied?: string): (PropertyDef | null)[] | null {
  const defs: (PropertyDef | null)[] = [];
  for (const name of names) {
    if (name === supplied) {
      defs.push(null);
      continue;
    }
    const def = registry.get(name);
    if (!def?.fromEtag) return null;
    defs.push(def);
  }
  return defs;
}

export const COLLECTIONS = ['root', 'principals', 'groups', 'calendars', 'principal', 'group', 'home', 'calendar', 'collection'] as const;
export const EVERYWHERE = [...COLLECTIONS, 'object'] as const;
