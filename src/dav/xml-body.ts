// Reads and parses an XML request body within the configured limits. Malformed XML is a 400
// with a description (RFC 4918 §8.2 says a malformed body is "400 Bad Request"); an empty body
// is null, which PROPFIND reads as allprop (§9.1).
import type { DavRequest, DavServices } from './context.js';
import { XmlError, parseXml, type XmlElement } from '../xml/parse.js';
import { DavError, badRequest } from './errors.js';

export async function readXmlBody(req: DavRequest, svc: DavServices): Promise<XmlElement | null> {
  const limit = svc.config.maxXmlSize;
  const raw = await req.body(limit, () => new DavError(413, null, `XML body larger than ${limit} bytes`));
  if (raw.length === 0 || raw.toString('utf8').trim() === '') return null;
  // The Content-Type is not checked: clients send text/xml, application/xml, or nothing at all
  // (and curl sends a form type); a body that does not parse is refused below.
  try {
    return parseXml(raw.toString('utf8'));
  } catch (err) {
    if (err instanceof XmlError) throw badRequest(`Malformed XML: ${err.message}`);
    throw err;
  }
}

/** The root must be the expected element; anything else is a 400 (RFC 4918 §8.3 unexpected body). */
export function expectRoot(el: XmlElement, name: string, what: string): void {
  if (el.name !== name) throw badRequest(`Expected a ${what} body`);
}
