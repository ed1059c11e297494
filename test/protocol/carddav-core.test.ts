// CardDAV core behaviour (RFC 6352, issue 14 items 1 and 2) at the HTTP level, one test per rule:
// discovery, the address-book home beside the calendar home, extended MKCOL, properties,
// PUT/GET/DELETE of cards with strong ETags and conditional requests, COPY/MOVE.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.js';
import {
  C, CS, D, XML_HEADERS, errorConditions, hrefsIn, ical, parseMultistatus, prop, propStatus, propText, propfind, putOk, syncTokenOf,
} from '../helpers/dav.js';
import { CR, VCARD_HEADERS, mkAddressbookBody, putVcf, putVcfOk, vcard } from '../helpers/carddav.js';
import { textOf } from '../../src/xml/parse.js';

const t = suite<{ srv: TestServer }>('carddav core');

const USER = 'dana';
const PRINCIPAL = `/dav/principals/${USER}/`;
const ABHOME = `/dav/addressbooks/${USER}/`;
const BOOK = `${ABHOME}contacts/`;
const CALHOME = `/dav/calendars/${USER}/`;

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
});
t.after(async (ctx) => { await ctx.srv.close(); });

const req = (srv: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  srv.request(method, path, { user: USER, headers, ...(body === undefined ? {} : { body }) });

// --- Discovery (RFC 6764 §5, RFC 6352 §7.1.1, §6.1) ------------------------------------------------

t('/.well-known/carddav redirects GET and PROPFIND to /dav/ with 301', async ({ srv }) => {
  for (const method of ['GET', 'PROPFIND']) {
    const res = await req(srv, method, '/.well-known/carddav', { Depth: '0' });
    assert.is(res.status, 301, method);
    assert.match(res.headers.get('location') ?? '', /\/dav\/$/, method);
  }
});

t('the principal names the address-book home; OPTIONS advertises addressbook', async ({ srv }) => {
  const ms = await propfind(srv, USER, PRINCIPAL, '0', [CR('addressbook-home-set'), C('calendar-home-set'), CR('principal-address')]);
  const r = ms.responses[0];
  assert.equal(hrefsIn(prop(r, CR('addressbook-home-set'))), [ABHOME]);
  assert.equal(hrefsIn(prop(r, C('calendar-home-set'))), [CALHOME]);
  assert.is(propStatus(r!, CR('principal-address')), 404, 'no card represents the principal');
  for (const path of ['/dav/', PRINCIPAL, ABHOME, BOOK]) {
    const dav = (await req(srv, 'OPTIONS', path)).headers.get('dav') ?? '';
    assert.ok(dav.split(/\s*,\s*/).includes('addressbook'), `${path}: ${dav}`);
    assert.ok(dav.split(/\s*,\s*/).includes('calendar-access'), `${path}: ${dav}`);
  }
});

t('the address-book home lists the default "Contacts" with the CardDAV properties', async ({ srv }) => {
  const ms = await propfind(srv, USER, ABHOME, '1', [
    D('resourcetype'), D('displayname'), CR('addressbook-description'), CR('supported-address-data'), CR('max-resource-size'),
    CS('getctag'), D('sync-token'), D('current-user-privilege-set'), D('supported-report-set'), CR('supported-collation-set'),
  ]);
  const home = ms.responses.find((r) => r.href === ABHOME)!;
  assert.ok(home, 'the home itself');
  assert.ok(propText(home, D('sync-token')), 'the home has a sync token');
  const book = ms.responses.find((r) => r.href === BOOK)!;
  assert.ok(book, JSON.stringify(ms.responses.map((r) => r.href)));
  assert.equal(prop(book, D('resourcetype'))!.children.map((c) => c.name).sort(), [D('collection'), CR('addressbook')].sort());
  assert.is(propText(book, D('displayname')), 'Contacts');
  const types = prop(book, CR('supported-address-data'))!.children.map((c) => `${c.attrs['content-type']} ${c.attrs.version}`);
  assert.equal(types, ['text/vcard 3.0', 'text/vcard 4.0']);
  assert.match(propText(book, CR('max-resource-size')) ?? '', /^\d+$/);
  assert.ok(propText(book, CS('getctag')));
  assert.match(propText(book, D('sync-token')) ?? '', /^http:\/\/sundial\.invalid\/sync\/\d+$/);
  const privs = prop(book, D('current-user-privilege-set'))!.children.flatMap((p) => p.children.map((c) => c.name));
  assert.ok(privs.includes(D('write-content')) && privs.includes(D('read')), privs.join(' '));
  const reports = prop(book, D('supported-report-set'))!.children.map((s) => s.children[0]!.children[0]!.name);
  assert.ok(reports.includes(CR('addressbook-multiget')) && reports.includes(CR('addressbook-query')) && reports.includes(D('sync-collection')), reports.join(' '));
  assert.ok(!reports.includes(C('calendar-multiget')), 'no CalDAV reports on an address book');
  const collations = prop(book, CR('supported-collation-set'))!.children.map((c) => textOf(c));
  assert.ok(collations.includes('i;unicode-casemap') && collations.includes('i;ascii-casemap'), collations.join(' '));
  assert.is(propStatus(book, CR('addressbook-description')), 404, 'no description yet');
  // The calendar home does not list address books, nor the address-book home calendars.
  const cal = await propfind(srv, USER, CALHOME, '1', [D('resourcetype')]);
  assert.ok(!cal.responses.some((r) => hrefsIn(prop(r, D('resourcetype'))).length === 0 && prop(r, D('resourcetype'))?.children.some((c) => c.name === CR('addressbook'))));
  assert.ok(cal.responses.some((r) => r.href === `${CALHOME}personal/`));
  assert.ok(!ms.responses.some((r) => r.href.endsWith('/personal/')));
});

t('/dav/ lists the calendars and addressbooks areas; /dav/addressbooks/ the user\'s home only', async ({ srv }) => {
  const root = await propfind(srv, USER, '/dav/', '1', [D('resourcetype')]);
  assert.ok(root.responses.some((r) => r.href === '/dav/addressbooks/'), root.responses.map((r) => r.href).join(' '));
  const area = await propfind(srv, USER, '/dav/addressbooks/', '1', [D('resourcetype')]);
  assert.equal(area.responses.map((r) => r.href), ['/dav/addressbooks/', ABHOME]);
  await srv.addUser('eve');
  assert.is((await req(srv, 'PROPFIND', '/dav/addressbooks/eve/', { Depth: '0' })).status, 403, 'another user\'s home');
  assert.is((await req(srv, 'PROPFIND', '/dav/addressbooks/eve/contacts/', { Depth: '0' })).status, 403);
});

// --- Extended MKCOL (RFC 5689, RFC 6352 §6.3.1) ----------------------------------------------------

t('extended MKCOL creates an address book with its initial properties; a calendar and an address book may share a name', async ({ srv }) => {
  const res = await req(srv, 'MKCOL', `${ABHOME}work/`, XML_HEADERS, mkAddressbookBody('Work', 'Colleagues'));
  assert.is(res.status, 201, res.text);
  const ms = await propfind(srv, USER, `${ABHOME}work/`, '0', [D('displayname'), CR('addressbook-description'), D('resourcetype')]);
  assert.is(propText(ms.responses[0], D('displayname')), 'Work');
  assert.is(propText(ms.responses[0], CR('addressbook-description')), 'Colleagues');
  // A calendar called "work" in the calendar home does not clash with it.
  assert.is((await req(srv, 'MKCALENDAR', `${CALHOME}work/`)).status, 201);
  assert.is((await req(srv, 'MKCOL', `${ABHOME}work/`, XML_HEADERS, mkAddressbookBody('Again'))).status, 405, 'it exists');
  // Where address books cannot go: the calendar home, inside an address book; no calendar in the address-book home.
  const inCal = await req(srv, 'MKCOL', `${CALHOME}book/`, XML_HEADERS, mkAddressbookBody('X'));
  assert.is(inCal.status, 403);
  assert.ok(errorConditions(inCal.text).includes(CR('addressbook-collection-location-ok')), inCal.text);
  const inside = await req(srv, 'MKCOL', `${ABHOME}work/sub/`);
  assert.is(inside.status, 403);
  const cal = await req(srv, 'MKCALENDAR', `${ABHOME}events/`);
  assert.is(cal.status, 403);
  assert.ok(errorConditions(cal.text).includes(C('calendar-collection-location-ok')), cal.text);
  for (const path of [`${CALHOME}book/`, `${ABHOME}work/sub/`, `${ABHOME}events/`]) assert.is((await req(srv, 'PROPFIND', path, { Depth: '0' })).status, 404, path);
});

t('Allow in the address-book home leaves out MKCALENDAR, which is always refused there; the calendar home keeps it', async ({ srv }) => {
  const methods = (res: TestResponse) => (res.headers.get('allow') ?? '').split(/,\s*/);
  for (const path of [ABHOME, `${ABHOME}not-yet/`]) {
    const allow = methods(await req(srv, 'OPTIONS', path));
    assert.ok(allow.includes('MKCOL'), path);
    assert.not.ok(allow.includes('MKCALENDAR'), path);
  }
  // A 405 (MKCOL on the existing home) carries the same list.
  const refused = await req(srv, 'MKCOL', ABHOME);
  assert.is(refused.status, 405);
  assert.not.ok(methods(refused).includes('MKCALENDAR'));
  for (const path of [CALHOME, `${CALHOME}not-yet/`]) assert.ok(methods(await req(srv, 'OPTIONS', path)).includes('MKCALENDAR'), path);
});

t('a plain MKCOL in the address-book home makes a plain collection (litmus runs there)', async ({ srv }) => {
  assert.is((await req(srv, 'MKCOL', `${ABHOME}files/`)).status, 201);
  const ms = await propfind(srv, USER, `${ABHOME}files/`, '0', [D('resourcetype')]);
  assert.equal(prop(ms.responses[0], D('resourcetype'))!.children.map((c) => c.name), [D('collection')]);
  assert.is((await req(srv, 'PUT', `${ABHOME}files/note.txt`, { 'Content-Type': 'text/plain' }, 'hello')).status, 201);
  assert.is((await req(srv, 'GET', `${ABHOME}files/note.txt`)).text, 'hello');
  assert.is((await req(srv, 'PROPFIND', `${CALHOME}files/`, { Depth: '0' })).status, 404, 'not in the calendar home');
  assert.is((await req(srv, 'DELETE', `${ABHOME}files/`)).status, 204);
});

// --- PROPPATCH (RFC 6352 §6.2) -----------------------------------------------------------------------

t('PROPPATCH sets displayname and addressbook-description; supported-address-data is protected', async ({ srv }) => {
  const body = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>
    <d:displayname>Friends &amp; family</d:displayname><card:addressbook-description>People</card:addressbook-description></d:prop></d:set></d:propertyupdate>`;
  const before = await syncTokenOf(srv, USER, BOOK);
  assert.is((await req(srv, 'PROPPATCH', BOOK, XML_HEADERS, body)).status, 207);
  const ms = await propfind(srv, USER, BOOK, '0', [D('displayname'), CR('addressbook-description')]);
  assert.is(propText(ms.responses[0], D('displayname')), 'Friends & family');
  assert.is(propText(ms.responses[0], CR('addressbook-description')), 'People');
  assert.is.not(await syncTokenOf(srv, USER, BOOK), before, 'the token moves with the properties');
  const protectedBody = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>
    <card:supported-address-data/><d:displayname>Not applied</d:displayname></d:prop></d:set></d:propertyupdate>`;
  const res = await req(srv, 'PROPPATCH', BOOK, XML_HEADERS, protectedBody);
  const r = parseMultistatus(res.text).responses[0]!;
  assert.is(propStatus(r, CR('supported-address-data')), 403);
  assert.is(propStatus(r, D('displayname')), 424);
  assert.is(await (async () => propText((await propfind(srv, USER, BOOK, '0', [D('displayname')])).responses[0], D('displayname')))(), 'Friends & family');
});

// --- Cards: PUT/GET/DELETE, ETags, conditional requests (RFC 6352 §6.3.2, RFC 9110 §13) -----------

t('PUT, GET and HEAD of a card: strong ETag, text/vcard, the same bytes back', async ({ srv }) => {
  const body = vcard('ann@test', { fn: 'Ann Example', extra: ['EMAIL:ann@example.com'] });
  const put = await putVcf(srv, USER, `${BOOK}ann.vcf`, body);
  assert.is(put.status, 201, put.text);
  const etag = put.headers.get('etag') ?? '';
  assert.match(etag, /^"[^"]+"$/, 'strong ETag');
  const get = await req(srv, 'GET', `${BOOK}ann.vcf`);
  assert.is(get.status, 200);
  assert.is(get.text, body);
  assert.is(get.headers.get('etag'), etag);
  assert.match(get.headers.get('content-type') ?? '', /^text\/vcard/);
  const head = await req(srv, 'HEAD', `${BOOK}ann.vcf`);
  assert.is(head.status, 200);
  assert.is(head.text, '');
  assert.is(head.headers.get('content-length'), String(Buffer.byteLength(body)));
  const ms = await propfind(srv, USER, `${BOOK}ann.vcf`, '0', [D('getetag'), D('getcontenttype')]);
  assert.is(propText(ms.responses[0], D('getetag')), etag);
  assert.match(propText(ms.responses[0], D('getcontenttype')) ?? '', /^text\/vcard/);
  assert.is((await req(srv, 'GET', `${BOOK}ann.vcf`, { 'If-None-Match': etag })).status, 304);
});

t('conditional PUT and DELETE: If-None-Match: * and If-Match with the current or an old ETag', async ({ srv }) => {
  const path = `${BOOK}cond.vcf`;
  const first = await putVcfOk(srv, USER, path, vcard('cond@test', { fn: 'One' }), { ...VCARD_HEADERS, 'If-None-Match': '*' });
  assert.is((await putVcf(srv, USER, path, vcard('cond@test', { fn: 'Two' }), { ...VCARD_HEADERS, 'If-None-Match': '*' })).status, 412);
  const second = await putVcf(srv, USER, path, vcard('cond@test', { fn: 'Two' }), { ...VCARD_HEADERS, 'If-Match': first });
  assert.is(second.status, 204);
  const etag2 = second.headers.get('etag') ?? '';
  assert.is.not(etag2, first);
  assert.is((await putVcf(srv, USER, path, vcard('cond@test', { fn: 'Three' }), { ...VCARD_HEADERS, 'If-Match': first })).status, 412, 'stale ETag');
  assert.is((await req(srv, 'DELETE', path, { 'If-Match': first })).status, 412);
  assert.match((await req(srv, 'GET', path)).text, /FN:Two/);
  assert.is((await req(srv, 'DELETE', path, { 'If-Match': etag2 })).status, 204);
  assert.is((await req(srv, 'GET', path)).status, 404);
  assert.is((await req(srv, 'DELETE', path)).status, 404);
});

t('vCard 3.0 and 4.0 are stored; a PUT without Content-Type is read as a vCard', async ({ srv }) => {
  assert.is((await putVcf(srv, USER, `${BOOK}v3.vcf`, vcard('v3@test', { version: '3.0' }), { 'Content-Type': 'text/x-vcard' })).status, 201);
  assert.is((await putVcf(srv, USER, `${BOOK}v4.vcf`, vcard('v4@test'), {})).status, 201);
  assert.match((await req(srv, 'GET', `${BOOK}v3.vcf`)).text, /VERSION:3\.0/);
});

t('GET with an Accept of another vCard version converts where nothing is lost, else returns the stored bytes', async ({ srv }) => {
  const v3 = vcard('conv@test', { fn: 'Conv Ert', version: '3.0', extra: ['EMAIL;TYPE=INTERNET,pref:conv@example.com'] });
  const etag = await putVcfOk(srv, USER, `${BOOK}conv.vcf`, v3);
  const as4 = await req(srv, 'GET', `${BOOK}conv.vcf`, { Accept: 'text/vcard; version=4.0' });
  assert.is(as4.status, 200);
  assert.match(as4.text, /^BEGIN:VCARD\r\nVERSION:4\.0\r\n/);
  assert.match(as4.headers.get('content-type') ?? '', /version=4\.0/);
  assert.is(as4.headers.get('etag'), etag, 'the ETag names the stored version');
  assert.is(as4.headers.get('content-length'), String(Buffer.byteLength(as4.text)));
  const head = await req(srv, 'HEAD', `${BOOK}conv.vcf`, { Accept: 'text/vcard; version=4.0' });
  assert.is(head.headers.get('content-length'), String(Buffer.byteLength(as4.text)), 'HEAD agrees with GET');
  assert.is((await req(srv, 'GET', `${BOOK}conv.vcf`, { Accept: 'text/vcard;version=3.0' })).text, v3, 'the stored version as stored');
  assert.is((await req(srv, 'GET', `${BOOK}conv.vcf`)).text, v3);
  const photo = vcard('photo@test', { extra: ['PHOTO:data:image/png;base64,iVBORw0KGgo='] });
  await putVcfOk(srv, USER, `${BOOK}photo.vcf`, photo);
  assert.is((await req(srv, 'GET', `${BOOK}photo.vcf`, { Accept: 'text/vcard; version=3.0' })).text, photo, 'not convertible without loss: as stored');
});

t('GET of an address book returns every card in one vCard file', async ({ srv }) => {
  await srv.request('MKCOL', `${ABHOME}export/`, { user: USER, headers: XML_HEADERS, body: mkAddressbookBody('Export') });
  await putVcfOk(srv, USER, `${ABHOME}export/a.vcf`, vcard('exp-a@test'));
  await putVcfOk(srv, USER, `${ABHOME}export/b.vcf`, vcard('exp-b@test'));
  const res = await req(srv, 'GET', `${ABHOME}export/`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/vcard/);
  assert.is(res.text, vcard('exp-a@test') + vcard('exp-b@test'));
});

// --- COPY and MOVE (RFC 4918 §9.8–9.9, RFC 6352 §6.3.2.1) ------------------------------------------

t('COPY and MOVE of cards between address books; never into a calendar, nor events into an address book', async ({ srv }) => {
  await srv.request('MKCOL', `${ABHOME}other/`, { user: USER, headers: XML_HEADERS, body: mkAddressbookBody('Other') });
  await putVcfOk(srv, USER, `${BOOK}mover.vcf`, vcard('mover@test'));
  const dest = (p: string) => ({ Destination: `${srv.url}${p}` });
  assert.is((await req(srv, 'COPY', `${BOOK}mover.vcf`, dest(`${ABHOME}other/copied.vcf`))).status, 201);
  // The UID is taken in the destination now: a second copy under another name conflicts.
  const clash = await req(srv, 'COPY', `${BOOK}mover.vcf`, dest(`${ABHOME}other/again.vcf`));
  assert.is(clash.status, 403);
  assert.ok(errorConditions(clash.text).includes(CR('no-uid-conflict')), clash.text);
  assert.is((await req(srv, 'DELETE', `${ABHOME}other/copied.vcf`)).status, 204);
  assert.is((await req(srv, 'MOVE', `${BOOK}mover.vcf`, dest(`${ABHOME}other/moved.vcf`))).status, 201);
  assert.is((await req(srv, 'GET', `${BOOK}mover.vcf`)).status, 404);
  assert.match((await req(srv, 'GET', `${ABHOME}other/moved.vcf`)).text, /UID:mover@test/);

  const intoCal = await req(srv, 'MOVE', `${ABHOME}other/moved.vcf`, dest(`${CALHOME}personal/moved.ics`));
  assert.is(intoCal.status, 403);
  assert.ok(errorConditions(intoCal.text).includes(C('supported-calendar-data')), intoCal.text);
  assert.is((await req(srv, 'GET', `${ABHOME}other/moved.vcf`)).status, 200, 'the card stays');
  await putOk(srv, USER, `${CALHOME}personal/ev.ics`, ical('ev@test'));
  const intoBook = await req(srv, 'COPY', `${CALHOME}personal/ev.ics`, dest(`${ABHOME}other/ev.vcf`));
  assert.is(intoBook.status, 403);
  assert.ok(errorConditions(intoBook.text).includes(CR('supported-address-data')), intoBook.text);
  assert.is((await req(srv, 'GET', `${ABHOME}other/ev.vcf`)).status, 404);

  // A plain resource that is a vCard may enter an address book; one that is not may not.
  await req(srv, 'MKCOL', `${ABHOME}stash/`);
  await req(srv, 'PUT', `${ABHOME}stash/ok.vcf`, { 'Content-Type': 'text/plain' }, vcard('stash@test'));
  await req(srv, 'PUT', `${ABHOME}stash/bad.vcf`, { 'Content-Type': 'text/plain' }, 'not a card');
  assert.is((await req(srv, 'MOVE', `${ABHOME}stash/ok.vcf`, dest(`${ABHOME}other/ok.vcf`))).status, 201);
  const bad = await req(srv, 'MOVE', `${ABHOME}stash/bad.vcf`, dest(`${ABHOME}other/bad.vcf`));
  assert.is(bad.status, 403);
  assert.ok(errorConditions(bad.text).includes(CR('valid-address-data')), bad.text);
  assert.is((await req(srv, 'GET', `${ABHOME}stash/bad.vcf`)).status, 200, 'the refused MOVE left the source');
});

t('MOVE renames an address book within its home; COPY makes a new one; neither crosses into the calendar home', async ({ srv }) => {
  await srv.request('MKCOL', `${ABHOME}old/`, { user: USER, headers: XML_HEADERS, body: mkAddressbookBody('Old') });
  await putVcfOk(srv, USER, `${ABHOME}old/x.vcf`, vcard('rename@test'));
  const dest = (p: string) => ({ Destination: `${srv.url}${p}` });
  assert.is((await req(srv, 'MOVE', `${ABHOME}old/`, dest(`${ABHOME}new/`))).status, 201);
  assert.is((await req(srv, 'GET', `${ABHOME}new/x.vcf`)).status, 200);
  assert.is((await req(srv, 'PROPFIND', `${ABHOME}old/`, { Depth: '0' })).status, 404);
  assert.is((await req(srv, 'COPY', `${ABHOME}new/`, dest(`${ABHOME}dup/`))).status, 201);
  assert.is((await req(srv, 'GET', `${ABHOME}dup/x.vcf`)).status, 200);
  const ms = await propfind(srv, USER, `${ABHOME}dup/`, '0', [D('resourcetype')]);
  assert.ok(prop(ms.responses[0], D('resourcetype'))!.children.some((c) => c.name === CR('addressbook')));
  const cross = await req(srv, 'MOVE', `${ABHOME}new/`, dest(`${CALHOME}new/`));
  assert.is(cross.status, 403);
  assert.ok(errorConditions(cross.text).includes(CR('addressbook-collection-location-ok')), cross.text);
  assert.is((await req(srv, 'GET', `${ABHOME}new/x.vcf`)).status, 200);
});

t.run();
