// The CARDDAV:addressbook-query REPORT body (RFC 6352 §8.6, §10.3) read into a typed request:
// the asked properties, the address-data selection (§10.4), the filter (§10.5) and the limit
// (§8.6.1). Bad input answers 403 with the CardDAV precondition: supported-collation for an
// unknown collation, supported-filter for a filter on a property whose values no query reads,
// valid-filter (RFC 4791 §7.7's element, which RFC 6352 lacks) for one that breaks §10.5's grammar.
import { CARDDAV_QUERY as CR, DAV } from '../../xml/names.js';
import { textOf, type XmlElement } from '../../xml/parse.js';
import { WHOLE_CARD, type AddressDataProp, type AddressDataSelection } from '../../vcard/address-data.js';
import { BULKY_PROPERTIES } from '../../vcard/card.js';
import {
  DEFAULT_CARD_COLLATION, SUPPORTED_CARD_COLLATIONS,
  type CardCollation, type CardFilter, type CardMatchType, type CardParamFilter, type CardPropFilter, type CardTextMatch,
} from '../../vcard/filter.js';
import { badRequest } from '../errors.js';
import { cardSupportedCollation, cardSupportedFilter, cardValidFilter, supportedAddressData } from '../carddav-errors.js';
import type { PropRequest } from '../propstats.js';
import { reportPropRequest } from './prop-request.js';
import { expectRoot } from '../xml-body.js';

export interface AddressQuery {
  propReq: PropRequest;
  /** What address-data returns of each card; null when address-data is not asked. */
  addressData: AddressDataSelection | null;
  filter: CardFilter;
  /** CARDDAV:limit/nresults: the most responses the client wants, or null. */
  limit: number | null;
}

/** More prop-filters, text-matches or param-filters than this in one filter is refused (bounded work per card). */
export const MAX_FILTER_TERMS = 100;

/** Longest text-match value: searches are words; a megabyte needle would only cost time per card. */
export const MAX_TEXT_MATCH_LENGTH = 4096;

const MATCH_TYPES: readonly CardMatchType[] = ['equals', 'contains', 'starts-with', 'ends-with'];

/** A vCard property or parameter name, optionally `group.NAME` (RFC 6350 §3.3). */
function isVCardName(s: string, allowGroup: boolean): boolean {
  let dots = 0;
  if (s.length === 0 || s.length > 200) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e && allowGroup && dots === 0 && i > 0 && i < s.length - 1) dots++;
    else if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d)) return false;
  }
  return true;
}

function nameAttr(el: XmlElement, allowGroup: boolean): string {
  const name = (el.attrs.name ?? '').trim();
  if (!name) throw cardValidFilter(`${el.local} needs a name attribute`);
  if (!isVCardName(name, allowGroup)) throw cardValidFilter(`${el.local} name "${name.slice(0, 60)}" is not a vCard ${el.local === 'param-filter' ? 'parameter' : 'property'} name`);
  return name.toUpperCase();
}

function testAttr(el: XmlElement): 'anyof' | 'allof' {
  const test = (el.attrs.test ?? 'anyof').trim().toLowerCase();
  if (test !== 'anyof' && test !== 'allof') throw cardValidFilter(`test must be "anyof" or "allof" (got "${test.slice(0, 20)}")`);
  return test;
}

function parseTextMatch(el: XmlElement): CardTextMatch {
  const negate = (el.attrs['negate-condition'] ?? 'no').trim().toLowerCase();
  if (negate !== 'yes' && negate !== 'no') throw cardValidFilter('negate-condition must be "yes" or "no"');
  const matchType = (el.attrs['match-type'] ?? 'contains').trim().toLowerCase();
  if (!(MATCH_TYPES as readonly string[]).includes(matchType)) throw cardValidFilter(`Unknown match-type ${matchType.slice(0, 30)}`);
  const collation = (el.attrs.collation ?? '').trim() || DEFAULT_CARD_COLLATION;
  if (!(SUPPORTED_CARD_COLLATIONS as readonly string[]).includes(collation)) {
    throw cardSupportedCollation(`Collation ${collation.slice(0, 60)} is not supported (supported: ${SUPPORTED_CARD_COLLATIONS.join(', ')})`);
  }
  if (el.children.length > 0) throw cardValidFilter('text-match holds text only');
  const value = textOf(el).trim();
  if (value.length > MAX_TEXT_MATCH_LENGTH) throw cardValidFilter(`a text-match longer than ${MAX_TEXT_MATCH_LENGTH} characters`);
  return { value, collation: collation as CardCollation, negate: negate === 'yes', matchType: matchType as CardMatchType };
}

function parseParamFilter(el: XmlElement): CardParamFilter {
  const f: CardParamFilter = { name: nameAttr(el, false), isNotDefined: false, textMatch: null };
  if (el.children.length > 1) throw cardValidFilter('param-filter holds one is-not-defined or one text-match');
  for (const c of el.children) {
    if (c.name === CR.isNotDefined) f.isNotDefined = true;
    else if (c.name === CR.textMatch) f.textMatch = parseTextMatch(c);
    else throw cardValidFilter(`${c.local} is not allowed in param-filter`);
  }
  return f;
}

function parsePropFilter(el: XmlElement, budget: { terms: number }): CardPropFilter {
  const f: CardPropFilter = { name: nameAttr(el, true), test: testAttr(el), isNotDefined: false, textMatches: [], paramFilters: [] };
  for (const c of el.children) {
    if (++budget.terms > MAX_FILTER_TERMS) throw cardValidFilter(`more than ${MAX_FILTER_TERMS} terms in one filter`);
    if (c.name === CR.isNotDefined) {
      if (el.children.length !== 1) throw cardValidFilter('is-not-defined must be alone in its prop-filter');
      f.isNotDefined = true;
    } else if (c.name === CR.textMatch) {
      if (f.paramFilters.length > 0) throw cardValidFilter('text-match elements come before param-filter elements (RFC 6352 §10.5.1)');
      f.textMatches.push(parseTextMatch(c));
    } else if (c.name === CR.paramFilter) {
      f.paramFilters.push(parseParamFilter(c));
    } else {
      throw cardValidFilter(`${c.local} is not allowed in prop-filter`);
    }
  }
  const bare = f.name.slice(f.name.indexOf('.') + 1);
  if (f.textMatches.length > 0 && BULKY_PROPERTIES.has(bare)) {
    throw cardSupportedFilter(`text-match on ${bare} is not supported (its values are images, sounds or keys)`, 'prop-filter', f.name);
  }
  return f;
}

/** CARDDAV:filter → CardFilter; 403 valid-filter / supported-filter / supported-collation. */
export function parseCardFilter(el: XmlElement | undefined): CardFilter {
  if (!el) throw cardValidFilter('addressbook-query needs a filter (RFC 6352 §10.3)');
  const budget = { terms: 0 };
  const filter: CardFilter = { test: testAttr(el), propFilters: [] };
  for (const c of el.children) {
    if (c.name !== CR.propFilter) throw cardValidFilter(`${c.local} is not allowed in filter`);
    if (++budget.terms > MAX_FILTER_TERMS) throw cardValidFilter(`more than ${MAX_FILTER_TERMS} terms in one filter`);
    filter.propFilters.push(parsePropFilter(c, budget));
  }
  return filter;
}

/** The CARDDAV:address-data element inside the report's DAV:prop, if any. */
export function addressDataElement(root: XmlElement): XmlElement | undefined {
  for (const prop of root.children) {
    if (prop.name !== DAV.prop) continue;
    const found = prop.children.find((c) => c.name === CR.addressData);
    if (found) return found;
  }
  return undefined;
}

/**
 * The address-data request element (RFC 6352 §10.4) → what to return of each card. A version
 * attribute is honoured only when given (its DTD default "3.0" would convert every 4.0 card that
 * a client asked for plainly); content-type must be text/vcard.
 */
export function parseAddressDataRequest(el: XmlElement | undefined): AddressDataSelection {
  if (!el) return WHOLE_CARD;
  const type = (el.attrs['content-type'] ?? 'text/vcard').trim().toLowerCase();
  if (type !== 'text/vcard') throw supportedAddressData(`address-data of type ${type.slice(0, 60)} is not supported (text/vcard is)`);
  const v = el.attrs.version?.trim();
  if (v !== undefined && v !== '3.0' && v !== '4.0') throw supportedAddressData(`address-data version ${v.slice(0, 20)} is not supported (3.0 and 4.0 are)`);
  const version = v === undefined ? null : v;
  const props: AddressDataProp[] = [];
  let all = false;
  for (const c of el.children) {
    if (c.name === CR.allprop) all = true;
    else if (c.name === CR.prop) {
      const name = (c.attrs.name ?? '').trim();
      if (!isVCardName(name, false)) throw badRequest(`address-data prop needs a vCard property name (got "${name.slice(0, 60)}")`);
      const novalue = (c.attrs.novalue ?? 'no').trim().toLowerCase();
      if (novalue !== 'yes' && novalue !== 'no') throw badRequest('address-data prop novalue must be "yes" or "no"');
      props.push({ name: name.toUpperCase(), novalue: novalue === 'yes' });
    } else throw badRequest(`${c.local} is not allowed in address-data`);
  }
  if (all && props.length > 0) throw badRequest('address-data holds allprop or prop elements, not both');
  return { all: all || props.length === 0, props, version };
}

/** Whether the report asks for CARDDAV:address-data. */
export function wantsAddressData(req: PropRequest): boolean {
  return req.type === 'prop' && req.names.includes(CR.addressData);
}

/** CARDDAV:limit (RFC 6352 §10.6): one nresults holding a positive integer. */
function parseLimit(el: XmlElement | undefined): number | null {
  if (!el) return null;
  const n = el.children.filter((c) => c.name === CR.nresults);
  if (n.length !== 1 || el.children.length !== 1) throw badRequest('limit must hold exactly one nresults');
  const text = textOf(n[0]!).trim();
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || i >= 9) throw badRequest(`nresults must be a positive integer (got "${text.slice(0, 20)}")`);
    value = value * 10 + (c - 0x30);
  }
  if (value < 1) throw badRequest(`nresults must be a positive integer (got "${text.slice(0, 20)}")`);
  return value;
}

/** An addressbook-query body → AddressQuery. */
export function parseAddressQuery(root: XmlElement): AddressQuery {
  expectRoot(root, CR.addressbookQuery, 'CARDDAV:addressbook-query');
  const filters = root.children.filter((c) => c.name === CR.filter);
  if (filters.length > 1) throw cardValidFilter('addressbook-query holds one filter');
  const limits = root.children.filter((c) => c.name === CR.limit);
  if (limits.length > 1) throw badRequest('addressbook-query holds at most one limit');
  const filter = parseCardFilter(filters[0]);
  const propReq = reportPropRequest(root);
  const addressData = wantsAddressData(propReq) ? parseAddressDataRequest(addressDataElement(root)) : null;
  return { propReq, addressData, filter, limit: parseLimit(limits[0]) };
}
