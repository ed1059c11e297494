// CALDAV:filter (RFC 4791 §9.7) read into the ical/ filter model; 403 valid-filter or
// supported-collation on what the model cannot hold.
import { CALDAV } from '../../xml/names.js';
import { textOf, type XmlElement } from '../../xml/parse.js';
import { checkFilter, collationOf, type CompFilter, type MatchType, type ParamFilter, type PropFilter, type TextMatch } from '../../ical/filter.js';
import { DavError, validFilter } from '../errors.js';
import { queryErrors } from '../query/errors.js';
import { parseTimeRange } from './time-range.js';

function unexpected(el: XmlElement, where: string): DavError {
  return validFilter(`${el.local} is not allowed in ${where}`);
}

function nameAttr(el: XmlElement): string {
  const name = (el.attrs.name ?? '').trim();
  if (!name) throw validFilter(`${el.local} needs a name attribute`);
  return name;
}

/**
 * Longest text-match value, as for CardDAV (requests/address-query.ts): a search is words, and
 * the needle, folded once per request, is compared with every value read.
 */
export const MAX_TEXT_MATCH_LENGTH = 4096;

function parseTextMatch(el: XmlElement): TextMatch {
  const negate = (el.attrs['negate-condition'] ?? 'no').trim().toLowerCase();
  if (negate !== 'yes' && negate !== 'no') throw validFilter('negate-condition must be "yes" or "no"');
  const matchType = (el.attrs['match-type'] ?? 'contains').trim().toLowerCase();
  if (!['contains', 'equals', 'starts-with', 'ends-with'].includes(matchType)) throw validFilter(`Unknown match-type ${matchType}`);
  if (el.children.length > 0) throw validFilter('text-match holds text only');
  const value = textOf(el).trim();
  if (value.length > MAX_TEXT_MATCH_LENGTH) throw validFilter(`a text-match longer than ${MAX_TEXT_MATCH_LENGTH} characters`);
  return { value, collation: queryErrors(() => collationOf(el.attrs.collation)), negate: negate === 'yes', matchType: matchType as MatchType };
}

function parseParamFilter(el: XmlElement): ParamFilter {
  const f: ParamFilter = { name: nameAttr(el), isNotDefined: false, textMatch: null };
  for (const c of el.children) {
    if (c.name === CALDAV.isNotDefined && el.children.length === 1) f.isNotDefined = true;
    else if (c.name === CALDAV.textMatch && !f.textMatch) f.textMatch = parseTextMatch(c);
    else throw unexpected(c, 'param-filter');
  }
  return f;
}

function parsePropFilter(el: XmlElement): PropFilter {
  const f: PropFilter = { name: nameAttr(el), isNotDefined: false, timeRange: null, textMatch: null, paramFilters: [] };
  for (const c of el.children) {
    if (c.name === CALDAV.isNotDefined && el.children.length === 1) f.isNotDefined = true;
    else if (c.name === CALDAV.timeRange && !f.timeRange && !f.textMatch) f.timeRange = parseTimeRange(c);
    else if (c.name === CALDAV.textMatch && !f.timeRange && !f.textMatch) f.textMatch = parseTextMatch(c);
    else if (c.name === CALDAV.paramFilter) f.paramFilters.push(parseParamFilter(c));
    else throw unexpected(c, 'prop-filter');
  }
  return f;
}

function parseCompFilter(el: XmlElement, depth: number): CompFilter {
  if (depth > 8) throw validFilter('comp-filters nested too deeply');
  const f: CompFilter = { name: nameAttr(el).toUpperCase(), isNotDefined: false, timeRange: null, propFilters: [], compFilters: [] };
  for (const c of el.children) {
    if (c.name === CALDAV.isNotDefined && el.children.length === 1) f.isNotDefined = true;
    else if (c.name === CALDAV.timeRange && !f.timeRange) f.timeRange = parseTimeRange(c);
    else if (c.name === CALDAV.propFilter) f.propFilters.push(parsePropFilter(c));
    else if (c.name === CALDAV.compFilter) f.compFilters.push(parseCompFilter(c, depth + 1));
    else throw unexpected(c, 'comp-filter');
  }
  return f;
}

/** CALDAV:filter → the VCALENDAR comp-filter; 403 valid-filter / supported-collation on bad input. */
export function parseFilter(filter: XmlElement | undefined): CompFilter {
  if (!filter) throw validFilter('calendar-query needs a filter');
  if (filter.children.length !== 1 || filter.children[0]!.name !== CALDAV.compFilter) throw validFilter('The filter must hold exactly one comp-filter (on VCALENDAR)');
  const root = parseCompFilter(filter.children[0]!, 0);
  queryErrors(() => checkFilter(root));
  return root;
}
