// vCard 3.0 ↔ 4.0 for GET with an Accept naming a version and for address-data version="…"
// (RFC 6352 §6.3.2.1 / §10.4), only where the conversion loses nothing. Conversion is by an
// allow-list: a card holding only properties and parameters whose meaning is the same in both
// versions (the common ones: FN, N, EMAIL, TEL, ADR, ORG, NOTE, …, and X- extensions) converts,
// with the few rewrites both RFCs define (TYPE=pref ↔ PREF=1, RFC 6350 §5.3; an extended date
// 1985-04-12 ↔ basic 19850412, RFC 6350 §4.3.1). Anything else — inline photos (ENCODING=b ↔
// data: URIs), KIND, MEMBER, GEO, TZ, LABEL, AGENT, CHARSET… — makes convertVCard answer null,
// and the caller returns the stored bytes unchanged (issue 14 item 2).
import { parseContentLine, scanLines, type CardParam } from './card.js';

export type VCardVersion = '3.0' | '4.0';

// Properties with the same value syntax and meaning in RFC 2426 and RFC 6350.
const COMMON = new Set(['FN', 'N', 'NICKNAME', 'BDAY', 'ADR', 'TEL', 'EMAIL', 'TITLE', 'ROLE', 'ORG', 'CATEGORIES', 'NOTE', 'PRODID', 'REV', 'UID', 'URL']);
const DATES = new Set(['BDAY']);
// Parameters converted: TYPE (pref moves to PREF), PREF (4.0), VALUE and LANGUAGE (both).
const PARAMS = new Set(['TYPE', 'PREF', 'VALUE', 'LANGUAGE']);

const isDigits = (s: string) => s.length > 0 && [...s].every((c) => c >= '0' && c <= '9');

function convertDate(value: string, to: VCardVersion): string | null {
  const v = value.trim();
  if (v.length === 8 && isDigits(v)) return to === '4.0' ? v : `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6)}`;
  if (v.length === 10 && v[4] === '-' && v[7] === '-' && isDigits(v.slice(0, 4) + v.slice(5, 7) + v.slice(8))) return to === '4.0' ? v.replaceAll('-', '') : v;
  return null; // times, truncated dates (--0412): not converted
}

/** The parameters for the other version, or null when one has no equivalent. */
function convertParams(params: CardParam[], to: VCardVersion): CardParam[] | null {
  const out: CardParam[] = [];
  let pref = false;
  for (const p of params) {
    if (!PARAMS.has(p.name)) return null;
    if (p.name === 'VALUE' && !p.values.every((v) => ['text', 'uri', 'date'].includes(v.toLowerCase()))) return null;
    if (p.name === 'PREF') {
      if (to === '4.0' || p.values.length !== 1 || p.values[0] !== '1') return null; // only PREF=1 is TYPE=pref
      pref = true;
      continue;
    }
    if (p.name === 'TYPE') {
      const all = p.values.flatMap((v) => v.split(',')); // TYPE="work,pref" is the list work, pref
      const values = all.filter((v) => v.toLowerCase() !== 'pref');
      if (values.length !== all.length) {
        if (to === '3.0') return null; // "pref" is no 4.0 TYPE value
        pref = true;
      }
      if (values.length === p.values.length) out.push(p);
      else if (values.length > 0) out.push({ name: 'TYPE', values });
      continue;
    }
    out.push(p);
  }
  if (pref) out.push(to === '4.0' ? { name: 'PREF', values: ['1'] } : { name: 'TYPE', values: ['pref'] });
  return out;
}

function renderParam(p: CardParam): string {
  return `;${p.name}=${p.values.map((v) => (/[;:,]/.test(v) ? `"${v}"` : v)).join(',')}`;
}

/**
 * `text` (one validated vCard) as version `to`, or null when the conversion would lose or change
 * meaning. The same version returns `text` itself. Lines that need no change are copied as
 * stored (folding kept); rewritten lines are written unfolded.
 */
export function convertVCard(text: string, to: VCardVersion): string | null {
  const out: string[] = [];
  let from: string | null = null;
  let ok = true;
  scanLines(text, { maxLineLength: Number.MAX_SAFE_INTEGER }, (l) => {
    if (!ok) return;
    const p = parseContentLine(l.text, l.line);
    const raw = text.slice(l.start, l.end);
    const copy = raw.endsWith('\n') ? raw : raw + '\r\n';
    if ((p.name === 'BEGIN' || p.name === 'END') && p.group === null) {
      out.push(copy);
      return;
    }
    if (p.name === 'VERSION') {
      from = p.value.trim();
      out.push(`VERSION:${to}\r\n`);
      return;
    }
    if (p.name.startsWith('X-') && p.params.every((q) => q.name === 'TYPE' || q.name.startsWith('X-'))) {
      out.push(copy); // extensions mean the same in both
      return;
    }
    if (!COMMON.has(p.name)) return void (ok = false);
    const params = convertParams(p.params, to);
    if (params === null) return void (ok = false);
    if (p.name === 'TEL' && p.params.some((q) => q.name === 'VALUE' && q.values.some((v) => v.toLowerCase() === 'uri'))) return void (ok = false);
    let value = p.value;
    if (DATES.has(p.name)) {
      const d = convertDate(value, to);
      if (d === null) return void (ok = false);
      value = d;
    }
    const same = value === p.value && params.length === p.params.length && params.every((q, i) => q === p.params[i]);
    if (same) out.push(copy);
    else {
      const nameStart = p.group === null ? 0 : p.group.length + 1;
      const written = l.text.slice(0, nameStart + p.name.length); // group and name as written
      out.push(`${written}${params.map(renderParam).join('')}:${value}\r\n`);
    }
  });
  if (from === to) return text;
  if (!ok || (from !== '3.0' && from !== '4.0')) return null;
  return out.join('');
}
