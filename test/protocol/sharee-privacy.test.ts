// CLASS:PRIVATE and CLASS:CONFIDENTIAL objects as sharees see them (issue 11, Low; docs/clients.md
// "Private and confidential events"): the behaviour of Nextcloud and Google. A private object is
// invisible to a sharee on every path — Depth 1 listings (the etag fast path and the general one),
// GET, calendar-multiget (404 for its href, fast and general paths), calendar-query with and
// without calendar-data, sync-collection (a change to private arrives as a 404 removal), the
// calendar's own GET, feeds and exports — and cannot be written (404). A confidential object
// reaches sharees as busy time only (times, recurrence, UID, TRANSP, STATUS, VTIMEZONE; SUMMARY
// "Busy"), with the owner's ETag, and cannot be written (403 DAV:need-privileges); filters cannot
// probe its hidden text. The owner always sees everything; free-busy counts every event. Caches
// (renderings, whole responses, query matches) never hand one viewer's rendering to the other:
// requests run owner → sharee → owner.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.js';
import {
  C, D, XML_HEADERS, describe, errorConditions, ical, multigetBody, parseMultistatus, propText, propfind, putIcs, putOk,
  syncCollection, type Multistatus,
} from '../helpers/dav.js';
import { login, type WebSession } from '../web/session.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { classificationOf } from '../../src/ical/classification.js';

const OWNER_CAL = '/dav/calendars/alice/team/';
const CAL = { alice: OWNER_CAL, rita: '/dav/calendars/rita/team/', walt: '/dav/calendars/walt/team/' } as const;
type Who = keyof typeof CAL;
const SHAREES: Who[] = ['rita', 'walt'];

const PARIS = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Paris', 'X-LIC-LOCATION:Europe/Paris',
  'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'END:STANDARD',
  'BEGIN:DAYLIGHT', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'END:DAYLIGHT',
  'END:VTIMEZONE',
];
const vcal = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial tests//EN', ...lines, 'END:VCALENDAR'].join('\r\n') + '\r\n';

/** Confidential, recurring (three Saturdays from 5 January 2030, 09:00 Paris = 08:00Z), full of details. */
const CONF = vcal(...PARIS,
  'BEGIN:VEVENT', 'UID:conf', 'DTSTAMP:20240101T000000Z',
  'DTSTART;TZID=Europe/Paris:20300105T090000', 'DTEND;TZID=Europe/Paris:20300105T100000', 'RRULE:FREQ=WEEKLY;COUNT=3',
  'SUMMARY:Job interview', 'DESCRIPTION:Second round at Acme', 'LOCATION:Acme HQ',
  'ATTENDEE;CN=Boss:mailto:boss@acme.example', 'ORGANIZER;CN=HR:mailto:hr@acme.example', 'URL:https://acme.example/jobs',
  'ATTACH:https://acme.example/cv.pdf', 'CATEGORIES:CAREER', 'COMMENT:bring the CV', 'CONTACT:Jane at reception', 'RESOURCES:Room 5',
  'CLASS:CONFIDENTIAL', 'TRANSP:OPAQUE', 'STATUS:CONFIRMED', 'X-SECRET-NOTE:salary talk',
  'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Leave for the interview', 'TRIGGER:-PT30M', 'END:VALARM',
  'END:VEVENT');
const PRIV = ical('priv', { summary: 'Doctor appointment', start: '20300103T080000Z', end: '20300103T090000Z', extra: ['CLASS:PRIVATE', 'DESCRIPTION:Oncology follow-up'] });
/** A public series with one private occurrence: the whole resource counts as private. */
const PRIVEXC = vcal(
  'BEGIN:VEVENT', 'UID:privexc', 'DTSTAMP:20240101T000000Z', 'DTSTART:20300110T100000Z', 'DTEND:20300110T110000Z', 'RRULE:FREQ=DAILY;COUNT=3', 'SUMMARY:Standup', 'END:VEVENT',
  'BEGIN:VEVENT', 'UID:privexc', 'DTSTAMP:20240101T000000Z', 'RECURRENCE-ID:20300111T100000Z', 'DTSTART:20300111T150000Z', 'DTEND:20300111T160000Z', 'SUMMARY:Therapy session', 'CLASS:PRIVATE', 'END:VEVENT');
const PUB = ical('pub', { summary: 'Team lunch', start: '20300102T120000Z', end: '20300102T130000Z' });

/** Text that must never reach a sharee. */
const SECRETS = ['Job interview', 'Acme', 'acme.example', 'Jane', 'Room 5', 'CAREER', 'bring the CV', 'salary', 'Leave for', 'Doctor appointment', 'Oncology', 'Therapy'];

function noSecrets(text: string, what: string): void {
  for (const s of SECRETS) assert.not.ok(text.includes(s), `${what} leaks "${s}": ${text.slice(0, 600)}`);
}

/** The busy view of CONF: what stays and what goes. */
function isBusyView(text: string | undefined, what: string): void {
  assert.ok(text, `${what}: calendar-data present`);
  noSecrets(text!, what);
  for (const kept of ['UID:conf', 'SUMMARY:Busy', 'DTSTART;TZID=Europe/Paris:20300105T090000', 'DTEND;TZID=Europe/Paris:20300105T100000', 'RRULE:FREQ=WEEKLY;COUNT=3', 'TRANSP:OPAQUE', 'STATUS:CONFIRMED', 'CLASS:CONFIDENTIAL', 'BEGIN:VTIMEZONE', 'TZID:Europe/Paris']) {
    assert.ok(text!.includes(kept), `${what} keeps ${kept}: ${text}`);
  }
  for (const gone of ['DESCRIPTION', 'LOCATION', 'ATTENDEE', 'ORGANIZER', 'URL:', 'ATTACH', 'CATEGORIES', 'COMMENT', 'CONTACT', 'RESOURCES', 'VALARM', 'X-SECRET']) {
    assert.not.ok(text!.includes(gone), `${what} drops ${gone}: ${text}`);
  }
}

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
  walt: WebSession;
  etags: Record<string, string>;
}

const t = suite<Ctx>('sharee privacy: CLASS:PRIVATE and CLASS:CONFIDENTIAL');

const report = (srv: TestServer, who: Who, p: string, body: string, depth = '1') =>
  srv.request('REPORT', p, { user: who, headers: { ...XML_HEADERS, Depth: depth }, body });

async function ms(res: TestResponse, what: string): Promise<Multistatus> {
  assert.is(res.status, 207, describe(what, '', res));
  return parseMultistatus(res.text);
}

const names = (m: Multistatus, cal: string) => m.responses.filter((r) => r.href !== cal && r.status === undefined).map((r) => r.href.slice(cal.length)).sort();
const byName = (m: Multistatus, cal: string, name: string) => m.responses.find((r) => r.href === cal + name);

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  for (const u of ['alice', 'rita', 'walt']) await ctx.srv.addUser(u);
  ctx.alice = await login(ctx.srv, 'alice');
  ctx.walt = await login(ctx.srv, 'walt');
  await ctx.alice.ok('POST', '/calendars', { displayName: 'Team' });
  ctx.etags = {};
  for (const [name, body] of [['pub.ics', PUB], ['priv.ics', PRIV], ['conf.ics', CONF], ['privexc.ics', PRIVEXC]] as const) {
    ctx.etags[name] = await putOk(ctx.srv, 'alice', OWNER_CAL + name, body);
  }
  await ctx.alice.ok('PUT', '/calendars/team/shares/rita', { access: 'read' });
  await ctx.alice.ok('PUT', '/calendars/team/shares/walt', { access: 'read-write' });
});
t.after(async (ctx) => { await ctx.srv?.close(); });

const ALL = ['conf.ics', 'priv.ics', 'privexc.ics', 'pub.ics'];
const VISIBLE = ['conf.ics', 'pub.ics'];

t('the owner sees every object in full, everywhere', async ({ srv }) => {
  assert.equal(names(await propfind(srv, 'alice', OWNER_CAL, '1', [D('getetag')]), OWNER_CAL), ALL);
  const get = await srv.request('GET', OWNER_CAL + 'conf.ics', { user: 'alice' });
  assert.is(get.text, CONF);
  const mg = await ms(await report(srv, 'alice', OWNER_CAL, multigetBody(ALL.map((n) => OWNER_CAL + n))), 'owner multiget');
  const norm = (x: string | undefined) => x?.replace(/\r\n/g, '\n').trim();
  assert.is(norm(propText(byName(mg, OWNER_CAL, 'conf.ics'), C('calendar-data'))), norm(CONF));
  assert.is(norm(propText(byName(mg, OWNER_CAL, 'priv.ics'), C('calendar-data'))), norm(PRIV));
});

t('Depth 1 listings leave private objects out for sharees (etag fast path and general path)', async ({ srv, etags }) => {
  for (const who of SHAREES) {
    const fast = await propfind(srv, who, CAL[who], '1', [D('getetag')]);
    assert.equal(names(fast, CAL[who]), VISIBLE, `${who} etag listing`);
    // The busy view keeps the owner's ETag (as Nextcloud does).
    assert.is(propText(byName(fast, CAL[who], 'conf.ics'), D('getetag')), etags['conf.ics']);
    const general = await srv.request('PROPFIND', CAL[who], { user: who, headers: { Depth: '1', ...XML_HEADERS }, body: `<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>` });
    const gm = await ms(general, `${who} allprop listing`);
    assert.equal(names(gm, CAL[who]), VISIBLE, `${who} allprop listing`);
    noSecrets(general.text, `${who} allprop listing`);
    // No stored length of the confidential object: it would hint at the hidden details.
    assert.is(propText(byName(gm, CAL[who], 'conf.ics'), D('getcontentlength')), undefined);
  }
});

t('GET/HEAD: private 404, confidential as busy time with the owner\'s ETag', async ({ srv, etags }) => {
  for (const who of SHAREES) {
    for (const n of ['priv.ics', 'privexc.ics']) {
      const res = await srv.request('GET', CAL[who] + n, { user: who });
      assert.is(res.status, 404, describe('GET', n, res));
      noSecrets(res.text, `${who} GET ${n}`);
      assert.is((await srv.request('PROPFIND', CAL[who] + n, { user: who, headers: { Depth: '0' } })).status, 404);
    }
    const conf = await srv.request('GET', CAL[who] + 'conf.ics', { user: who });
    assert.is(conf.status, 200);
    isBusyView(conf.text, `${who} GET conf.ics`);
    assert.is(conf.headers.get('etag'), etags['conf.ics']);
    assert.is(conf.headers.get('content-length'), String(Buffer.byteLength(conf.text)));
    const head = await srv.request('HEAD', CAL[who] + 'conf.ics', { user: who });
    assert.is(head.headers.get('content-length'), String(Buffer.byteLength(conf.text)), 'HEAD agrees with GET');
    const cond = await srv.request('GET', CAL[who] + 'conf.ics', { user: who, headers: { 'If-None-Match': etags['conf.ics']! } });
    assert.is(cond.status, 304);
    // The calendar as one file.
    const whole = await srv.request('GET', CAL[who], { user: who });
    assert.is(whole.status, 200);
    noSecrets(whole.text, `${who} GET calendar`);
    assert.ok(whole.text.includes('UID:conf') && whole.text.includes('SUMMARY:Busy') && whole.text.includes('UID:pub'));
    assert.not.ok(whole.text.includes('UID:priv'), 'no private object in the calendar file');
  }
  const owner = await srv.request('GET', OWNER_CAL, { user: 'alice' });
  assert.ok(owner.text.includes('Job interview') && owner.text.includes('UID:priv'));
});

t('calendar-multiget: private hrefs 404, confidential busy — fast path, general path, rendered path; owner → sharee → owner', async ({ srv, etags }) => {
  const bodies = {
    fast: (cal: string) => multigetBody(ALL.map((n) => cal + n)),
    general: (cal: string) => multigetBody(ALL.map((n) => cal + n), [D('getetag'), D('getlastmodified'), C('calendar-data')]),
    rendered: (cal: string) => multigetBody(ALL.map((n) => cal + n)).replace('<x1:calendar-data xmlns:x1="urn:ietf:params:xml:ns:caldav"/>', `<x1:calendar-data xmlns:x1="urn:ietf:params:xml:ns:caldav"><x1:expand start="20300101T000000Z" end="20300201T000000Z"/></x1:calendar-data>`),
  };
  assert.ok(bodies.rendered('/x/').includes('expand'), 'the rendered body asks for an expansion');
  for (const [kind, body] of Object.entries(bodies)) {
    const ownerFirst = await ms(await report(srv, 'alice', OWNER_CAL, body(OWNER_CAL)), `owner ${kind}`);
    assert.ok(propText(byName(ownerFirst, OWNER_CAL, 'conf.ics'), C('calendar-data'))!.includes('Job interview'), `owner ${kind}`);
    for (const who of SHAREES) {
      const res = await report(srv, who, CAL[who], body(CAL[who]));
      const m = await ms(res, `${who} ${kind}`);
      noSecrets(res.text, `${who} multiget ${kind}`);
      assert.is(byName(m, CAL[who], 'priv.ics')?.status, 404, `${who} ${kind}: priv.ics 404`);
      assert.is(byName(m, CAL[who], 'privexc.ics')?.status, 404, `${who} ${kind}: privexc.ics 404`);
      const conf = byName(m, CAL[who], 'conf.ics');
      assert.is(propText(conf, D('getetag')), etags['conf.ics'], `${who} ${kind}: the owner's etag`);
      const data = propText(conf, C('calendar-data'))!;
      if (kind === 'rendered') {
        noSecrets(data, `${who} expanded`);
        assert.ok(data.includes('SUMMARY:Busy') && data.includes('RECURRENCE-ID'), `${who} expanded busy view: ${data}`);
      } else isBusyView(data, `${who} multiget ${kind}`);
      assert.ok(propText(byName(m, CAL[who], 'pub.ics'), C('calendar-data'))!.includes('Team lunch'));
    }
    const ownerAfter = await ms(await report(srv, 'alice', OWNER_CAL, body(OWNER_CAL)), `owner ${kind} again`);
    assert.ok(propText(byName(ownerAfter, OWNER_CAL, 'conf.ics'), C('calendar-data'))!.includes('Job interview'), `owner ${kind} after the sharees`);
    assert.ok(propText(byName(ownerAfter, OWNER_CAL, 'priv.ics'), C('calendar-data'))!.includes('Oncology'));
  }
  // An href of the sharee's own view reached from outside the calendar (general resolution).
  const outside = await ms(await report(srv, 'walt', '/dav/calendars/walt/personal/', multigetBody([CAL.walt + 'priv.ics', CAL.walt + 'conf.ics'])), 'walt outside multiget');
  assert.is(byName(outside, CAL.walt, 'priv.ics')?.status, 404);
  isBusyView(propText(byName(outside, CAL.walt, 'conf.ics'), C('calendar-data')), 'walt outside multiget');
});

const query = (inner: string, props = `<d:getetag/>`) => `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>${props}</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">${inner}</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
const JAN = `<c:time-range start="20300101T000000Z" end="20300201T000000Z"/>`;

t('calendar-query: no private objects, confidential ones as busy time, no probing of hidden text; owner → sharee → owner', async ({ srv }) => {
  const cases: [string, string, string[], string[]][] = [
    // [label, body, owner's matches, sharee's matches]
    ['time-range, getetag', query(JAN), ALL, VISIBLE],
    ['time-range, calendar-data', query(JAN, `<d:getetag/><c:calendar-data/>`), ALL, VISIBLE],
    ['time-range, expanded calendar-data', query(JAN, `<d:getetag/><c:calendar-data><c:expand start="20300101T000000Z" end="20300201T000000Z"/></c:calendar-data>`), ALL, VISIBLE],
    ['type only', query(''), ALL, VISIBLE],
    ['SUMMARY text-match', query(`<c:prop-filter name="SUMMARY"><c:text-match>interview</c:text-match></c:prop-filter>`), ['conf.ics'], []],
    ['DESCRIPTION text-match', query(`${JAN}<c:prop-filter name="DESCRIPTION"><c:text-match>Acme</c:text-match></c:prop-filter>`), ['conf.ics'], []],
    ['LOCATION defined', query(`<c:prop-filter name="LOCATION"/>`), ['conf.ics'], []],
  ];
  for (const [label, body, ownerWant, shareeWant] of cases) {
    for (const round of [1, 2]) {
      const o = await ms(await report(srv, 'alice', OWNER_CAL, body), `owner ${label}`);
      assert.equal(names(o, OWNER_CAL), ownerWant, `owner ${label} (round ${round})`);
      if (body.includes('calendar-data') && ownerWant.includes('conf.ics')) assert.ok(propText(byName(o, OWNER_CAL, 'conf.ics'), C('calendar-data'))!.includes('Job interview'), `owner ${label} sees details`);
      for (const who of SHAREES) {
        const res = await report(srv, who, CAL[who], body);
        const m = await ms(res, `${who} ${label}`);
        assert.equal(names(m, CAL[who]), shareeWant, `${who} ${label} (round ${round})`);
        noSecrets(res.text, `${who} ${label}`);
        if (body.includes('calendar-data') && shareeWant.includes('conf.ics')) assert.ok(propText(byName(m, CAL[who], 'conf.ics'), C('calendar-data'))!.includes('SUMMARY:Busy'), `${who} ${label}`);
      }
    }
  }
  // On the object itself.
  for (const who of SHAREES) {
    assert.is((await report(srv, who, CAL[who] + 'priv.ics', query(JAN), '0')).status, 404);
    const one = await ms(await report(srv, who, CAL[who] + 'conf.ics', query(JAN, '<c:calendar-data/>'), '0'), `${who} query on conf.ics`);
    isBusyView(propText(one.responses[0], C('calendar-data')), `${who} query on conf.ics`);
  }
});

t('sync-collection: private objects never listed; a change to private reaches sharees as a 404 removal', async ({ srv }) => {
  const props = [D('getetag'), C('calendar-data')];
  const tokens: Partial<Record<Who, string>> = {};
  for (const who of SHAREES) {
    const initial = await syncCollection(srv, who, CAL[who], null, { props });
    assert.equal(names(initial, CAL[who]), VISIBLE, `${who} initial sync`);
    noSecrets(initial.root.children.map(String).join(''), `${who} initial sync`);
    isBusyView(propText(byName(initial, CAL[who], 'conf.ics'), C('calendar-data')), `${who} initial sync`);
    const etagsOnly = await syncCollection(srv, who, CAL[who], null);
    assert.equal(names(etagsOnly, CAL[who]), VISIBLE, `${who} initial sync, etags only`);
    tokens[who] = initial.syncToken!;
  }
  const before = await syncCollection(srv, 'alice', OWNER_CAL, null);
  await putOk(srv, 'alice', OWNER_CAL + 'pub.ics', PUB.replace('SUMMARY:Team lunch', 'SUMMARY:Team lunch\r\nCLASS:PRIVATE'));
  for (const who of SHAREES) {
    for (const p of [props, [D('getetag')]]) {
      const delta = await syncCollection(srv, who, CAL[who], tokens[who]!, { props: p });
      const pub = byName(delta, CAL[who], 'pub.ics');
      assert.is(pub?.status, 404, `${who}: the object turned private is a removal (${p.length} props)`);
      assert.not.ok(delta.responses.some((r) => r.href.endsWith('priv.ics')));
    }
    assert.is((await srv.request('GET', CAL[who] + 'pub.ics', { user: who })).status, 404);
  }
  const owner = await syncCollection(srv, 'alice', OWNER_CAL, before.syncToken!);
  assert.ok(propText(byName(owner, OWNER_CAL, 'pub.ics'), D('getetag')), 'the owner sees the change as a change');
  await putOk(srv, 'alice', OWNER_CAL + 'pub.ics', PUB);
  for (const who of SHAREES) {
    const back = await syncCollection(srv, who, CAL[who], tokens[who]!);
    assert.ok(propText(byName(back, CAL[who], 'pub.ics'), D('getetag')), `${who}: public again, listed again`);
  }
});

t('free-busy-query counts private and confidential events as busy, with times only', async ({ srv }) => {
  const body = `<?xml version="1.0"?><c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav">${JAN}</c:free-busy-query>`;
  for (const who of ['alice', ...SHAREES] as Who[]) {
    const res = await report(srv, who, CAL[who], body);
    assert.is(res.status, 200, describe('free-busy', who, res));
    noSecrets(res.text, `${who} free-busy`);
    for (const busy of ['20300103T080000Z/20300103T090000Z', '20300105T080000Z/20300105T090000Z', '20300111T150000Z/20300111T160000Z', '20300102T120000Z/20300102T130000Z']) {
      assert.ok(res.text.includes(busy), `${who} free-busy has ${busy}: ${res.text}`);
    }
  }
});

function needPrivileges(res: TestResponse, what: string): void {
  assert.is(res.status, 403, describe(what, '', res));
  assert.ok(errorConditions(res.text).includes(D('need-privileges')), `${what}: DAV:need-privileges in ${res.text.slice(0, 300)}`);
}

t('writes: confidential 403 need-privileges, private 404, nothing changes', async ({ srv }) => {
  const dest = (p: string) => ({ Destination: srv.url + p });
  for (const who of SHAREES) {
    const cal = CAL[who];
    needPrivileges(await putIcs(srv, who, cal + 'conf.ics', CONF.replace('Job interview', 'Overwritten')), `${who} PUT conf`);
    needPrivileges(await srv.request('DELETE', cal + 'conf.ics', { user: who }), `${who} DELETE conf`);
    needPrivileges(await srv.request('MOVE', cal + 'conf.ics', { user: who, headers: dest(`/dav/calendars/${who}/personal/stolen.ics`) }), `${who} MOVE conf`);
    needPrivileges(await srv.request('COPY', cal + 'conf.ics', { user: who, headers: dest(`/dav/calendars/${who}/personal/stolen.ics`) }), `${who} COPY conf`);
    needPrivileges(await srv.request('PROPPATCH', cal + 'conf.ics', { user: who, headers: XML_HEADERS, body: `<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><x:a>1</x:a></d:prop></d:set></d:propertyupdate>` }), `${who} PROPPATCH conf`);
    assert.is((await putIcs(srv, who, cal + 'priv.ics', ical('priv', { summary: 'Overwritten' }))).status, 404, `${who} PUT priv`);
    assert.is((await putIcs(srv, who, cal + 'priv.ics', ical('priv', { summary: 'Overwritten' }), { 'If-None-Match': '*' })).status, 404, `${who} PUT priv If-None-Match`);
    assert.is((await srv.request('DELETE', cal + 'priv.ics', { user: who })).status, 404, `${who} DELETE priv`);
    assert.is((await srv.request('MOVE', cal + 'priv.ics', { user: who, headers: dest(`/dav/calendars/${who}/personal/stolen.ics`) })).status, 404, `${who} MOVE priv`);
    assert.is((await srv.request('COPY', cal + 'priv.ics', { user: who, headers: dest(`/dav/calendars/${who}/personal/stolen.ics`) })).status, 404, `${who} COPY priv`);
    assert.is((await srv.request('GET', `/dav/calendars/${who}/personal/stolen.ics`, { user: who })).status, 404, 'nothing copied');
  }
  // walt may write the calendar, but not over what he cannot see in full.
  const overPriv = await srv.request('COPY', CAL.walt + 'pub.ics', { user: 'walt', headers: { ...dest(CAL.walt + 'priv.ics'), Overwrite: 'T' } });
  assert.ok(overPriv.status === 404 || overPriv.status === 409, describe('COPY onto priv', '', overPriv));
  needPrivileges(await srv.request('COPY', CAL.walt + 'pub.ics', { user: 'walt', headers: { ...dest(CAL.walt + 'conf.ics'), Overwrite: 'T' } }), 'COPY onto conf');
  needPrivileges(await srv.request('MOVE', CAL.walt + 'pub.ics', { user: 'walt', headers: { ...dest(CAL.walt + 'conf.ics'), Overwrite: 'T' } }), 'MOVE onto conf');
  assert.is((await srv.request('GET', OWNER_CAL + 'conf.ics', { user: 'alice' })).text, CONF, 'the owner\'s confidential object is intact');
  assert.is((await srv.request('GET', OWNER_CAL + 'priv.ics', { user: 'alice' })).text, PRIV, 'the owner\'s private object is intact');
  assert.is((await srv.request('GET', OWNER_CAL + 'pub.ics', { user: 'alice' })).text, PUB);
  // The owner writes as ever.
  const etag = await putOk(srv, 'alice', OWNER_CAL + 'conf.ics', CONF);
  assert.ok(etag);
});

t('a sharee\'s COPY of the whole shared calendar carries no private or confidential object', async ({ srv }) => {
  const res = await srv.request('COPY', CAL.walt, { user: 'walt', headers: { Destination: srv.url + '/dav/calendars/walt/teamcopy/', Depth: 'infinity' } });
  // Wherever the copy lands (issue 11 item 5 decides that), it holds only what walt sees in full.
  if (res.status !== 201) return assert.ok(res.status >= 400 && res.status < 500, describe('COPY', CAL.walt, res));
  for (const [user, p] of [['walt', '/dav/calendars/walt/teamcopy/'], ['alice', '/dav/calendars/alice/teamcopy/']] as const) {
    const got = await srv.request('GET', p, { user });
    if (got.status !== 200) continue;
    noSecrets(got.text, `${user}'s teamcopy`);
    assert.not.ok(got.text.includes('UID:conf') || got.text.includes('UID:priv'), `${user}'s teamcopy: ${got.text}`);
    assert.ok(got.text.includes('UID:pub'), 'the public object is copied');
    await srv.request('DELETE', p, { user });
  }
});

t('a read-write sharee may create or turn an object private (as in Nextcloud); it then disappears for them', async ({ srv }) => {
  const mine = ical('walt-private', { summary: 'My own private note', extra: ['CLASS:PRIVATE'] });
  assert.is((await putIcs(srv, 'walt', CAL.walt + 'walt-private.ics', mine)).status, 201);
  assert.is((await srv.request('GET', CAL.walt + 'walt-private.ics', { user: 'walt' })).status, 404);
  assert.is((await srv.request('GET', OWNER_CAL + 'walt-private.ics', { user: 'alice' })).text, mine);
  await putOk(srv, 'walt', CAL.walt + 'walt-pub.ics', ical('walt-pub'));
  const res = await putIcs(srv, 'walt', CAL.walt + 'walt-pub.ics', ical('walt-pub', { extra: ['CLASS:PRIVATE'] }));
  assert.is(res.status, 204);
  assert.is((await srv.request('GET', CAL.walt + 'walt-pub.ics', { user: 'walt' })).status, 404);
  assert.not.ok(names(await propfind(srv, 'walt', CAL.walt, '1', [D('getetag')]), CAL.walt).includes('walt-pub.ics'));
  // A confidential one stays listed, as busy time, and is read-only from then on.
  await putOk(srv, 'walt', CAL.walt + 'walt-conf.ics', ical('walt-conf', { summary: 'Salary review', extra: ['CLASS:CONFIDENTIAL'] }));
  const conf = await srv.request('GET', CAL.walt + 'walt-conf.ics', { user: 'walt' });
  assert.ok(conf.text.includes('SUMMARY:Busy') && !conf.text.includes('Salary'));
  needPrivileges(await srv.request('DELETE', CAL.walt + 'walt-conf.ics', { user: 'walt' }), 'DELETE own confidential');
  for (const n of ['walt-private.ics', 'walt-pub.ics', 'walt-conf.ics']) await srv.request('DELETE', OWNER_CAL + n, { user: 'alice' });
});

t('an import by a sharee never replaces what they cannot see in full', async ({ srv, walt }) => {
  const text = vcal('BEGIN:VEVENT', 'UID:conf', 'DTSTAMP:20240101T000000Z', 'DTSTART:20300105T080000Z', 'SUMMARY:Replaced', 'END:VEVENT',
    'BEGIN:VEVENT', 'UID:priv', 'DTSTAMP:20240101T000000Z', 'DTSTART:20300103T080000Z', 'SUMMARY:Replaced', 'END:VEVENT');
  const res = await walt.call('POST', '/feeds/import?calendar=team', undefined, { raw: text, contentType: 'text/calendar' });
  assert.is(res.status, 200, res.text);
  assert.is((res.json as { replaced: number }).replaced, 0, res.text);
  assert.is((await srv.request('GET', OWNER_CAL + 'conf.ics', { user: 'alice' })).text, CONF);
  assert.is((await srv.request('GET', OWNER_CAL + 'priv.ics', { user: 'alice' })).text, PRIV);
});

t('feeds of a calendar shared with the link\'s creator apply the same rule; the owner\'s do not', async ({ srv, alice, walt }) => {
  const fetchFeed = async (url: string) => (await fetch(srv.url + new URL(url).pathname)).text();
  for (const calendar of ['team', null]) {
    const made = await walt.ok('POST', '/feeds', { calendar });
    const text = await fetchFeed(made.url);
    noSecrets(text, `walt's feed (${calendar ?? 'all'})`);
    assert.ok(text.includes('UID:conf') && text.includes('SUMMARY:Busy') && text.includes('UID:pub'), `walt's feed (${calendar ?? 'all'}): ${text}`);
    assert.not.ok(text.includes('UID:priv'), 'no private object');
  }
  const own = await fetchFeed((await alice.ok('POST', '/feeds', { calendar: 'team' })).url);
  assert.ok(own.includes('Job interview') && own.includes('Oncology') && own.includes('Therapy'));
});

t('classification: the most restrictive CLASS of any VEVENT/VTODO/VJOURNAL; unknown values are private', () => {
  const ev = (...l: string[]) => vcal('BEGIN:VEVENT', 'UID:x', ...l, 'END:VEVENT');
  assert.is(classificationOf(ev()), 'public');
  assert.is(classificationOf(ev('CLASS:PUBLIC')), 'public');
  assert.is(classificationOf(ev('class:confidential')), 'confidential');
  assert.is(classificationOf(ev('CLASS:PRIVATE')), 'private');
  assert.is(classificationOf(ev('CLASS:X-SECRET')), 'private', 'RFC 5545 §3.8.1.3: unknown values as PRIVATE');
  assert.is(classificationOf(ev('CLASS;X-P=1:CONFIDENTIAL')), 'confidential');
  assert.is(classificationOf(ev('BEGIN:VALARM', 'CLASS:PRIVATE', 'END:VALARM')), 'public', 'only the component\'s own CLASS counts');
  assert.is(classificationOf(PRIVEXC), 'private');
  assert.is(classificationOf(vcal('BEGIN:VTODO', 'UID:t', 'CLASS:CONFIDENTIAL', 'END:VTODO')), 'confidential');
  assert.is(classificationOf(vcal('BEGIN:VEVENT', 'UID:x', 'CLASS:CONFIDENTIAL', 'END:VEVENT', 'BEGIN:VEVENT', 'UID:x', 'RECURRENCE-ID:20300101T000000Z', 'CLASS:PRIVATE', 'END:VEVENT')), 'private');
});

t('rows stored before the classification column are classified when the store opens', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-classify-'));
  const file = path.join(dir, 'db.sqlite');
  try {
    let store = await openSqliteStore({ path: file });
    const user = await store.createUser({ username: 'u', passwordHash: 'x' });
    const cal = await store.createCollection(user.id, { uri: 'c', kind: 'calendar' });
    const put = (name: string, text: string) => store.putObject(cal.id, { name, data: Buffer.from(text), contentType: 'text/calendar', uid: name, componentType: 'VEVENT' });
    await put('a', CONF);
    await put('b', PRIV);
    await put('c', PUB);
    assert.equal((await store.listObjects(cal.id)).map((m) => m.classification), ['confidential', 'private', 'public']);
    // COPY and MOVE carry the classification with the bytes.
    const other = await store.createCollection(user.id, { uri: 'd', kind: 'calendar' });
    await store.copyObject(cal.id, 'b', other.id, 'b-copy');
    await store.moveObject(cal.id, 'a', other.id, 'a-moved');
    assert.equal((await store.listObjects(other.id)).map((m) => [m.name, m.classification]), [['a-moved', 'confidential'], ['b-copy', 'private']]);
    await store.moveObject(other.id, 'a-moved', cal.id, 'a');
    await store.close();
    const db = new Database(file);
    db.prepare('UPDATE objects SET classification = NULL').run();
    db.close();
    store = await openSqliteStore({ path: file });
    assert.equal((await store.listObjects(cal.id)).map((m) => m.classification), ['confidential', 'private', 'public']);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
