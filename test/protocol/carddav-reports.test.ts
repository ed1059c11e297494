// CardDAV reports and the switch (RFC 6352 §8.6–8.7, RFC 6578; issue 14 items 3 and 4):
// addressbook-multiget with address-data selection, addressbook-query (prop-filter, param-filter,
// text-match collations and match types, negate, anyof/allof, limit), sync-collection on an
// address book and on the address-book home, the Synchronization switch, and shares.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { D, errorConditions, prop, propText, propfind, syncCollection, syncCollectionRaw } from '../helpers/dav.js';
import { CR, addressData, addressMultigetBody, addressQueryBody, putVcf, putVcfOk, report, report207, vcard } from '../helpers/carddav.js';

const t = suite<{ srv: TestServer }>('carddav reports');

const USER = 'fran';
const ABHOME = `/dav/addressbooks/${USER}/`;
const BOOK = `${ABHOME}contacts/`;

const CARDS: Record<string, string> = {
  'ann.vcf': vcard('ann@q', { fn: 'Ann Andersson', extra: ['EMAIL;TYPE=work:ann@example.com', 'TEL;TYPE=cell:+1 555 0100', 'NICKNAME:Annie'] }),
  'bob.vcf': vcard('bob@q', { fn: 'Bob Brown', extra: ['EMAIL;TYPE=home:bob@example.org'] }),
  'cem.vcf': vcard('cem@q', { fn: 'Cem Çelik', version: '3.0', extra: ['EMAIL:CEM@EXAMPLE.COM', 'ORG:Example GmbH'] }),
  'dora.vcf': vcard('dora@q', { fn: 'Dora Ärger', extra: ['PHOTO:data:image/png;base64,iVBORw0KGgo='] }),
};

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
  for (const [name, body] of Object.entries(CARDS)) await putVcfOk(ctx.srv, USER, BOOK + name, body);
});
t.after(async (ctx) => { await ctx.srv.close(); });

const names = (ms: { responses: { href: string; status?: number }[] }) => ms.responses.filter((r) => r.status === undefined).map((r) => r.href.slice(r.href.lastIndexOf('/') + 1)).sort();

// --- addressbook-multiget (§8.7) -------------------------------------------------------------------

t('addressbook-multiget returns each card as stored, 404 for unknown hrefs, each href once', async ({ srv }) => {
  const ms = await report207(srv, USER, BOOK, addressMultigetBody([`${BOOK}ann.vcf`, `${BOOK}nope.vcf`, `${BOOK}cem.vcf`, `${BOOK}ann.vcf`]));
  assert.is(ms.responses.length, 3);
  const ann = ms.responses.find((r) => r.href === `${BOOK}ann.vcf`)!;
  assert.is(addressData(ann), CARDS['ann.vcf']);
  assert.ok(propText(ann, D('getetag')));
  assert.is(ms.responses.find((r) => r.href === `${BOOK}nope.vcf`)!.status, 404);
  assert.is(addressData(ms.responses.find((r) => r.href === `${BOOK}cem.vcf`)), CARDS['cem.vcf']);
});

t('address-data selects properties (§10.4.2): named ones, novalue, and BEGIN/END/VERSION always', async ({ srv }) => {
  const sel = '<card:address-data><card:prop name="EMAIL"/><card:prop name="FN" novalue="yes"/></card:address-data>';
  const ms = await report207(srv, USER, BOOK, addressMultigetBody([`${BOOK}ann.vcf`], { addressData: sel }));
  const text = addressData(ms.responses[0])!;
  assert.is(text, 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:\r\nEMAIL;TYPE=work:ann@example.com\r\nEND:VCARD\r\n');
  // A version other than the stored one comes back as stored, not refused: DAVx5 asks every
  // multiget for 4.0 (dav4jvm) and a 3.0 card stored by another client must not fail its sync.
  const asked4 = await report207(srv, USER, BOOK, addressMultigetBody([`${BOOK}cem.vcf`, `${BOOK}ann.vcf`], { addressData: '<card:address-data content-type="text/vcard" version="4.0"/>' }));
  assert.is(addressData(asked4.responses.find((r) => r.href.endsWith('cem.vcf'))), CARDS['cem.vcf']);
  assert.is(addressData(asked4.responses.find((r) => r.href.endsWith('ann.vcf'))), CARDS['ann.vcf']);
});

t('addressbook-multiget of more hrefs than the limit is refused; calendar hrefs are not cards', async ({ srv }) => {
  const many = Array.from({ length: 1001 }, (_, i) => `${BOOK}c${i}.vcf`);
  const res = await report(srv, USER, BOOK, addressMultigetBody(many));
  assert.is(res.status, 403);
  assert.ok(errorConditions(res.text).includes(D('number-of-matches-within-limits')), res.text.slice(0, 300));
  const cal = await report207(srv, USER, BOOK, addressMultigetBody([`/dav/calendars/${USER}/personal/x.ics`]));
  assert.is(cal.responses[0]!.status, 404);
});

// --- addressbook-query (§8.6, §10.5) ------------------------------------------------------------------

const textMatch = (prop: string, value: string, attrs = '') => `<card:prop-filter name="${prop}"><card:text-match${attrs}>${value}</card:text-match></card:prop-filter>`;

t('addressbook-query: contains (unicode-casemap by default), equals, starts-with, ends-with, negate', async ({ srv }) => {
  const q = async (filter: string, test?: 'anyof' | 'allof') => names(await report207(srv, USER, BOOK, addressQueryBody(filter, test ? { test } : {})));
  assert.equal(await q(textMatch('FN', 'an')), ['ann.vcf']);
  assert.equal(await q(textMatch('FN', 'ärg')), ['dora.vcf'], 'unicode case folding');
  assert.equal(await q(textMatch('FN', 'çel')), ['cem.vcf']);
  assert.equal(await q(textMatch('EMAIL', 'cem@example.com', ' match-type="equals" collation="i;ascii-casemap"')), ['cem.vcf']);
  assert.equal(await q(textMatch('FN', 'bob', ' match-type="starts-with"')), ['bob.vcf']);
  assert.equal(await q(textMatch('EMAIL', '.org', ' match-type="ends-with"')), ['bob.vcf']);
  assert.equal(await q(textMatch('FN', 'a', ' negate-condition="yes"')), ['bob.vcf', 'cem.vcf'], 'no "a" in Bob Brown or Cem Çelik');
  assert.equal(await q(textMatch('FN', 'Bob') + textMatch('NICKNAME', 'annie')), ['ann.vcf', 'bob.vcf'], 'anyof');
  assert.equal(await q(textMatch('FN', 'Ann') + textMatch('EMAIL', 'example.com'), 'allof'), ['ann.vcf']);
  assert.equal(await q('<card:prop-filter name="ORG"/>'), ['cem.vcf'], 'a property that is defined');
  assert.equal(await q('<card:prop-filter name="EMAIL"><card:is-not-defined/></card:prop-filter>'), ['dora.vcf']);
  assert.equal(await q('<card:prop-filter name="EMAIL"><card:param-filter name="TYPE"><card:text-match match-type="equals">home</card:text-match></card:param-filter></card:prop-filter>'), ['bob.vcf']);
  assert.equal(await q(''), ['ann.vcf', 'bob.vcf', 'cem.vcf', 'dora.vcf'], 'an empty filter matches every card');
});

t('addressbook-query returns address-data and getetag; Depth 0 on the book and a query on one card', async ({ srv }) => {
  const ms = await report207(srv, USER, BOOK, addressQueryBody(textMatch('FN', 'Bob')));
  assert.is(addressData(ms.responses[0]), CARDS['bob.vcf']);
  assert.ok(propText(ms.responses[0], D('getetag')));
  assert.equal((await report207(srv, USER, BOOK, addressQueryBody(''), '0')).responses, []);
  assert.equal(names(await report207(srv, USER, `${BOOK}bob.vcf`, addressQueryBody(textMatch('FN', 'Bob')), '0')), ['bob.vcf']);
  assert.equal(names(await report207(srv, USER, `${BOOK}ann.vcf`, addressQueryBody(textMatch('FN', 'Bob')), '0')), []);
});

t('addressbook-query limit: the first nresults and a 507 number-of-matches-within-limits for the book', async ({ srv }) => {
  const ms = await report207(srv, USER, BOOK, addressQueryBody('', { limit: 2 }));
  const ok = ms.responses.filter((r) => r.status === undefined);
  assert.is(ok.length, 2);
  const cut = ms.responses.find((r) => r.status === 507)!;
  assert.ok(cut, 'a 507 response');
  assert.is(cut.href, BOOK);
  assert.ok(cut.error?.children.some((c) => c.name === D('number-of-matches-within-limits')));
  const all = await report207(srv, USER, BOOK, addressQueryBody('', { limit: 4 }));
  assert.ok(!all.responses.some((r) => r.status === 507), 'exactly the limit: no 507');
});

t('addressbook-query: unknown collation 403 supported-collation, bad filters 403, never a 500', async ({ srv }) => {
  const coll = await report(srv, USER, BOOK, addressQueryBody(textMatch('FN', 'a', ' collation="i;klingon"')));
  assert.is(coll.status, 403);
  assert.ok(errorConditions(coll.text).includes(CR('supported-collation')), coll.text);
  for (const bad of [textMatch('FN', 'a', ' match-type="regex"'), '<card:comp-filter name="VCARD"/>', '<card:prop-filter/>']) {
    const res = await report(srv, USER, BOOK, addressQueryBody(bad));
    assert.is(res.status, 403, `${bad} → ${res.status} ${res.text.slice(0, 200)}`);
    assert.ok(errorConditions(res.text).length > 0, res.text);
  }
  const photo = await report(srv, USER, BOOK, addressQueryBody(textMatch('PHOTO', 'iVBOR')));
  assert.is(photo.status, 403);
  assert.ok(errorConditions(photo.text).includes(CR('supported-filter')), photo.text);
  const onCalendar = await report(srv, USER, `/dav/calendars/${USER}/personal/`, addressQueryBody(''));
  assert.is(onCalendar.status, 403, onCalendar.text);
});

// --- sync-collection (RFC 6578) on an address book and on the home -----------------------------------

t('sync-collection on an address book: initial listing, then changes and deletions, with address-data', async ({ srv }) => {
  await srv.request('MKCOL', `${ABHOME}sync/`, { user: USER, headers: { 'Content-Type': 'application/xml' }, body: '<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><c:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>' });
  const path = `${ABHOME}sync/`;
  await putVcfOk(srv, USER, `${path}a.vcf`, vcard('sa@q'));
  await putVcfOk(srv, USER, `${path}b.vcf`, vcard('sb@q'));
  const first = await syncCollection(srv, USER, path, null, { props: [D('getetag'), CR('address-data')] });
  assert.equal(names(first), ['a.vcf', 'b.vcf']);
  assert.is(addressData(first.responses.find((r) => r.href.endsWith('a.vcf'))), vcard('sa@q'));
  assert.ok(first.syncToken);
  await putVcfOk(srv, USER, `${path}a.vcf`, vcard('sa@q', { fn: 'Changed' }));
  assert.is((await srv.request('DELETE', `${path}b.vcf`, { user: USER })).status, 204);
  await putVcfOk(srv, USER, `${path}c.vcf`, vcard('sc@q'));
  const next = await syncCollection(srv, USER, path, first.syncToken!, { props: [D('getetag'), CR('address-data')] });
  assert.equal(names(next), ['a.vcf', 'c.vcf']);
  assert.match(propText(next.responses.find((r) => r.href.endsWith('a.vcf')), CR('address-data')) ?? '', /FN:Changed/);
  assert.equal(next.responses.filter((r) => r.status === 404).map((r) => r.href), [`${path}b.vcf`]);
  const none = await syncCollection(srv, USER, path, next.syncToken!);
  assert.equal(none.responses, []);
  const bogus = await syncCollectionRaw(srv, USER, path, 'http://sundial.invalid/sync/999999999');
  assert.is(bogus.status, 403);
  assert.ok(errorConditions(bogus.text).includes(D('valid-sync-token')));
});

t('the switch: an address book switched off leaves the home listing and the home sync, but answers at its URL', async ({ srv }) => {
  const home0 = await syncCollection(srv, USER, ABHOME, null, { props: [D('displayname')] });
  assert.ok(home0.responses.some((r) => r.href === BOOK), home0.responses.map((r) => r.href).join(' '));
  assert.ok(!home0.responses.some((r) => r.href.includes('/calendars/')), 'no calendars in the address-book home');
  const user = (await srv.store.getUser(USER))!;
  await srv.store.setSyncEnabled(user.id, 'contacts', false, 'addressbooks');
  const listing = await propfind(srv, USER, ABHOME, '1', [D('resourcetype')]);
  assert.ok(!listing.responses.some((r) => r.href === BOOK), 'not listed');
  const home1 = await syncCollection(srv, USER, ABHOME, home0.syncToken!);
  assert.equal(home1.responses.filter((r) => r.status === 404).map((r) => r.href), [BOOK]);
  // The calendar home is unaffected: its token did not move.
  const calHome = `/dav/calendars/${USER}/`;
  const cal0 = await syncCollection(srv, USER, calHome, null);
  await srv.store.setSyncEnabled(user.id, 'contacts', true, 'addressbooks');
  assert.equal((await syncCollection(srv, USER, calHome, cal0.syncToken!)).responses, [], 'switching an address book does not touch the calendar home');
  await srv.store.setSyncEnabled(user.id, 'contacts', false, 'addressbooks');
  const direct = await report207(srv, USER, BOOK, addressMultigetBody([`${BOOK}ann.vcf`]));
  assert.is(addressData(direct.responses[0]), CARDS['ann.vcf'], 'still answers at its URL');
  await srv.store.setSyncEnabled(user.id, 'contacts', true, 'addressbooks');
  const home2 = await syncCollection(srv, USER, ABHOME, home1.syncToken!);
  assert.ok(home2.responses.some((r) => r.href === BOOK && r.status === undefined), 'reported again when switched on');
});

// --- Sharing (SPEC "Sharing") ---------------------------------------------------------------------------

t('a shared address book appears in the sharee\'s address-book home; read-only refuses writes with need-privileges', async ({ srv }) => {
  await srv.addUser('gus');
  const owner = (await srv.store.getUser(USER))!;
  const gus = (await srv.store.getUser('gus'))!;
  const book = (await srv.store.getInstance(owner.id, 'contacts', 'addressbooks'))!.collection;
  await srv.store.share(book.id, gus.id, 'read');
  const gusHome = '/dav/addressbooks/gus/';
  const listing = await propfind(srv, 'gus', gusHome, '1', [D('resourcetype'), D('current-user-privilege-set'), D('owner')]);
  const shared = listing.responses.find((r) => r.href === `${gusHome}contacts-${USER}/`);
  assert.ok(shared, listing.responses.map((r) => r.href).join(' '));
  const privs = prop(shared, D('current-user-privilege-set'))!.children.flatMap((p) => p.children.map((c) => c.name));
  assert.ok(privs.includes(D('read')) && !privs.includes(D('write-content')), privs.join(' '));
  assert.ok(listing.responses.some((r) => r.href === `${gusHome}contacts/`), 'gus\'s own Contacts too');
  const path = `${gusHome}contacts-${USER}/`;
  assert.is((await srv.request('GET', `${path}ann.vcf`, { user: 'gus' })).text, CARDS['ann.vcf']);
  const q = await report207(srv, 'gus', path, addressQueryBody(textMatch('FN', 'Bob')));
  assert.equal(names(q), ['bob.vcf']);
  const put = await putVcf(srv, 'gus', `${path}new.vcf`, vcard('gus-new@q'));
  assert.is(put.status, 403);
  assert.ok(errorConditions(put.text).includes(D('need-privileges')), put.text);
  const del = await srv.request('DELETE', `${path}ann.vcf`, { user: 'gus' });
  assert.is(del.status, 403);
  assert.ok(errorConditions(del.text).includes(D('need-privileges')), del.text);
  assert.is((await srv.request('GET', `${BOOK}ann.vcf`, { user: USER })).status, 200, 'nothing changed');
  await srv.store.share(book.id, gus.id, 'read-write');
  assert.is((await putVcf(srv, 'gus', `${path}new.vcf`, vcard('gus-new@q'))).status, 201);
  assert.is((await srv.request('GET', `${BOOK}new.vcf`, { user: USER })).status, 200, 'the owner sees the sharee\'s card');
  // A sharee's DELETE of the address book removes it from their home only.
  assert.is((await srv.request('DELETE', path, { user: 'gus' })).status, 204);
  assert.is((await srv.request('PROPFIND', path, { user: 'gus', headers: { Depth: '0' } })).status, 404);
  assert.is((await srv.request('GET', `${BOOK}new.vcf`, { user: USER })).status, 200);
});

t.run();
