// The address-book JSON API (issue 14 items 4-6; docs/api.md): listing own and shared address
// books with the switch, counts and the large flag; create, rename, delete (never the last);
// sharing read / read-write with the sharee's own switch; the CSRF and owner rules; .vcf import
// (bad cards reported, re-run unchanged, read-only refused) and export with the bytes kept; the
// address-book home in /connection; the CardDAV payload of the Apple profile, parsed as a plist.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { XMLParser } from 'fast-xml-parser';
import { guardedBefore } from './setup.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { login, type WebSession } from './session.js';
import { CS, D, getProp, propfind } from '../helpers/dav.js';
import { putVcfOk, vcard } from '../helpers/carddav.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
  bob: WebSession;
}

/** Small on purpose: the large flag is checked with a few cards (the default is 9000, as for calendars). */
const THRESHOLD = 4;

const t = suite<Ctx>('address-book JSON API');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_LARGE_CALENDAR: String(THRESHOLD) });
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  ctx.alice = await login(ctx.srv, 'alice');
  ctx.bob = await login(ctx.srv, 'bob');
});
t.after(async (ctx) => { await ctx.srv?.close(); });

const card = (uid: string, fn: string, version = '4.0', extra = '') => `BEGIN:VCARD\r\nVERSION:${version}\r\nUID:${uid}\r\nFN:${fn}\r\n${extra}END:VCARD\r\n`;

const userId = async (srv: TestServer, name: string) => (await srv.store.getUser(name))!.id;

/** The address-book home's Depth 1 listing over CardDAV, as DAVx5 and iOS read it. */
async function davBooks(srv: TestServer, user: string): Promise<string[]> {
  const home = `/dav/addressbooks/${user}/`;
  return (await propfind(srv, user, home, '1', [D('displayname')])).responses.map((r) => r.href).filter((h) => h !== home);
}

t('GET /addressbooks: every user has "Contacts", own, synchronized, empty, at its DAV path', async ({ alice }) => {
  const { mine, others } = await alice.ok('GET', '/addressbooks');
  assert.equal(others, []);
  assert.is(mine.length, 1);
  assert.equal(mine[0], { uri: 'contacts', displayName: 'Contacts', description: null, owner: 'alice', access: 'owner', sync: true, entries: 0, large: false, path: '/dav/addressbooks/alice/contacts/', shares: [] });
});

t('create, rename and describe an address book; bad names are 400; changes need the CSRF token', async ({ alice }) => {
  const made = await alice.call('POST', '/addressbooks', { displayName: 'Work People' });
  assert.is(made.status, 201, made.text);
  assert.is(made.json.uri, 'work-people');
  assert.is(made.json.path, '/dav/addressbooks/alice/work-people/');
  // The calendar home is its own namespace: an address book named like a calendar takes its uri.
  const personal = await alice.ok('POST', '/addressbooks', { displayName: 'Personal' });
  assert.is(personal.uri, 'personal');
  const again = await alice.ok('POST', '/addressbooks', { displayName: 'Work people' });
  assert.is(again.uri, 'work-people-2');
  const renamed = await alice.ok('PATCH', '/addressbooks/work-people-2', { displayName: 'Clients', description: 'who pays' });
  assert.is(renamed.displayName, 'Clients');
  assert.is(renamed.description, 'who pays');
  for (const bad of ['', '   ', 'x'.repeat(201), 42]) {
    const r = await alice.call('POST', '/addressbooks', { displayName: bad });
    assert.is(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
    assert.is(r.json.error, 'invalid');
  }
  const noCsrf = await alice.call('POST', '/addressbooks', { displayName: 'Sneaky' }, { csrf: null });
  assert.is(noCsrf.status, 403);
  const noSession = await alice.call('GET', '/addressbooks', undefined, { anonymous: true });
  assert.is(noSession.status, 401);
  const names = (await alice.ok('GET', '/addressbooks')).mine.map((b: { displayName: string }) => b.displayName);
  assert.not.ok(names.includes('Sneaky'));
  assert.is((await alice.call('PATCH', '/addressbooks/nope', { sync: false })).status, 404);
  // A calendar's uri does not name an address book.
  assert.is((await alice.call('PATCH', '/addressbooks/personal-calendar-does-not-exist', { sync: false })).status, 404);
});

t('the switch: off leaves the address book out of the synchronized instances and moves the home token; on brings it back', async ({ srv, alice }) => {
  const id = await userId(srv, 'alice');
  const before = await srv.store.homeSeq(id, 'addressbooks');
  const calendarsBefore = await srv.store.homeSeq(id, 'calendars');
  const off = await alice.ok('PATCH', '/addressbooks/work-people', { sync: false });
  assert.is(off.sync, false);
  const synced = (await srv.store.listInstances(id, { syncOnly: true, home: 'addressbooks' })).map((i) => i.uri);
  assert.not.ok(synced.includes('work-people'));
  assert.ok(synced.includes('contacts'));
  assert.ok((await srv.store.homeSeq(id, 'addressbooks')) > before, 'the address-book home token moved');
  assert.is(await srv.store.homeSeq(id, 'calendars'), calendarsBefore, 'the calendar home did not');
  const listed = (await alice.ok('GET', '/addressbooks')).mine.find((b: { uri: string }) => b.uri === 'work-people');
  assert.is(listed.sync, false);
  const overDav = await davBooks(srv, 'alice');
  assert.not.ok(overDav.includes('/dav/addressbooks/alice/work-people/'), `not in the CardDAV home listing: ${overDav}`);
  assert.ok(overDav.includes('/dav/addressbooks/alice/contacts/'));
  const ctag = await getProp(srv, 'alice', '/dav/addressbooks/alice/', CS('getctag'));
  assert.is((await alice.call('PATCH', '/addressbooks/work-people', { sync: 'yes' })).status, 400);
  assert.is((await alice.ok('PATCH', '/addressbooks/work-people', { sync: true })).sync, true);
  assert.ok((await davBooks(srv, 'alice')).includes('/dav/addressbooks/alice/work-people/'), 'back in the CardDAV listing');
  assert.is.not(await getProp(srv, 'alice', '/dav/addressbooks/alice/', CS('getctag')), ctag, 'the home\'s getctag moved');
});

t('sharing read-only: the sharee sees it under "others" with their own switch, cannot rename, import or share it', async ({ srv, alice, bob }) => {
  assert.is((await alice.call('PUT', '/addressbooks/work-people/shares/bob', { access: 'read' })).status, 204);
  const mine = (await alice.ok('GET', '/addressbooks')).mine.find((b: { uri: string }) => b.uri === 'work-people');
  assert.equal(mine.shares, [{ username: 'bob', access: 'read' }]);
  const { others } = await bob.ok('GET', '/addressbooks');
  assert.is(others.length, 1);
  assert.is(others[0].owner, 'alice');
  assert.is(others[0].access, 'read');
  assert.is(others[0].path, `/dav/addressbooks/bob/${others[0].uri}/`);
  assert.not.ok('shares' in others[0], 'a sharee does not see who else it is shared with');
  const uri = others[0].uri;
  assert.ok((await davBooks(srv, 'bob')).includes(`/dav/addressbooks/bob/${uri}/`), 'in bob\'s CardDAV home');
  // The sharee's switch is theirs: the owner's stays on.
  assert.is((await bob.ok('PATCH', `/addressbooks/${uri}`, { sync: false })).sync, false);
  assert.is((await alice.ok('GET', '/addressbooks')).mine.find((b: { uri: string }) => b.uri === 'work-people').sync, true);
  const rename = await bob.call('PATCH', `/addressbooks/${uri}`, { displayName: 'Mine now' });
  assert.is(rename.status, 403);
  const reshare = await bob.call('PUT', `/addressbooks/${uri}/shares/alice`, { access: 'read' });
  assert.is(reshare.status, 403);
  const imp = await bob.call('POST', `/addressbooks/${uri}/import`, undefined, { raw: card('x', 'X'), contentType: 'text/vcard' });
  assert.is(imp.status, 403);
  assert.is((await srv.store.getInstance(await userId(srv, 'alice'), 'work-people', 'addressbooks'))!.collection.objectCount, 0, 'nothing stored');
  // Bad access values and unknown users.
  assert.is((await alice.call('PUT', '/addressbooks/work-people/shares/bob', { access: 'owner' })).status, 400);
  assert.is((await alice.call('PUT', '/addressbooks/work-people/shares/nobody', { access: 'read' })).status, 404);
  assert.is((await alice.call('PUT', '/addressbooks/work-people/shares/alice', { access: 'read' })).status, 400);
});

t('read-write share: the sharee imports; unshare removes it from their list; a sharee\'s DELETE only unsubscribes', async ({ alice, bob }) => {
  await alice.ok('PUT', '/addressbooks/work-people/shares/bob', { access: 'read-write' });
  const uri = (await bob.ok('GET', '/addressbooks')).others[0].uri;
  const imp = await bob.call('POST', `/addressbooks/${uri}/import`, undefined, { raw: card('from-bob', 'From Bob'), contentType: 'text/vcard' });
  assert.is(imp.status, 200, imp.text);
  assert.is(imp.json.imported, 1);
  assert.is((await alice.ok('GET', '/addressbooks')).mine.find((b: { uri: string }) => b.uri === 'work-people').entries, 1);
  assert.is((await alice.call('DELETE', '/addressbooks/work-people/shares/bob')).status, 204);
  assert.equal((await bob.ok('GET', '/addressbooks')).others, []);
  assert.is((await alice.call('DELETE', '/addressbooks/work-people/shares/bob')).status, 404);
  await alice.ok('PUT', '/addressbooks/work-people/shares/bob', { access: 'read' });
  const again = (await bob.ok('GET', '/addressbooks')).others[0].uri;
  assert.equal(await bob.ok('DELETE', `/addressbooks/${again}`), { result: 'unsubscribed' });
  assert.ok((await alice.ok('GET', '/addressbooks')).mine.some((b: { uri: string }) => b.uri === 'work-people'), 'the owner keeps it');
});

t('import: cards stored with their bytes, bad cards reported with their line, a re-run changes nothing, the large flag past the threshold', async ({ srv, alice }) => {
  const file = card('a-1', 'Anna', '3.0', 'EMAIL:anna@example.com\r\n') + card('b-2', 'Bert') + 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:No UID\r\nEND:VCARD\r\n' + card('c-3', 'Cleo');
  const first = await alice.call('POST', '/addressbooks/personal/import', undefined, { raw: file, contentType: 'text/vcard' });
  assert.is(first.status, 200, first.text);
  assert.is(first.json.imported, 3);
  assert.is(first.json.skippedCount, 1);
  assert.is(first.json.skipped[0].item, 'line 12 (FN No UID)');
  assert.match(first.json.skipped[0].reason, /UID is missing/);
  assert.is(first.json.entries, 3);
  assert.is(first.json.large, false);
  const rerun = await alice.call('POST', '/addressbooks/personal/import', undefined, { raw: file, contentType: 'text/vcard' });
  assert.equal([rerun.json.imported, rerun.json.replaced, rerun.json.unchanged], [0, 0, 3]);
  const id = (await srv.store.getInstance(await userId(srv, 'alice'), 'personal', 'addressbooks'))!.collection.id;
  const overDav = await srv.request('GET', '/dav/addressbooks/alice/personal/a-1.vcf', { user: 'alice' });
  assert.is(overDav.status, 200);
  assert.is(overDav.text, card('a-1', 'Anna', '3.0', 'EMAIL:anna@example.com\r\n'), 'a device gets the card as it was in the file');
  assert.match(overDav.headers.get('content-type') ?? '', /^text\/vcard/);
  // A card a device writes counts too, and a re-import leaves it alone.
  await putVcfOk(srv, 'alice', '/dav/addressbooks/alice/personal/from-phone.vcf', vcard('from-phone'));
  const stored = await srv.store.getObject(id, 'a-1.vcf');
  assert.is(stored!.data.toString('utf8'), card('a-1', 'Anna', '3.0', 'EMAIL:anna@example.com\r\n'));
  assert.match(stored!.contentType, /^text\/vcard/);
  // One card changed and two new: replaced, not duplicated; now past the threshold.
  const more = card('a-1', 'Anna Smith', '3.0') + card('d-4', 'Dora') + card('e-5', 'Emil');
  const third = await alice.call('POST', '/addressbooks/personal/import', undefined, { raw: more, contentType: 'text/x-vcard' });
  assert.equal([third.json.imported, third.json.replaced, third.json.unchanged, third.json.entries, third.json.large], [2, 1, 0, 6, true]);
  const listed = (await alice.ok('GET', '/addressbooks')).mine.find((b: { uri: string }) => b.uri === 'personal');
  assert.equal([listed.entries, listed.large], [6, true]);
  assert.ok(srv.logLines.some((l) => l.includes('address book passed the large-calendar threshold') && l.includes('"addressbook":"personal"')), 'the server logged the warning, naming an address book');
});

t('import: refused bodies — not a vCard type (415), not UTF-8 (400), no cards (a skipped "file"), unknown address book (404)', async ({ srv, alice }) => {
  const wrongType = await alice.call('POST', '/addressbooks/contacts/import', undefined, { raw: card('z', 'Z'), contentType: 'text/calendar' });
  assert.is(wrongType.status, 415);
  const latin1 = await fetch(`${srv.url}/api/addressbooks/contacts/import`, { method: 'POST', headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'Content-Type': 'text/vcard' }, body: new Uint8Array([0x42, 0x45, 0xe9, 0xff, 0x0a]) });
  assert.is(latin1.status, 400);
  const empty = await alice.call('POST', '/addressbooks/contacts/import', undefined, { raw: 'hello\r\n', contentType: 'text/vcard' });
  assert.is(empty.status, 200);
  assert.is(empty.json.imported, 0);
  assert.ok(empty.json.skippedCount >= 1);
  assert.is((await alice.call('POST', '/addressbooks/nope/import', undefined, { raw: card('z', 'Z'), contentType: 'text/vcard' })).status, 404);
  assert.is((await alice.ok('GET', '/addressbooks')).mine.find((b: { uri: string }) => b.uri === 'contacts').entries, 0, 'nothing stored');
});

t('export: one .vcf with every card byte for byte; an import of the export changes nothing; others\' books are 404', async ({ srv, alice, bob }) => {
  const cards = [card('r-1', 'Rita', '3.0', 'NOTE:caf\u00e9 \u2615\r\n'), 'BEGIN:VCARD\nVERSION:4.0\nUID:r-2\nFN:Rolf (LF only)\nEND:VCARD\n', card('r-3', 'Ruth', '4.0', 'PHOTO:data:image/png;base64,iVBORw0KGgo=\r\n')];
  const made = await alice.ok('POST', '/addressbooks', { displayName: 'Round trip' });
  const imp = await alice.call('POST', `/addressbooks/${made.uri}/import`, undefined, { raw: cards.join(''), contentType: 'text/vcard' });
  assert.is(imp.json.imported, 3);
  const res = await fetch(`${srv.url}/api/addressbooks/${made.uri}/export`, { headers: { Cookie: alice.cookie } });
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/vcard/);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="Round_trip\.vcf"/);
  const body = Buffer.from(await res.arrayBuffer());
  assert.ok(body.equals(Buffer.from(cards.join(''), 'utf8')), 'the export is the imported bytes');
  const back = await alice.call('POST', `/addressbooks/${made.uri}/import`, undefined, { raw: body.toString('utf8'), contentType: 'text/vcard' });
  assert.equal([back.json.imported, back.json.replaced, back.json.unchanged, back.json.skippedCount], [0, 0, 3, 0]);
  const stranger = await fetch(`${srv.url}/api/addressbooks/${made.uri}/export`, { headers: { Cookie: bob.cookie } });
  assert.is(stranger.status, 404);
  const anonymous = await fetch(`${srv.url}/api/addressbooks/${made.uri}/export`);
  assert.is(anonymous.status, 401);
});

t('delete: an own address book goes (with its cards), the last one stays (403)', async ({ alice, bob }) => {
  assert.equal(await alice.ok('DELETE', '/addressbooks/round-trip'), { result: 'deleted' });
  assert.not.ok((await alice.ok('GET', '/addressbooks')).mine.some((b: { uri: string }) => b.uri === 'round-trip'));
  const bobs = (await bob.ok('GET', '/addressbooks')).mine;
  assert.is(bobs.length, 1);
  const last = await bob.call('DELETE', '/addressbooks/contacts');
  assert.is(last.status, 403);
  assert.is(last.json.message, 'you cannot delete your last address book');
  assert.is((await bob.ok('GET', '/addressbooks')).mine.length, 1);
});

t('GET /connection names the address-book home', async ({ srv, alice }) => {
  const c = await alice.ok('GET', '/connection');
  assert.is(c.addressbookHomeUrl, `${srv.url}/dav/addressbooks/alice/`);
});

/** A plist document as plain values (dict → object, array → array), parsed with fast-xml-parser. */
function parsePlist(xml: string): any {
  const tree = new XMLParser({ preserveOrder: true, ignoreAttributes: true, parseTagValue: false, trimValues: true }).parse(xml) as any[];
  const plist = tree.find((n) => 'plist' in n).plist as any[];
  const nodes = (list: any[]) => list.filter((n) => !('#text' in n));
  const value = (n: any): any => {
    const [tag] = Object.keys(n);
    const kids = n[tag!] as any[];
    const text = () => (kids.find((k) => '#text' in k)?.['#text'] ?? '');
    switch (tag) {
      case 'dict': {
        const out: Record<string, any> = {};
        const list = nodes(kids);
        for (let i = 0; i < list.length; i += 2) out[String(list[i].key.find((k: any) => '#text' in k)?.['#text'])] = value(list[i + 1]);
        return out;
      }
      case 'array': return nodes(kids).map(value);
      case 'string': return String(text());
      case 'integer': return Number(text());
      case 'true': return true;
      case 'false': return false;
      default: throw new Error(`unexpected plist element ${tag}`);
    }
  };
  return value(nodes(plist)[0]);
}

t('the Apple profile carries a com.apple.carddav.account payload beside the CalDAV one', async ({ srv, alice }) => {
  const xml = (await alice.call('GET', '/apple-profile')).text;
  const profile = parsePlist(xml);
  assert.is(profile.PayloadType, 'Configuration');
  const [caldav, carddav] = profile.PayloadContent;
  assert.is(caldav.PayloadType, 'com.apple.caldav.account');
  assert.is(carddav.PayloadType, 'com.apple.carddav.account');
  const url = new URL(srv.url);
  assert.is(carddav.CardDAVHostName, url.hostname);
  assert.is(carddav.CardDAVPort, Number(url.port));
  assert.is(carddav.CardDAVUseSSL, false);
  assert.is(carddav.CardDAVUsername, 'alice');
  assert.is(carddav.CardDAVPrincipalURL, `${srv.url}/dav/principals/alice/`);
  assert.is(carddav.PayloadVersion, 1);
  assert.match(carddav.PayloadIdentifier, /\.carddav$/);
  const uuids = [profile.PayloadUUID, caldav.PayloadUUID, carddav.PayloadUUID];
  assert.is(new Set(uuids).size, 3, 'three distinct payload UUIDs');
  for (const u of uuids) assert.match(u, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-A[0-9A-F]{3}-[0-9A-F]{12}$/);
  assert.not.ok(Object.keys(carddav).some((k) => /password/i.test(k)), 'no password in the payload');
  const https = await startTestServer({ SUNDIAL_BASE_URL: 'https://cal.example.org' });
  try {
    await https.addUser('erin');
    const erin = await login(https, 'erin');
    const c = parsePlist((await erin.call('GET', '/apple-profile')).text).PayloadContent[1];
    assert.equal([c.CardDAVHostName, c.CardDAVPort, c.CardDAVUseSSL, c.CardDAVPrincipalURL], ['cal.example.org', 443, true, 'https://cal.example.org/dav/principals/erin/']);
  } finally {
    await https.close();
  }
});

t.run();
