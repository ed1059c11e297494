// tsdav (npm) as a real CardDAV client against a running Sundial (issue 14 item 5): discovery
// through /.well-known/carddav to the address-book home, fetchAddressBooks, fetchVCards (an
// addressbook-query for the hrefs, then addressbook-multiget), createVCard (If-None-Match: *),
// updateVCard (If-Match, a stale ETag refused with 412), deleteVCard, and syncCollection picking
// up changes made by another client. CLIENTS.md §4.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DAVClient, type DAVAddressBook, type DAVVCard } from 'tsdav';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { putVcfOk, vcard } from '../helpers/carddav.js';

interface Ctx {
  srv: TestServer;
  client: DAVClient;
  loginError?: unknown;
}

const t = suite<Ctx>('tsdav carddav');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  ctx.client = new DAVClient({
    serverUrl: ctx.srv.url,
    credentials: { username: 'alice', password: PASSWORD },
    authMethod: 'Basic',
    defaultAccountType: 'carddav',
  });
  try {
    await ctx.client.login();
  } catch (err) {
    // As in tsdav.test.ts: discovery is asserted below; the rest runs with the account by hand.
    ctx.loginError = err;
    ctx.client.account = {
      accountType: 'carddav', serverUrl: ctx.srv.url, credentials: { username: 'alice', password: PASSWORD },
      rootUrl: new URL('/dav/', ctx.srv.url).href,
      principalUrl: new URL('/dav/principals/alice/', ctx.srv.url).href,
      homeUrl: new URL('/dav/addressbooks/alice/', ctx.srv.url).href,
    };
  }
});
t.after(async (ctx) => { await ctx.srv.close(); });

const pathOf = (url: string | undefined) => (url ? new URL(url).pathname : undefined);

async function contactsOf(client: DAVClient): Promise<DAVAddressBook> {
  const books = await client.fetchAddressBooks();
  const contacts = books.find((b) => pathOf(b.url) === '/dav/addressbooks/alice/contacts/');
  assert.ok(contacts, `contacts in ${JSON.stringify(books.map((b) => b.url))}`);
  return contacts!;
}

const uidOf = (v: DAVVCard) => /UID:([^\r\n]+)/.exec(String(v.data))?.[1];

t('login discovers the principal and the address-book home', async ({ client, loginError }) => {
  assert.is(loginError, undefined, `login() failed: ${String(loginError)}`);
  assert.is(pathOf(client.account?.principalUrl), '/dav/principals/alice/');
  assert.is(pathOf(client.account?.homeUrl), '/dav/addressbooks/alice/');
});

t('fetchAddressBooks lists "Contacts" with a sync token and a ctag, and no calendars', async ({ client }) => {
  const books = await client.fetchAddressBooks();
  assert.equal(books.map((b) => pathOf(b.url)), ['/dav/addressbooks/alice/contacts/']);
  const contacts = books[0]!;
  assert.is(contacts.displayName, 'Contacts');
  assert.ok(contacts.syncToken, 'syncToken');
  assert.ok(contacts.ctag, 'ctag');
});

t('createVCard, fetchVCards, updateVCard (stale ETag 412), deleteVCard', async ({ client }) => {
  const book = await contactsOf(client);
  const created = await client.createVCard({ addressBook: book, filename: 'tsdav-1.vcf', vCardString: vcard('tsdav-1@test', { fn: 'Tess Dav', version: '3.0' }) });
  assert.is(created.status, 201);
  const again = await client.createVCard({ addressBook: book, filename: 'tsdav-1.vcf', vCardString: vcard('tsdav-1@test', { fn: 'Twice' }) });
  assert.is(again.status, 412, 'If-None-Match: * on an existing card');
  await client.createVCard({ addressBook: book, filename: 'tsdav-2.vcf', vCardString: vcard('tsdav-2@test', { fn: 'Second Card' }) });

  const cards = await client.fetchVCards({ addressBook: book });
  assert.equal(cards.map(uidOf).sort(), ['tsdav-1@test', 'tsdav-2@test']);
  const first = cards.find((c) => uidOf(c) === 'tsdav-1@test')!;
  assert.match(String(first.data), /FN:Tess Dav/);
  assert.ok(first.etag);

  const updated = await client.updateVCard({ vCard: { ...first, data: vcard('tsdav-1@test', { fn: 'Tess Updated', version: '3.0' }) } });
  assert.is(updated.status, 204);
  const stale = await client.updateVCard({ vCard: { ...first, data: vcard('tsdav-1@test', { fn: 'Lost Update' }) } });
  assert.is(stale.status, 412, 'the old ETag no longer matches');
  const [reread] = await client.fetchVCards({ addressBook: book, objectUrls: [first.url] });
  assert.match(String(reread?.data), /FN:Tess Updated/);

  const deleted = await client.deleteVCard({ vCard: reread! });
  assert.is(deleted.status, 204);
  assert.equal((await client.fetchVCards({ addressBook: book })).map(uidOf), ['tsdav-2@test']);
});

t('createVCard of a card without UID is refused (403 valid-address-data) and stores nothing', async ({ client }) => {
  const book = await contactsOf(client);
  const res = await client.createVCard({ addressBook: book, filename: 'bad.vcf', vCardString: 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:No Uid\r\nEND:VCARD\r\n' });
  assert.is(res.status, 403);
  assert.match(await res.text(), /valid-address-data/);
  assert.ok(!(await client.fetchVCards({ addressBook: book })).some((c) => String(c.data).includes('No Uid')));
});

t('syncCollection reports cards another client added, changed and deleted since the token', async ({ client, srv }) => {
  const book = await contactsOf(client);
  const token = book.syncToken as string;
  await putVcfOk(srv, 'alice', '/dav/addressbooks/alice/contacts/other.vcf', vcard('other@test', { fn: 'From Elsewhere' }));
  assert.is((await srv.request('DELETE', '/dav/addressbooks/alice/contacts/tsdav-2.vcf', { user: 'alice' })).status, 204);
  const changes = await client.syncCollection({ url: book.url, props: { 'd:getetag': {} }, syncLevel: 1, syncToken: token });
  const byPath = new Map(changes.map((r) => [pathOf(new URL(r.href ?? '', srv.url).href), r]));
  assert.ok(byPath.get('/dav/addressbooks/alice/contacts/other.vcf')?.props?.getetag, JSON.stringify(changes));
  assert.is(byPath.get('/dav/addressbooks/alice/contacts/tsdav-2.vcf')?.status, 404, JSON.stringify(changes));
});

t.run();
