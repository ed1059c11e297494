// Exactness checks of the variants' answers, independent of any server: the members a listing,
// sync or query must name (and nothing else), the properties each must carry in a 200 propstat,
// the ETags the server gave at PUT, and calendar data byte for byte (or, expanded, the expected
// instance count and no RRULE left). Pure functions over the response text, so that a unit test
// can feed them wrong answers.
import type { Expected } from './expected.js';
import { hrefName, hrefPath, parseMultistatus, topLevelSyncToken, type MsResponse } from './multistatus.js';
import type { Variant } from './variants.js';

export interface Truth {
  /** Resource name → the iCalendar text last PUT. */
  ics: ReadonlyMap<string, string>;
  /** Resource name → the ETag the server returned for that PUT (absent if it sent none). */
  etags: ReadonlyMap<string, string>;
  /** Path of the calendar collection, without the trailing slash. */
  collectionPath: string;
}

export interface Verdict {
  exact: boolean;
  /** Data returned, but not byte for byte as PUT (RFC 4791 allows it; Sundial's SPEC does not). */
  rewritten?: boolean;
  note: string;
}

const WANTED = ['getetag', 'getcontenttype', 'resourcetype', 'calendar-data', 'getctag', 'sync-token'];

function isMember(href: string, t: Truth): boolean {
  const p = hrefPath(href).replace(/\/+$/, '');
  return p !== t.collectionPath && p !== '';
}

/** Checks one member's properties; returns the problems found (empty: fine). */
function memberProblems(m: MsResponse, name: string, v: Variant, t: Truth, expected: Expected | null): string[] {
  const out: string[] = [];
  for (const p of v.memberProps) if (!m.props.has(p)) out.push(`no ${p}`);
  const etag = m.props.get('getetag');
  if (v.memberProps.includes('getetag') && etag !== undefined) {
    const want = t.etags.get(name);
    if (etag.trim() === '') out.push('empty getetag');
    else if (want !== undefined && etag.trim() !== want) out.push('getetag differs from the PUT\'s ETag');
  }
  const ct = m.props.get('getcontenttype');
  if (ct !== undefined && !/^text\/calendar\b/i.test(ct.trim())) out.push(`getcontenttype ${ct.trim()}`);
  const rt = m.props.get('resourcetype');
  if (rt !== undefined && /collection|calendar/.test(rt)) out.push('resourcetype not empty');
  const data = m.props.get('calendar-data');
  if (data !== undefined && v.kind === 'query-expand' && expected) {
    const count = (data.match(/(?:^|\n)BEGIN:VEVENT\r?\n/g) ?? []).length;
    if (/(?:^|\n)RRULE[:;]/.test(data)) out.push('not expanded (RRULE kept)');
    const want = expected.instancesByName.get(name);
    if (want !== undefined && want !== count) out.push(`${count} instances, expected ${want}`);
  }
  return out;
}

/**
 * A multistatus that must list exactly `names` (a listing, a query, a sync from no token): every
 * one once, nothing else, each with the variant's properties. `expected` gives instance counts
 * for an expanded query. Calendar data, where asked, must be byte-identical to the PUT (for an
 * unexpanded answer).
 */
export function verifyListing(body: string, v: Variant, names: ReadonlySet<string>, t: Truth, expected: Expected | null = null): Verdict {
  const members = parseMultistatus(body, WANTED).filter((m) => isMember(m.href, t) && m.status !== 404);
  const seen = new Map<string, number>();
  const problems = new Map<string, number>();
  let firstProblem = '';
  let rewritten = 0;
  let instances = 0;
  for (const m of members) {
    const name = hrefName(m.href);
    seen.set(name, (seen.get(name) ?? 0) + 1);
    if (!names.has(name)) continue;
    const ps = memberProblems(m, name, v, t, expected);
    const data = m.props.get('calendar-data');
    if (data !== undefined) {
      if (v.kind === 'query-expand') instances += (data.match(/(?:^|\n)BEGIN:VEVENT\r?\n/g) ?? []).length;
      else if (data !== t.ics.get(name)) rewritten++;
    }
    for (const p of ps) {
      problems.set(p.replace(/\d+/g, 'N'), (problems.get(p.replace(/\d+/g, 'N')) ?? 0) + 1);
      firstProblem ||= `${name}: ${p}`;
    }
  }
  const missing = [...names].filter((n) => !seen.has(n)).length;
  const extra = [...seen.keys()].filter((n) => !names.has(n)).length;
  const dup = [...seen.values()].filter((c) => c > 1).length;
  let exact = missing === 0 && extra === 0 && dup === 0 && problems.size === 0;
  const notes = [`${seen.size} members, expected ${names.size}`];
  if (missing) notes.push(`${missing} missing`);
  if (extra) notes.push(`${extra} extra`);
  if (dup) notes.push(`${dup} listed twice`);
  for (const [p, c] of problems) notes.push(`${c}× ${p}`);
  if (firstProblem) notes.push(`e.g. ${firstProblem}`);
  if (v.kind === 'query-expand' && expected) {
    exact &&= instances === expected.instances;
    notes.push(`${instances} instances, expected ${expected.instances}`);
  }
  if (rewritten) notes.push(`${rewritten} calendar-data not byte-identical to the PUT`);
  // Sundial must return the data as stored; a peer that re-serialises is flagged (rewr.), not wrong.
  return { exact, rewritten: rewritten > 0, note: notes.join(', ') };
}

/** The multiget answers of an initial sync: every name in `names` exactly once, byte for byte. */
export function verifyFetched(bodies: readonly string[], v: Variant, names: ReadonlySet<string>, t: Truth): Verdict {
  const fetchVariant: Variant = { ...v, memberProps: ['getetag', 'calendar-data'] };
  // Concatenating the multistatus answers is fine for the tolerant reader: it looks at <response>s.
  const r = verifyListing(bodies.join('\n'), fetchVariant, names, t);
  return { ...r, note: `fetched: ${r.note}` };
}

/** An incremental sync: exactly the changed names, none as 404, with the variant's properties, and a new token. */
export function verifySync(body: string, v: Variant, changed: ReadonlySet<string>, t: Truth): Verdict {
  const r = verifyListing(body, v, changed, t);
  const gone = parseMultistatus(body, []).filter((m) => isMember(m.href, t) && m.status === 404).length;
  const token = topLevelSyncToken(body);
  const notes = [r.note];
  if (gone) notes.push(`${gone} reported as 404`);
  if (token === null) notes.push('no sync-token');
  return { exact: r.exact && gone === 0 && token !== null, note: notes.join(', ') };
}

/** A poll: the response for `path` (the calendar) carries every property of the variant, non-empty. */
export function verifyPoll(body: string, v: Variant, path: string): Verdict {
  const want = path.replace(/\/+$/, '');
  const r = parseMultistatus(body, WANTED).find((m) => hrefPath(m.href).replace(/\/+$/, '') === want);
  if (!r) return { exact: false, note: `no response for ${path}` };
  const missing = v.memberProps.filter((p) => !(r.props.get(p) ?? '').trim());
  return { exact: missing.length === 0, note: missing.length ? `${missing.join(', ')} missing or empty` : `${v.memberProps.join(' + ')} present` };
}
