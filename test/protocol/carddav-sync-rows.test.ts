// A sync-collection without a token on an address book (RFC 6578 §3.4: the first sync of iOS and
// DAVx5, CLIENTS.md) renders its members from rows (dav/row-listing.ts, as the Depth 1 listing)
// when every property asked is cheap (registry.ts `cost`) or unknown — whatever the combination —
// and answers byte for byte what the general path (propstats.ts) answers: no response for the
// address book itself, the sync-token after the last response. As in row-listing.test.ts, the
// general path is forced by adding one dear property (current-user-privilege-set) and taking it
// out of the answer, and store spies check which path each request took. Owner and a read-only
// sharee, a book where one card holds the very dead property asked and one where none does, with
// and without Prefer: return=minimal, Depth 0 and 1. Then what follows the row listing: its token
// syncs additions, changes and deletions (404 responses), a limit the members exceed is 507
// (§3.6), a sync from a token truncated by a limit answers 507 for the request-URI and a token
// covering what was sent; address-data and the address-book home keep the general path.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { D, XML_HEADERS, describe, parseMultistatus } from '../helpers/dav.js';
import { CHEAP, DEAR, propXml as propXmlOf, spyOnStore, withoutDear } from '../helpers/row-paths.js';
import { addressData, putVcfOk, vcard } from '../helpers/carddav.js';

const UNKNOWN = '{urn:x-test}note';
const DATA = '{urn:ietf:params:xml:ns:carddav}address-data';
const OWNER = 'hal';
const SHAREE = 'ivy';
const BOOKS = ['plain', 'dead'] as const;
const CARDS: [string, string][] = [
  ['ann.vcf', vcard('ann@q', { fn: 'Ann Müller & <Co>', extra: ['EMAIL:ann@example.com'] })],
  ['a%20b.vcf', vcard('ab@q', { fn: 'Name with a space' })],
  ['cem.vcf', vcard('cem@q', { fn: 'Cem Çelik', version: '3.0' })],
  ['nom.vcf', vcard('nom@q', { fn: 'Nom' })],
];
const NAMES = ['a b.vcf', 'ann.vcf', 'cem.vcf', 'nom.vcf'];

interface Ctx { srv: TestServer; calls: Record<string, number> }
const t = suite<Ctx>('sync-collection without a token on address books: the row path, byte-equal to the general path');
const bookPath = (who: string, book: string) => `/dav/addressbooks/${who}/${book}/`;

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(OWNER);
  await ctx.srv.addUser(SHAREE);
  const owner = (await ctx.srv.store.getUser(OWNER))!;
  const ivy = (await ctx.srv.store.getUser(SHAREE))!;
  for (const book of [...BOOKS, 'changes']) {
    const mk = await ctx.srv.request('MKCOL', bookPath(OWNER, book), {
      user: OWNER, headers: XML_HEADERS,
      body: '<d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>',
    });
    assert.is(mk.status, 201, describe('MKCOL', book, mk));
    for (const [name, body] of CARDS) await putVcfOk(ctx.srv, OWNER, bookPath(OWNER, book) + name, body);
    const coll = (await ctx.srv.store.getInstance(owner.id, book, 'addressbooks'))!.collection;
    await ctx.srv.store.share(coll.id, ivy.id, 'read');
  }
  const patch = await ctx.srv.request('PROPPATCH', `${bookPath(OWNER, 'dead')}ann.vcf`, {
    user: OWNER, headers: XML_HEADERS,
    body: '<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x-test"><d:set><d:prop><x:note>bring <b>cake</b></x:note></d:prop></d:set></d:propertyupdate>',
  });
  assert.is(patch.status, 207, describe('PROPPATCH', 'ann.vcf', patch));
  ctx.calls = {};
  spyOnStore(ctx.srv.store, ['listObjectEtags', 'listObjectRows', 'listObjectsPage', 'getObjects', 'getObjectTexts'], (m) => { ctx.calls[m] = (ctx.calls[m] ?? 0) + 1; });
});
t.after(async (ctx) => { await ctx.srv?.close(); });

const propXml = (names: string[]) => propXmlOf(names, 'card');

const syncBody = (names: string[], token = '', extra = '') => `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:x="urn:x-test"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level>${extra}<d:prop>${propXml(names)}</d:prop></d:sync-collection>`;

function sync(srv: TestServer, who: string, path: string, body: string, headers: Record<string, string> = {}) {
  return srv.request('REPORT', path, { user: who, headers: { Depth: '0', ...XML_HEADERS, ...headers }, body });
}

/** The member names and the status of each response (a 200 propstat, or the response's own status), sorted. */
function statuses(text: string, path: string): string[] {
  return parseMultistatus(text).responses.map((r) => `${r.href.slice(path.length)} ${r.status ?? r.propstats.map((p) => p.status).join('+')}`).sort();
}

t('every combination of cheap properties and an unknown name: row path byte-equal to the general path, members only, token last', async (ctx) => {
  let compared = 0;
  for (const who of [OWNER, SHAREE]) {
    for (const book of BOOKS) {
      const path = bookPath(who, book);
      for (let mask = 1; mask < 1 << CHEAP.length; mask++) {
        const cheap = CHEAP.filter((_, i) => mask & (1 << i));
        const turn = mask % cheap.length;
        const rotated = [...cheap.slice(turn), ...cheap.slice(0, turn)];
        for (const names of [rotated, [...rotated.slice(0, 1), UNKNOWN, ...rotated.slice(1)]]) {
          const minimal = (mask + names.length) % 3 === 0;
          // iOS and DAVx5 send Depth 0, Thunderbird Depth 1 (sync-collection.ts parseSyncRequest).
          const depth = mask % 2 === 0 ? '0' : '1';
          const what = `${who} ${book} ${names.join(' ')}${minimal ? ' minimal' : ''} depth ${depth}`;
          const headers = { Depth: depth, ...(minimal ? { Prefer: 'return=minimal' } : {}) };
          ctx.calls = {};
          const fast = await sync(ctx.srv, who, path, syncBody(names), headers);
          assert.is(fast.status, 207, what);
          const rowRead = names.some((n) => ![D('getetag'), D('resourcetype'), UNKNOWN].includes(n)) ? 'listObjectRows' : 'listObjectEtags';
          assert.ok(ctx.calls[rowRead] && !ctx.calls.listObjectsPage && !ctx.calls.getObjects, `${what}: row path (${JSON.stringify(ctx.calls)})`);
          ctx.calls = {};
          const general = await sync(ctx.srv, who, path, syncBody([...names, DEAR]), headers);
          assert.is(general.status, 207, what);
          assert.ok(ctx.calls.listObjectsPage && !ctx.calls.listObjectRows && !ctx.calls.listObjectEtags, `${what}: general path (${JSON.stringify(ctx.calls)})`);
          assert.fixture(fast.text, withoutDear(general.text), what);
          const parsed = parseMultistatus(fast.text);
          assert.equal(parsed.responses.map((r) => r.href.slice(path.length)).sort(), NAMES, `${what}: the four cards, not the book`);
          assert.ok(parsed.syncToken, what);
          assert.match(fast.text, /<\/d:response><d:sync-token>[^<]+<\/d:sync-token><\/d:multistatus>$/, what);
          compared++;
        }
      }
    }
  }
  assert.is(compared, 2 * 2 * 126);
});

t('the compared answers hold the dead property where a card has it, and a 404 propstat for it elsewhere', async ({ srv }) => {
  const res = await sync(srv, OWNER, bookPath(OWNER, 'dead'), syncBody([D('getetag'), UNKNOWN]));
  const byName = new Map(parseMultistatus(res.text).responses.map((r) => [r.href.slice(bookPath(OWNER, 'dead').length), r]));
  assert.ok(byName.get('ann.vcf')!.propstats.find((p) => p.status === 200)!.props.has(UNKNOWN), res.text);
  assert.ok(byName.get('cem.vcf')!.propstats.find((p) => p.status === 404)!.props.has(UNKNOWN), res.text);
  assert.match(res.text, /<note xmlns="urn:x-test">bring <b[^>]*>cake<\/b><\/note>/);
});

t('the row listing\'s token: additions, changes and deletions next (deleted cards as 404 responses), for the owner and the sharee', async (ctx) => {
  const names = [D('getcontenttype'), D('getetag')];
  const first = { owner: '', sharee: '' };
  for (const [who, key] of [[OWNER, 'owner'], [SHAREE, 'sharee']] as const) {
    ctx.calls = {};
    const res = await sync(ctx.srv, who, bookPath(who, 'changes'), syncBody(names));
    assert.ok(ctx.calls.listObjectRows && !ctx.calls.listObjectsPage, JSON.stringify(ctx.calls));
    first[key] = parseMultistatus(res.text).syncToken!;
  }
  const path = bookPath(OWNER, 'changes');
  assert.is((await ctx.srv.request('DELETE', `${path}nom.vcf`, { user: OWNER })).status, 204);
  await putVcfOk(ctx.srv, OWNER, `${path}cem.vcf`, vcard('cem@q', { fn: 'Cem Changed', version: '3.0' }));
  await putVcfOk(ctx.srv, OWNER, `${path}new.vcf`, vcard('new@q'));
  for (const [who, key] of [[OWNER, 'owner'], [SHAREE, 'sharee']] as const) {
    const p = bookPath(who, 'changes');
    const next = await sync(ctx.srv, who, p, syncBody(names, first[key]));
    assert.is(next.status, 207, next.text);
    assert.equal(statuses(next.text, p), ['cem.vcf 200', 'new.vcf 200', 'nom.vcf 404'], `${who}: ${next.text}`);
    const token = parseMultistatus(next.text).syncToken!;
    assert.is.not(token, first[key]);
    // And the new row listing agrees with the state reached: the token-less sync lists what exists.
    const again = await sync(ctx.srv, who, p, syncBody(names));
    assert.equal(statuses(again.text, p), ['a b.vcf 200', 'ann.vcf 200', 'cem.vcf 200', 'new.vcf 200']);
    assert.is(parseMultistatus(again.text).syncToken, token, 'the same state, the same token');
  }
});

t('limits (RFC 6578 §3.6): a token-less sync over the limit is 507; within it takes the row path; a sync from a token is truncated with a 507 response for the request-URI', async (ctx) => {
  const path = bookPath(OWNER, 'plain');
  const names = [D('getetag')];
  const limit = (n: number) => `<d:limit><d:nresults>${n}</d:nresults></d:limit>`;
  const over = await sync(ctx.srv, OWNER, path, syncBody(names, '', limit(3)));
  assert.is(over.status, 507, over.text);
  assert.ok(over.text.includes('number-of-matches-within-limits'), over.text);
  ctx.calls = {};
  const within = await sync(ctx.srv, OWNER, path, syncBody(names, '', limit(4)));
  assert.is(within.status, 207);
  assert.ok(ctx.calls.listObjectEtags && !ctx.calls.listObjectsPage, JSON.stringify(ctx.calls));
  assert.is(parseMultistatus(within.text).responses.length, 4);
  const token = parseMultistatus(within.text).syncToken!;
  await putVcfOk(ctx.srv, OWNER, `${path}ann.vcf`, vcard('ann@q', { fn: 'Ann Again' }));
  await putVcfOk(ctx.srv, OWNER, `${path}cem.vcf`, vcard('cem@q', { fn: 'Cem Again', version: '3.0' }));
  const cut = await sync(ctx.srv, OWNER, path, syncBody(names, token, limit(1)));
  assert.is(cut.status, 207, cut.text);
  const parsed = parseMultistatus(cut.text);
  assert.equal(parsed.responses.map((r) => [r.href, r.status ?? 200]), [[`${path}ann.vcf`, 200], [path, 507]]);
  assert.ok(parsed.responses[1]!.error?.children.some((c) => c.name === D('number-of-matches-within-limits')), cut.text);
  const rest = await sync(ctx.srv, OWNER, path, syncBody(names, parsed.syncToken!));
  assert.equal(statuses(rest.text, path), ['cem.vcf 200']);
  // Restored for the other tests.
  await putVcfOk(ctx.srv, OWNER, `${path}ann.vcf`, CARDS[0]![1]);
  await putVcfOk(ctx.srv, OWNER, `${path}cem.vcf`, CARDS[2]![1]);
});

t('address-data keeps the general path (the cards as stored); the address-book home lists its books, not rows', async (ctx) => {
  const path = bookPath(OWNER, 'plain');
  ctx.calls = {};
  const res = await sync(ctx.srv, OWNER, path, syncBody([D('getetag'), DATA]));
  assert.is(res.status, 207);
  assert.ok(ctx.calls.getObjects && !ctx.calls.listObjectRows && !ctx.calls.listObjectEtags, JSON.stringify(ctx.calls));
  const ann = parseMultistatus(res.text).responses.find((r) => r.href.endsWith('/ann.vcf'));
  assert.is(addressData(ann), CARDS[0]![1]);
  ctx.calls = {};
  const home = `/dav/addressbooks/${OWNER}/`;
  const h = await sync(ctx.srv, OWNER, home, syncBody([D('resourcetype'), D('getetag')]));
  assert.is(h.status, 207, h.text);
  assert.ok(!ctx.calls.listObjectRows && !ctx.calls.listObjectEtags, JSON.stringify(ctx.calls));
  const hrefs = parseMultistatus(h.text).responses.map((r) => r.href);
  for (const book of [...BOOKS, 'changes']) assert.ok(hrefs.includes(bookPath(OWNER, book)), hrefs.join(' '));
  assert.ok(parseMultistatus(h.text).syncToken);
});

t.run();
