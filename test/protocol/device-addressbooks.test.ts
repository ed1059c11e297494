// A device's own selection covers address books too (issue 16 item 2: "its own selection over all
// of the user's calendars (and address books)"). The store's selection is over collection ids and
// the DAV layer applies it to both homes (src/dav/home-view.ts); these tests check that the JSON
// API lets a user choose address books, that a device with its own selection sees exactly those
// in PROPFIND Depth 1 of /dav/addressbooks/<user>/ and in that home's sync-collection (additions
// and removals when the selection changes; the other device's and the account's tokens unmoved),
// and that the calendar home and the address-book home move independently. Uris are looked up in
// their own home: "personal" is both a calendar and an address book here.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { CS, D, XML_HEADERS, parseMultistatus, propText, propfindBody, syncCollectionBody, type Multistatus } from '../helpers/dav.js';
import { login, type WebSession } from '../web/session.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
  phone: { id: number; password: string };
  laptop: { id: number; password: string };
}

const CAL_HOME = '/dav/calendars/alice/';
const AB_HOME = '/dav/addressbooks/alice/';
const cal = (uri: string) => `${CAL_HOME}${uri}/`;
const book = (uri: string) => `${AB_HOME}${uri}/`;

async function ms(srv: TestServer, password: string, method: string, path: string, depth: string, body: string): Promise<Multistatus> {
  const res = await srv.request(method, path, { user: 'alice', password, headers: { ...XML_HEADERS, Depth: depth }, body });
  assert.is(res.status, 207, `${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return parseMultistatus(res.text);
}

/** What the home lists for this password (Depth 1), sorted. */
async function listed(srv: TestServer, password: string, home: string): Promise<string[]> {
  const m = await ms(srv, password, 'PROPFIND', home, '1', propfindBody([D('resourcetype')]));
  return m.responses.map((r) => r.href).filter((h) => h !== home).sort();
}

async function tokens(srv: TestServer, password: string, home: string): Promise<{ ctag: string; token: string }> {
  const m = await ms(srv, password, 'PROPFIND', home, '0', propfindBody([CS('getctag'), D('sync-token')]));
  return { ctag: propText(m.responses[0], CS('getctag'))!, token: propText(m.responses[0], D('sync-token'))! };
}

const homeSync = (srv: TestServer, password: string, home: string, token: string | null) => ms(srv, password, 'REPORT', home, '0', syncCollectionBody(token, [D('displayname')]));
const delta = (m: Multistatus) => m.responses.map((r) => `${r.href} ${r.status ?? 200}`).sort();

const t = suite<Ctx>('devices: an own selection over address books');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  ctx.alice = await login(ctx.srv, 'alice');
  await ctx.alice.ok('POST', '/calendars', { displayName: 'Work' });
  // Address books: "contacts" (every user's), "team", and "personal", named like the calendar.
  for (const name of ['Team', 'Personal']) await ctx.alice.ok('POST', '/addressbooks', { displayName: name });
  const phone = await ctx.alice.ok('POST', '/devices', { name: 'Phone' });
  const laptop = await ctx.alice.ok('POST', '/devices', { name: 'Laptop' });
  ctx.phone = { id: phone.device.id, password: phone.password };
  ctx.laptop = { id: laptop.device.id, password: laptop.password };
});
t.after(async (ctx) => { await ctx.srv?.close(); });

t('a device that follows the switches lists every synchronized address book; the API says it has none of its own', async ({ srv, alice, phone }) => {
  assert.equal(await listed(srv, phone.password, AB_HOME), [book('contacts'), book('personal'), book('team')]);
  const { devices } = await alice.ok('GET', '/devices');
  assert.equal(devices.map((d: { follow: boolean; addressbooks: string[] }) => [d.follow, d.addressbooks]), [[true, []], [true, []]]);
});

t('an own selection lists exactly its address books; the phone\'s tokens move, the laptop\'s and the account\'s do not', async ({ srv, alice, phone, laptop }) => {
  const before = {
    phoneAb: await tokens(srv, phone.password, AB_HOME),
    laptopAb: await tokens(srv, laptop.password, AB_HOME),
    accountAb: await tokens(srv, PASSWORD, AB_HOME),
  };
  const selected = await alice.ok('PATCH', `/devices/${phone.id}`, { calendars: ['work'], addressbooks: ['personal', 'team'] });
  assert.is(selected.follow, false);
  assert.equal(selected.calendars, ['work']);
  assert.equal([...selected.addressbooks].sort(), ['personal', 'team']);
  // "personal" was taken in the address-book home only: the calendar "personal" is not listed.
  assert.equal(await listed(srv, phone.password, CAL_HOME), [cal('work')]);
  assert.equal(await listed(srv, phone.password, AB_HOME), [book('personal'), book('team')]);
  assert.equal(await listed(srv, laptop.password, AB_HOME), [book('contacts'), book('personal'), book('team')]);
  assert.equal(await listed(srv, PASSWORD, AB_HOME), [book('contacts'), book('personal'), book('team')], 'the account password sees the switches');

  const phoneAfter = await tokens(srv, phone.password, AB_HOME);
  assert.is.not(phoneAfter.ctag, before.phoneAb.ctag, "the phone's address-book home getctag moved");
  assert.is.not(phoneAfter.token, before.phoneAb.token, "the phone's address-book home sync-token moved");
  assert.equal(await tokens(srv, laptop.password, AB_HOME), before.laptopAb, "the laptop's tokens did not move");
  assert.equal(await tokens(srv, PASSWORD, AB_HOME), before.accountAb, "the account's tokens did not move");
  assert.equal(delta(await homeSync(srv, phone.password, AB_HOME, before.phoneAb.token)), [`${book('contacts')} 404`], 'the phone sees contacts removed');
  assert.equal(delta(await homeSync(srv, laptop.password, AB_HOME, before.laptopAb.token)), [], 'the laptop sees nothing');
  const initial = await homeSync(srv, phone.password, AB_HOME, null);
  assert.equal(delta(initial), [`${book('personal')} 200`, `${book('team')} 200`]);
  assert.is(initial.syncToken, phoneAfter.token);
  const { devices } = await alice.ok('GET', '/devices');
  const listedPhone = devices.find((d: { id: number }) => d.id === phone.id);
  assert.equal([listedPhone.calendars, [...listedPhone.addressbooks].sort()], [['work'], ['personal', 'team']]);
});

t('changing the address books reaches the phone as additions and removals; its calendar home does not move', async ({ srv, alice, phone, laptop }) => {
  const phoneAb = await tokens(srv, phone.password, AB_HOME);
  const phoneCal = await tokens(srv, phone.password, CAL_HOME);
  const laptopAb = await tokens(srv, laptop.password, AB_HOME);
  const accountAb = await tokens(srv, PASSWORD, AB_HOME);
  await alice.ok('PATCH', `/devices/${phone.id}`, { calendars: ['work'], addressbooks: ['contacts', 'team'] });
  const d = await homeSync(srv, phone.password, AB_HOME, phoneAb.token);
  assert.equal(delta(d), [`${book('contacts')} 200`, `${book('personal')} 404`], 'contacts added, personal removed');
  assert.is(propText(d.responses.find((r) => r.href === book('contacts')), D('displayname')), 'Contacts');
  assert.equal(await listed(srv, phone.password, AB_HOME), [book('contacts'), book('team')]);
  assert.equal(await tokens(srv, phone.password, CAL_HOME), phoneCal, 'the same calendars: the calendar home token stays');
  assert.equal(delta(await homeSync(srv, phone.password, CAL_HOME, phoneCal.token)), []);
  assert.equal(await tokens(srv, laptop.password, AB_HOME), laptopAb, "still the laptop's token");
  assert.equal(await tokens(srv, PASSWORD, AB_HOME), accountAb, "still the account's token");
});

t('changing only the calendars moves the calendar home, not the address-book home', async ({ srv, alice, phone }) => {
  const phoneAb = await tokens(srv, phone.password, AB_HOME);
  const phoneCal = await tokens(srv, phone.password, CAL_HOME);
  await alice.ok('PATCH', `/devices/${phone.id}`, { calendars: ['personal'], addressbooks: ['contacts', 'team'] });
  assert.equal(delta(await homeSync(srv, phone.password, CAL_HOME, phoneCal.token)), [`${cal('personal')} 200`, `${cal('work')} 404`]);
  assert.equal(await tokens(srv, phone.password, AB_HOME), phoneAb, 'the address-book home token stays');
  assert.equal(delta(await homeSync(srv, phone.password, AB_HOME, phoneAb.token)), []);
});

t('an address book left out still answers at its URL', async ({ srv, phone }) => {
  const m = await ms(srv, phone.password, 'PROPFIND', book('personal'), '0', propfindBody([D('displayname')]));
  assert.is(propText(m.responses[0], D('displayname')), 'Personal');
});

t('PATCH: addressbooks absent means none; unknown uris are 404 naming their kind; bad shapes are 400; nothing changes on error', async ({ srv, alice, phone }) => {
  const before = await listed(srv, phone.password, AB_HOME);
  const unknownBook = await alice.call('PATCH', `/devices/${phone.id}`, { calendars: ['work'], addressbooks: ['nope'] });
  assert.is(unknownBook.status, 404, unknownBook.text);
  assert.match(unknownBook.json.message, /no address book "nope"/);
  // "team" is an address book, not a calendar: looked up in the calendar home it is unknown.
  const unknownCal = await alice.call('PATCH', `/devices/${phone.id}`, { calendars: ['team'], addressbooks: [] });
  assert.is(unknownCal.status, 404, unknownCal.text);
  assert.match(unknownCal.json.message, /no calendar "team"/);
  for (const bad of [{ calendars: [], addressbooks: 'team' }, { calendars: [], addressbooks: [1] }, { addressbooks: ['team'] }, { follow: true, addressbooks: [] }]) {
    const r = await alice.call('PATCH', `/devices/${phone.id}`, bad);
    assert.is(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
  }
  assert.equal(await listed(srv, phone.password, AB_HOME), before, 'nothing changed');

  const calendarsOnly = await alice.ok('PATCH', `/devices/${phone.id}`, { calendars: ['work'] });
  assert.equal(calendarsOnly.addressbooks, []);
  assert.equal(await listed(srv, phone.password, AB_HOME), []);
  assert.equal(await listed(srv, phone.password, CAL_HOME), [cal('work')]);

  await alice.ok('PATCH', `/devices/${phone.id}`, { follow: true });
  assert.equal(await listed(srv, phone.password, AB_HOME), [book('contacts'), book('personal'), book('team')]);
});

t.run();
