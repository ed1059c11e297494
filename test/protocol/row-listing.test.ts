// Issue 13 item 3: a Depth 1 listing or a calendar-multiget whose properties are all cheap
// (registry.ts `cost`: getetag, resourcetype, getcontenttype, getcontentlength, getlastmodified,
// creationdate), with or without names no definition answers (schedule-tag, a client's own), takes
// the row path (dav/row-listing.ts) whatever the combination — and answers byte for byte what the
// general path (propstats.ts) answers. The general path is forced by adding one dear property,
// current-user-privilege-set (computed from the resource's access), at the end of the same
// request, and taking it out of the answer again. Store spies check which path each request took,
// so a comparison can never be the general path against itself. Every combination runs for the
// owner and a sharee (private objects left out, the confidential one a busy view without a
// getcontentlength, sharee-view.ts), in a calendar whose members hold no dead property and in one
// where a member holds the very property asked, and with Prefer: return=minimal.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, D, XML_HEADERS, describe, ical, parseMultistatus, putOk } from '../helpers/dav.js';
import { CHEAP, DEAR, propXml as propXmlOf, spyOnStore, withoutDear } from '../helpers/row-paths.js';
import { login } from '../web/session.js';

/** Defined by no one here: Sundial has no scheduling (DAVx5 and iOS ask it), and a client's own name, stored as a dead property on one member of the "dead" calendar. */
// (calendar-availability: schedule-tag is a row property since issue 15, and no longer unknown.)
const UNKNOWN = [C('calendar-availability'), '{urn:x-test}note'];

const vcal = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial tests//EN', ...lines, 'END:VCALENDAR'].join('\r\n') + '\r\n';
const CONF = vcal('BEGIN:VEVENT', 'UID:conf', 'DTSTAMP:20240101T000000Z', 'DTSTART:20300105T090000Z', 'DTEND:20300105T100000Z', 'SUMMARY:Interview', 'CLASS:CONFIDENTIAL', 'END:VEVENT');
const OBJECTS: [string, string][] = [
  ['pub.ics', ical('pub', { summary: 'Réunion <équipe> & 🎉' })],
  ['a%20b.ics', ical('space', { summary: 'Name with a space' })],
  ['conf.ics', CONF],
  ['priv.ics', ical('priv', { summary: 'Doctor', extra: ['CLASS:PRIVATE'] })],
];
const MEMBERS = ['pub.ics', 'a%20b.ics', 'conf.ics', 'priv.ics'];

interface Ctx { setupError?: unknown; srv: TestServer; calls: Record<string, number> }
const t = suite<Ctx>('row listing: any combination of cheap properties, byte-equal to the general path');

/** The calendars: "plain" (no member holds a dead property) and "dead" (pub.ics holds {urn:x-test}note). */
const CALS = ['plain', 'dead'] as const;
const calPath = (who: string, cal: string) => `/dav/calendars/${who}/${cal}/`;

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('rita');
  const alice = await login(ctx.srv, 'alice');
  for (const cal of CALS) {
    await alice.ok('POST', '/calendars', { displayName: cal });
    for (const [name, body] of OBJECTS) await putOk(ctx.srv, 'alice', calPath('alice', cal) + name, body);
    await alice.ok('PUT', `/calendars/${cal}/shares/rita`, { access: 'read' });
  }
  const patch = await ctx.srv.request('PROPPATCH', calPath('alice', 'dead') + 'pub.ics', {
    user: 'alice', headers: XML_HEADERS,
    body: '<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x-test"><d:set><d:prop><x:note>bring <b>cake</b></x:note></d:prop></d:set></d:propertyupdate>',
  });
  assert.is(patch.status, 207, describe('PROPPATCH', 'pub.ics', patch));
  // Which reads each request makes: the row path reads rows, the general path whole metadata.
  ctx.calls = {};
  spyOnStore(ctx.srv.store, ['listObjectEtags', 'listObjectRows', 'listObjectsPage', 'getObjectTexts', 'getObjectTextsUpTo', 'getObjects'], (m) => { ctx.calls[m] = (ctx.calls[m] ?? 0) + 1; });
});
t.after(async (ctx) => { await ctx.srv?.close(); });

/** Every non-empty subset of `CHEAP` (64 with the empty one when unknown names are added), in a rotated order. */
function propLists(): string[][] {
  const lists: string[][] = [];
  for (let mask = 0; mask < 1 << CHEAP.length; mask++) {
    const cheap = CHEAP.filter((_, i) => mask & (1 << i));
    const turn = mask % Math.max(1, cheap.length);
    const rotated = [...cheap.slice(turn), ...cheap.slice(0, turn)];
    if (rotated.length > 0) lists.push(rotated);
    // Unknown names in the middle, as DAVx5 puts schedule-tag between getetag and calendar-data.
    lists.push([...rotated.slice(0, 1), UNKNOWN[0]!, ...rotated.slice(1), UNKNOWN[1]!]);
  }
  return lists;
}

const NS = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:x="urn:x-test"';
const propXml = (names: string[]) => propXmlOf(names, 'c');

/** Runs `fast` and `general` (= fast + DEAR), asserting which store reads each made; returns both texts. */
async function pair(ctx: Ctx, send: (names: string[]) => Promise<{ status: number; text: string }>, names: string[], rowRead: string, fullRead: string, what: string): Promise<[string, string]> {
  ctx.calls = {};
  const fast = await send(names);
  assert.is(fast.status, 207, what);
  assert.ok((ctx.calls[rowRead] ?? 0) > 0 && !ctx.calls[fullRead], `${what}: row path taken (${JSON.stringify(ctx.calls)})`);
  ctx.calls = {};
  const general = await send([...names, DEAR]);
  assert.is(general.status, 207, what);
  assert.ok((ctx.calls[fullRead] ?? 0) > 0 && !ctx.calls[rowRead] && !ctx.calls.listObjectEtags, `${what}: general path taken (${JSON.stringify(ctx.calls)})`);
  return [fast.text, withoutDear(general.text)];
}

t('Depth 1 PROPFIND: every combination, owner and sharee, with and without dead properties, minimal or not', async (ctx) => {
  let compared = 0;
  for (const who of ['alice', 'rita']) {
    for (const cal of CALS) {
      const path = calPath(who, cal);
      const lists = propLists();
      for (let k = 0; k < lists.length; k++) {
        const names = lists[k]!;
        const minimal = k % 3 === 0;
        const what = `${who} ${cal} ${names.join(' ')}${minimal ? ' minimal' : ''}`;
        const send = (n: string[]) => ctx.srv.request('PROPFIND', path, { user: who, headers: { Depth: '1', ...XML_HEADERS, ...(minimal ? { Prefer: 'return=minimal' } : {}) }, body: `<?xml version="1.0"?><d:propfind ${NS}><d:prop>${propXml(n)}</d:prop></d:propfind>` });
        // Three columns for getetag and resourcetype alone, the seven of the row for any other.
        const rowRead = names.some((n) => ![D('getetag'), D('resourcetype'), ...UNKNOWN].includes(n)) ? 'listObjectRows' : 'listObjectEtags';
        const [fast, general] = await pair(ctx, send, names, rowRead, 'listObjectsPage', what);
        assert.fixture(fast, general, what);
        compared++;
      }
    }
  }
  assert.is(compared, 2 * 2 * 127);
});

t('sync-collection without a token: every combination, owner and sharee, with and without dead properties, minimal or not', async (ctx) => {
  let compared = 0;
  for (const who of ['alice', 'rita']) {
    for (const cal of CALS) {
      const path = calPath(who, cal);
      const lists = propLists();
      for (let k = 0; k < lists.length; k++) {
        const names = lists[k]!;
        const minimal = k % 3 === 1;
        // Thunderbird's Depth 1 with sync-level 1, DAVx5's and iOS's Depth 0; a limit the members fit in every fourth.
        const depth = k % 2 === 0 ? '1' : '0';
        const limit = k % 4 === 3 ? '<d:limit><d:nresults>4</d:nresults></d:limit>' : '';
        const what = `${who} ${cal} ${names.join(' ')}${minimal ? ' minimal' : ''} depth ${depth}${limit ? ' limit' : ''}`;
        const send = (n: string[]) => ctx.srv.request('REPORT', path, {
          user: who, headers: { Depth: depth, ...XML_HEADERS, ...(minimal ? { Prefer: 'return=minimal' } : {}) },
          body: `<?xml version="1.0"?><d:sync-collection ${NS}><d:sync-token/><d:sync-level>1</d:sync-level>${limit}<d:prop>${propXml(n)}</d:prop></d:sync-collection>`,
        });
        const rowRead = names.some((n) => ![D('getetag'), D('resourcetype'), ...UNKNOWN].includes(n)) ? 'listObjectRows' : 'listObjectEtags';
        const [fast, general] = await pair(ctx, send, names, rowRead, 'listObjectsPage', what);
        assert.fixture(fast, general, what);
        // The members alone (no response of the collection itself), then the token (RFC 6578 §3.4, §6.3).
        const parsed = parseMultistatus(fast);
        assert.equal(parsed.responses.map((r) => r.href.slice(path.length)).sort(), who === 'alice' ? ['a b.ics', 'conf.ics', 'priv.ics', 'pub.ics'] : ['a b.ics', 'conf.ics', 'pub.ics'], what);
        assert.match(fast, /<\/d:response><d:sync-token>[^<]+<\/d:sync-token><\/d:multistatus>$/, what);
        compared++;
      }
    }
  }
  assert.is(compared, 2 * 2 * 127);
});

t('sync-collection without a token: a limit the members exceed is 507 number-of-matches-within-limits; the token then syncs what changed', async (ctx) => {
  const path = calPath('alice', 'plain');
  const body = (token: string, limit: string) => `<d:sync-collection ${NS}>${token}<d:sync-level>1</d:sync-level>${limit}<d:prop><d:getetag/><d:getcontenttype/></d:prop></d:sync-collection>`;
  const over = await ctx.srv.request('REPORT', path, { user: 'alice', headers: XML_HEADERS, body: body('<d:sync-token/>', '<d:limit><d:nresults>3</d:nresults></d:limit>') });
  assert.is(over.status, 507, describe('REPORT', path, over));
  assert.ok(over.text.includes('number-of-matches-within-limits'), over.text);
  ctx.calls = {};
  const first = await ctx.srv.request('REPORT', path, { user: 'alice', headers: XML_HEADERS, body: body('<d:sync-token/>', '') });
  assert.is(first.status, 207);
  assert.ok(ctx.calls.listObjectRows && !ctx.calls.listObjectsPage, JSON.stringify(ctx.calls));
  const token = parseMultistatus(first.text).syncToken!;
  assert.ok(token, first.text);
  // A member deleted and one added after the row listing: the next sync names both, the deleted one as a 404 response.
  await ctx.srv.request('DELETE', path + 'pub.ics', { user: 'alice' });
  await putOk(ctx.srv, 'alice', path + 'new.ics', ical('new', { summary: 'Added' }));
  const next = parseMultistatus((await ctx.srv.request('REPORT', path, { user: 'alice', headers: XML_HEADERS, body: body(`<d:sync-token>${token}</d:sync-token>`, '') })).text);
  assert.equal(next.responses.map((r) => [r.href.slice(path.length), String(r.status ?? r.propstats.map((p) => p.status).join())]).sort(), [['new.ics', '200'], ['pub.ics', '404']]);
  // Restored for the other tests.
  await ctx.srv.request('DELETE', path + 'new.ics', { user: 'alice' });
  await putOk(ctx.srv, 'alice', path + 'pub.ics', OBJECTS[0]![1]);
});

t('the answers compared hold what each viewer may see: the dead property, no private member, no length of the busy view', async ({ srv }) => {
  const names = [D('getcontentlength'), ...UNKNOWN];
  const body = `<d:propfind ${NS}><d:prop>${propXml(names)}</d:prop></d:propfind>`;
  const owner = parseMultistatus((await srv.request('PROPFIND', calPath('alice', 'dead'), { user: 'alice', headers: { Depth: '1', ...XML_HEADERS }, body })).text);
  const pub = owner.responses.find((r) => r.href.endsWith('/pub.ics'))!;
  assert.is(pub.propstats.find((p) => p.status === 200)?.props.has('{urn:x-test}note'), true, 'the dead property in its 200 propstat');
  assert.equal([...pub.propstats.find((p) => p.status === 404)!.props.keys()], [UNKNOWN[0]]);
  assert.is(owner.responses.length, 1 + MEMBERS.length);
  const sharee = parseMultistatus((await srv.request('PROPFIND', calPath('rita', 'dead'), { user: 'rita', headers: { Depth: '1', ...XML_HEADERS }, body })).text);
  assert.equal(sharee.responses.map((r) => r.href.slice(calPath('rita', 'dead').length)).sort(), ['', 'a b.ics', 'conf.ics', 'pub.ics']);
  const conf = sharee.responses.find((r) => r.href.endsWith('/conf.ics'))!;
  assert.equal(conf.propstats.map((p) => p.status), [404], 'the busy view has no getcontentlength; nothing else was asked');
  assert.equal([...conf.propstats[0]!.props.keys()], names);
});

t('calendar-multiget with calendar-data: every combination, owner and sharee, with and without dead properties, minimal or not', async (ctx) => {
  let compared = 0;
  for (const who of ['alice', 'rita']) {
    for (const cal of CALS) {
      const path = calPath(who, cal);
      // The private member's href too (404 for the sharee), one that does not exist, one twice.
      const hrefs = [...MEMBERS, 'nope.ics', 'pub.ics'].map((n) => path + n);
      const lists = propLists();
      for (let k = 0; k < lists.length; k++) {
        // calendar-data where DAVx5 (last), Thunderbird (after getetag) or iOS (first) put it.
        const base = lists[k]!;
        const at = k % 3 === 0 ? base.length : k % 3 === 1 ? Math.min(1, base.length) : 0;
        const names = [...base.slice(0, at), C('calendar-data'), ...base.slice(at)];
        const minimal = k % 4 === 1;
        const what = `${who} ${cal} ${names.join(' ')}${minimal ? ' minimal' : ''}`;
        const send = (n: string[]) => ctx.srv.request('REPORT', path, {
          user: who, headers: { Depth: '1', ...XML_HEADERS, ...(minimal ? { Prefer: 'return=minimal' } : {}) },
          body: `<?xml version="1.0"?><c:calendar-multiget ${NS}><d:prop>${propXml(n)}</d:prop>${hrefs.map((h) => `<d:href>${h}</d:href>`).join('')}</c:calendar-multiget>`,
        });
        const [fast, general] = await pair(ctx, send, names, 'getObjectTextsUpTo', 'getObjects', what);
        assert.fixture(fast, general, what);
        if (who === 'rita') assert.not.ok(fast.includes('Interview') || fast.includes('Doctor'), `${what}: nothing hidden reaches the sharee`);
        compared++;
      }
    }
  }
  assert.is(compared, 2 * 2 * 127);
});

t.run();
