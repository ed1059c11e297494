// Tolerant multistatus reader for the bench. It is deliberately not an XML parser: calendar-data
// must be compared byte for byte, and an XML parser would normalize CRLF to LF (XML 1.0 §2.11)
// unless the server escaped CR as &#13;. Element names match whatever namespace prefix a server
// uses (d:, D:, none with a default namespace…); entities and CDATA sections are decoded.

export interface MsResponse {
  href: string;
  /** Response-level status (sync-collection reports removed members as 404 here), or null. */
  status: number | null;
  /** Properties of 200 propstats: local name → text content (decoded). */
  props: Map<string, string>;
}

const RESPONSE_RE = /<(?:[A-Za-z_][\w.-]*:)?response(?:\s[^>]*)?>([\s\S]*?)<\/(?:[A-Za-z_][\w.-]*:)?response\s*>/g;
const PROPSTAT_RE = /<(?:[A-Za-z_][\w.-]*:)?propstat(?:\s[^>]*)?>([\s\S]*?)<\/(?:[A-Za-z_][\w.-]*:)?propstat\s*>/g;

/** The element pattern of each local name, made once (a new RegExp per call was most of the bench's own parse time). */
const ELEMENT_RES = new Map<string, RegExp>();

function elementText(xml: string, local: string): string | null {
  let re = ELEMENT_RES.get(local);
  if (re === undefined) {
    re = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${local}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:[A-Za-z_][\\w.-]*:)?${local}\\s*>)`);
    ELEMENT_RES.set(local, re);
  }
  const m = re.exec(xml);
  if (!m) return null;
  return decode(m[1] ?? '');
}

export function decode(text: string): string {
  if (text.includes('<![CDATA[')) {
    return text.split(/(<!\[CDATA\[[\s\S]*?\]\]>)/).map((part) => (part.startsWith('<![CDATA[') ? part.slice(9, -3) : decodeEntities(part))).join('');
  }
  return decodeEntities(text);
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

function statusCode(text: string | null): number | null {
  if (text === null) return null;
  const m = /HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(text);
  return m ? Number(m[1]) : null;
}

/** Parses the responses; `wanted` lists the local names of the properties to extract. */
export function parseMultistatus(xml: string, wanted: readonly string[]): MsResponse[] {
  const out: MsResponse[] = [];
  for (const m of xml.matchAll(RESPONSE_RE)) {
    const inner = m[1]!;
    const href = elementText(inner, 'href') ?? '';
    const props = new Map<string, string>();
    let firstPropstat = inner.length;
    for (const ps of inner.matchAll(PROPSTAT_RE)) {
      firstPropstat = Math.min(firstPropstat, ps.index);
      const body = ps[1]!;
      const st = statusCode(elementText(body.replace(/<(?:[A-Za-z_][\w.-]*:)?prop(?:\s[^>]*)?>[\s\S]*<\/(?:[A-Za-z_][\w.-]*:)?prop\s*>/, ''), 'status'));
      if (st !== 200) continue;
      for (const name of wanted) {
        const v = elementText(body, name);
        if (v !== null && !props.has(name)) props.set(name, v);
      }
    }
    // A response-level <status> sits outside every propstat.
    const outside = inner.slice(0, firstPropstat).replace(PROPSTAT_RE, '');
    out.push({ href: href.trim(), status: statusCode(elementText(outside, 'status')), props });
  }
  return out;
}

/**
 * The href and response-level status of each response, without reading the propstats: what a
 * client takes from a listing to know what to fetch. Used inside the timed initial syncs, where
 * parsing every propstat was the bench's own work (~60 ms of a 9000-member listing).
 */
export function listedHrefs(xml: string): { href: string; status: number | null }[] {
  const out: { href: string; status: number | null }[] = [];
  for (const m of xml.matchAll(RESPONSE_RE)) {
    const inner = m[1]!;
    const href = elementText(inner, 'href') ?? '';
    const at = inner.search(PROPSTAT_START);
    out.push({ href: href.trim(), status: statusCode(elementText(at < 0 ? inner : inner.slice(0, at), 'status')) });
  }
  return out;
}
const PROPSTAT_START = /<(?:[A-Za-z_][\w.-]*:)?propstat[\s>]/;

/** The multistatus-level sync-token of a sync-collection answer (outside every response). */
export function topLevelSyncToken(xml: string): string | null {
  const stripped = xml.replace(RESPONSE_RE, '');
  const t = elementText(stripped, 'sync-token');
  return t === null ? null : t.trim();
}

/** Last path segment of an href (absolute URL or path), percent-decoded: the resource name. */
export function hrefName(href: string): string {
  const path = href.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\/+$/, '');
  const seg = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

export function hrefPath(href: string): string {
  return href.replace(/^[a-z]+:\/\/[^/]+/i, '');
}
