// Reads and parses an XML request body within the configured limits. Malformed XML is a 400
// with a description (RFC 4918 §8.2 says a malformed body is "400 Bad Request"); an empty body
// is null, which PROPFIND reads as allprop (§9.1).
// Clients send the same small bodies over and over (the ctag/sync-token poll, the etag listing),
// so parsed trees of small bodies are kept in a bounded LRU keyed by the body text, owned by the
// app (XmlBodies, created with the store at the composition root and passed in DavServices). The
// cached trees are frozen: handlers read request trees and never change them.
import { boundedCache } from '../bounded-cache.js';
import type { DavRequest, DavServices } from './handler-types.js';
import { XmlError, decodeXmlBytes, parseXml, type XmlElement } from '../xml/parse.js';
import { DavError, badRequest } from './errors.js';
import { CALDAV, CARDDAV } from '../xml/names.js';

const CACHE_BODIES_UP_TO = 4096; // characters
/**
 * Reports whose bodies are never sent twice: a multiget names the hrefs of its batch. Kept, each
 * tree outlived the young generation in the cache before the next 255 pushed it out, and was
 * promoted only to die in the old one: DAVx5's initial sync (900 multigets of 10 hrefs) made
 * them a fifth of what its requests promoted (sampling heap profile of the bench's requests).
 */
const NEVER_REPEATED = new Set<string>([CALDAV.calendarMultiget, CARDDAV.addressbookMultiget]);

/** Parsed trees of small request bodies, by text. */
export class XmlBodies {
  readonly parsed = boundedCache<string, XmlElement>(256);
}

function freezeTree(el: XmlElement): XmlElement {
  for (const c of el.children) freezeTree(c);
  Object.freeze(el.children);
  Object.freeze(el.nodes);
  Object.freeze(el.attrs);
  return Object.freeze(el);
}

export async function readXmlBody(req: DavRequest, svc: DavServices): Promise<XmlElement | null> {
  const limit = svc.config.maxXmlSize;
  const raw = await req.body(limit, () => new DavError(413, null, `XML body larger than ${limit} bytes`));
  if (raw.length === 0) return null;
  let text: string;
  try {
    text = decodeXmlBytes(raw); // not UTF-8: 400, never a silently altered value
  } catch (err) {
    throw badRequest(`Malformed XML: ${(err as Error).message}`);
  }
  const cacheable = text.length <= CACHE_BODIES_UP_TO;
  if (cacheable) {
    const hit = svc.xmlBodies.parsed.get(text);
    if (hit) return hit;
  }
  if (text.trim() === '') return null;
  // The Content-Type is not checked: clients send text/xml, application/xml, or nothing at all
  // (and curl sends a form type); a body that does not parse is refused below.
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    if (err instanceof XmlError) throw badRequest(`Malformed XML: ${err.message}`);
    throw err;
  }
  if (cacheable && !NEVER_REPEATED.has(root.name)) svc.xmlBodies.parsed.set(text, freezeTree(root));
  return root;
}

/** The root must be the expected element; anything else is a 400 (RFC 4918 §8.3 unexpected body). */
export function expectRoot(el: XmlElement, name: string, what: string): void {
  if (el.name !== name) throw badRequest(`Expected a ${what} body`);
}
