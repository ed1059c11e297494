// The benchmark's client variants (scripts/bench/variants.ts, issue 13): every body a variant
// sends is well-formed XML of the report it claims to be, and each verifier (scripts/bench/verify.ts)
// accepts the right answer and rejects each kind of wrong one — a bench that cannot fail on a
// wrong answer would report speed for nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Expected } from '../../scripts/bench/expected.js';
import { rangeOf, renderBody, VARIANTS, type Variant } from '../../scripts/bench/variants.js';
import { verifyFetched, verifyListing, verifyPoll, verifySync, type Truth } from '../../scripts/bench/verify.js';
import { CALDAV, DAV } from '../../src/xml/names.js';
import { parseXml, type XmlElement } from '../../src/xml/parse.js';

const month = { start: Date.UTC(2026, 2, 1), end: Date.UTC(2026, 3, 1) };
const fill = { ...month, token: 'http://sundial.invalid/sync/7?a&b', hrefs: ['/cal/a.ics', '/cal/b&c.ics'] };

function descendants(e: XmlElement): XmlElement[] {
  const kids = e.nodes.filter((n): n is XmlElement => typeof n !== 'string');
  return [...kids, ...kids.flatMap(descendants)];
}

test('every variant body parses with the server parser and is the report its kind says', () => {
  const roots: Record<string, string[]> = {
    listing: [DAV.propfind, CALDAV.calendarQuery], 'initial-sync': [DAV.propfind, DAV.syncCollection, CALDAV.calendarQuery],
    poll: [DAV.propfind], incremental: [DAV.syncCollection], query: [CALDAV.calendarQuery], 'query-data': [CALDAV.calendarQuery], 'query-expand': [CALDAV.calendarQuery],
  };
  const names = new Set<string>();
  for (const v of VARIANTS) {
    assert.not.ok(names.has(v.name), `duplicate variant name ${v.name}`);
    names.add(v.name);
    const root = parseXml(renderBody(v.request, fill));
    assert.ok(roots[v.kind]!.includes(root.name), `${v.name}: root ${root.name}`);
    const all = descendants(root).map((e) => e.name);
    if (v.kind === 'incremental') assert.ok(all.includes(DAV.syncToken), `${v.name}: sync-token`);
    if (v.kind === 'query-expand') assert.ok(all.includes(CALDAV.expand), `${v.name}: expand`);
    if (v.kind === 'query-data') assert.ok(all.includes(CALDAV.calendarData) && !all.includes(CALDAV.expand), `${v.name}: calendar-data`);
    if (v.range) assert.ok(all.includes(CALDAV.timeRange), `${v.name}: time-range`);
    if (v.fetch) {
      const mg = parseXml(renderBody(v.fetch, fill));
      assert.is(mg.name, CALDAV.calendarMultiget, `${v.name}: fetch is a multiget`);
      const hrefs = descendants(mg).filter((e) => e.name === DAV.href);
      assert.equal(hrefs.map((h) => h.nodes.join('')), fill.hrefs, `${v.name}: hrefs escaped and kept`);
    }
  }
  // An open range has no end attribute: the query must not be a one-month one in disguise.
  const since = VARIANTS.find((v) => v.range === 'since-90-days')!;
  assert.not.ok(renderBody(since.request, { ...rangeOf('since-90-days', month), ...fill, end: Infinity }).includes(' end='));
  assert.is(rangeOf('since-1-month', month).start, Date.UTC(2026, 1, 1));
});

const ICS = (uid: string, extra = '') => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:${uid}\r\n${extra}END:VEVENT\r\nEND:VCALENDAR\r\n`;
const truth: Truth = { ics: new Map([['a.ics', ICS('a')], ['b.ics', ICS('b')]]), etags: new Map([['a.ics', '"1"'], ['b.ics', '"2"']]), collectionPath: '/cal' };
const variant = (name: string): Variant => VARIANTS.find((v) => v.name === name)!;

function response(name: string, props: Record<string, string>, notFound: string[] = []): string {
  const ok = Object.entries(props).map(([k, v]) => `<${k.includes(':') ? k : `d:${k}`}>${v}</${k.includes(':') ? k : `d:${k}`}>`).join('');
  const nf = notFound.map((k) => `<d:${k}/>`).join('');
  return `<d:response><d:href>/cal/${name}</d:href><d:propstat><d:prop>${ok}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>`
    + `${nf ? `<d:propstat><d:prop>${nf}</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>` : ''}</d:response>`;
}
const multistatus = (responses: string[], token = true) => '<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
  + `<d:response><d:href>/cal/</d:href><d:propstat><d:prop><d:getetag/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>${responses.join('')}${token ? '<d:sync-token>tok</d:sync-token>' : ''}</d:multistatus>`;
const tb = (name: string, etag: string, ct = 'text/calendar; charset=utf-8; component=VEVENT') => response(name, { getcontenttype: ct, resourcetype: '', getetag: etag });
const both = new Set(['a.ics', 'b.ics']);

test('listing verifier: right answer exact; missing, extra, doubled, wrong ETag, wrong type, 404 property rejected', () => {
  const v = variant('tb-listing');
  assert.ok(verifyListing(multistatus([tb('a.ics', '"1"'), tb('b.ics', '"2"')]), v, both, truth).exact);
  const wrong: [string, string[]][] = [
    ['missing', [tb('a.ics', '"1"')]],
    ['extra', [tb('a.ics', '"1"'), tb('b.ics', '"2"'), tb('z.ics', '"9"')]],
    ['doubled', [tb('a.ics', '"1"'), tb('b.ics', '"2"'), tb('b.ics', '"2"')]],
    ['stale etag', [tb('a.ics', '"1"'), tb('b.ics', '"3"')]],
    ['content type', [tb('a.ics', '"1"'), tb('b.ics', '"2"', 'text/plain')]],
    ['404 property', [tb('a.ics', '"1"'), response('b.ics', { resourcetype: '', getetag: '"2"' }, ['getcontenttype'])]],
  ];
  for (const [what, rs] of wrong) assert.not.ok(verifyListing(multistatus(rs), v, both, truth).exact, what);
});

test('query verifiers: calendar-data byte for byte (rewr.), expand by instance count and no RRULE', () => {
  const data = variant('pycaldav-search');
  const right = verifyListing(multistatus([response('a.ics', { 'c:calendar-data': ICS('a') })]), data, new Set(['a.ics']), truth);
  assert.ok(right.exact && !right.rewritten);
  const lf = verifyListing(multistatus([response('a.ics', { 'c:calendar-data': ICS('a').replace(/\r\n/g, '\n') })]), data, new Set(['a.ics']), truth);
  assert.ok(lf.rewritten, 'not byte-identical is flagged');
  assert.not.ok(verifyListing(multistatus([response('a.ics', {}, ['calendar-data'])]), data, new Set(['a.ics']), truth).exact, 'calendar-data in a 404 propstat');

  const ex = variant('pycaldav-search-expand');
  const expected: Expected = { hits: new Set(['a.ics']), instances: 2, instancesByName: new Map([['a.ics', 2]]), overridesInRange: 0 };
  const two = `BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
  assert.ok(verifyListing(multistatus([response('a.ics', { 'c:calendar-data': two })]), ex, expected.hits, truth, expected).exact);
  assert.not.ok(verifyListing(multistatus([response('a.ics', { 'c:calendar-data': ICS('a') })]), ex, expected.hits, truth, expected).exact, 'one instance of two');
  assert.not.ok(verifyListing(multistatus([response('a.ics', { 'c:calendar-data': two.replace('UID:a\r\n', 'UID:a\r\nRRULE:FREQ=DAILY\r\n') })]), ex, expected.hits, truth, expected).exact, 'RRULE kept');
});

test('initial-sync, incremental and poll verifiers reject a wrong answer', () => {
  const v = variant('tb-initial-sync');
  const fetched = (name: string) => response(name, { getetag: truth.etags.get(name)!, 'c:calendar-data': truth.ics.get(name)! });
  assert.ok(verifyFetched([multistatus([fetched('a.ics')]), multistatus([fetched('b.ics')])], v, both, truth).exact);
  assert.not.ok(verifyFetched([multistatus([fetched('a.ics')])], v, both, truth).exact, 'one object not fetched');

  const s = variant('tb-incremental');
  const changed = new Set(['a.ics']);
  assert.ok(verifySync(multistatus([tb('a.ics', '"1"')]), s, changed, truth).exact);
  assert.not.ok(verifySync(multistatus([tb('a.ics', '"1"')], false), s, changed, truth).exact, 'no new token');
  assert.not.ok(verifySync(multistatus([tb('a.ics', '"1"'), tb('b.ics', '"2"')]), s, changed, truth).exact, 'unchanged member reported');
  assert.not.ok(verifySync(multistatus([tb('a.ics', '"1"'), '<d:response><d:href>/cal/a.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>']), s, changed, truth).exact, 'reported as deleted');

  const p = variant('ios-poll-home');
  const home = (syncToken: string) => `<d:multistatus xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:response><d:href>/</d:href><d:propstat><d:prop><d:displayname>home</d:displayname></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
    + `<d:response><d:href>/cal/</d:href><d:propstat><d:prop><cs:getctag>"5"</cs:getctag><d:sync-token>${syncToken}</d:sync-token></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`;
  assert.ok(verifyPoll(home('tok'), p, '/cal').exact);
  assert.not.ok(verifyPoll(home(''), p, '/cal').exact, 'empty sync-token');
  assert.not.ok(verifyPoll(home('tok'), p, '/other').exact, 'calendar not in the answer');
});

test.run();
