// Parsed request bodies are kept by text for the bodies clients repeat (a poll's PROPFIND, a
// sync-collection from the current token), not for multigets, whose hrefs make each body new:
// kept, those trees only lived long enough to be promoted and die in the old generation
// (dav/xml-body.ts NEVER_REPEATED).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readXmlBody, XmlBodies } from '../../src/dav/xml-body.js';
import type { DavRequest, DavServices } from '../../src/dav/handler-types.js';

function request(body: string): DavRequest {
  return { method: 'REPORT', path: '/', header: () => undefined, body: async () => Buffer.from(body), origin: 'http://localhost', user: null, device: null } as unknown as DavRequest;
}

const PROPFIND = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>';
const CAL_MULTIGET = '<?xml version="1.0"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><d:href>/a.ics</d:href></c:calendar-multiget>';
const CARD_MULTIGET = '<?xml version="1.0"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop><d:href>/a.vcf</d:href></c:addressbook-multiget>';

test('a repeated PROPFIND body is parsed once; multigets are parsed every time and never kept', async () => {
  const xmlBodies = new XmlBodies();
  const svc = { config: { maxXmlSize: 100_000 }, xmlBodies } as unknown as DavServices;
  const first = await readXmlBody(request(PROPFIND), svc);
  assert.is(await readXmlBody(request(PROPFIND), svc), first, 'the kept tree');
  assert.is(xmlBodies.parsed.size, 1);
  for (const body of [CAL_MULTIGET, CARD_MULTIGET]) {
    const a = await readXmlBody(request(body), svc);
    const b = await readXmlBody(request(body), svc);
    assert.ok(a && b && a !== b, 'parsed again');
    assert.equal(a, b);
  }
  assert.is(xmlBodies.parsed.size, 1, 'no multiget kept');
});

test.run();
