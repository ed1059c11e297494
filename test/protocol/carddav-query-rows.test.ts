// addressbook-query renders its matches from rows (dav/row-listing.ts) when every property asked
// is cheap (registry.ts `cost`) or unknown, with whole address-data or none — whatever the
// combination — and answers byte for byte what the general path (propstats.ts) answers. As in
// row-listing.test.ts, the general path is forced by adding one dear property
// (current-user-privilege-set) and taking it out of the answer; store spies check which path each
// request took. Owner and a read-only sharee, a book where one card holds the very dead property
// asked and one where none does, with and without Prefer: return=minimal.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { D, XML_HEADERS, describe } from '../helpers/dav.js';
import { CHEAP, DEAR, propXml as propXmlOf, spyOnStore, withoutDear } from '../helpers/row-paths.js';
import { putVcfOk, vcard } from '../helpers/carddav.js';

const UNKNOWN = '{urn:x-test}note';
const DATA = '{urn:ietf:params:xml:ns:carddav}address-data';
const OWNER = 'hal';
const SHAREE = 'ivy';
const BOOKS = ['plain', 'dead'] as const;
const CARDS: [string, string][] = [
  ['ann.vcf', vcard('ann@q', { fn: 'Ann Müller & <Co>', extra: ['EMAIL:ann@example.com'] })],
  ['a%20b.vcf', vcard('ab@q', { fn: 'Name with a space Müller' })],
  ['cem.vcf', vcard('cem@q', { fn: 'Cem Çelik', version: '3.0', extra: ['EMAIL:mueller@example.com'] })],
  ['nom.vcf', vcard('nom@q', { fn: 'No match' })],
];

interface Ctx { srv: TestServer; calls: Record<string, number> }
const t = suite<Ctx>('addressbook-query: the row path, byte-equal to the general path');
const bookPath = (who: string, book: string) => (who === OWNER ? `/dav/addressbooks/${OWNER}/${book}/` : `/dav/addressbooks/${SHAREE}/${book}/`);

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(OWNER);
  await ctx.srv.addUser(SHAREE);
  const owner = (await ctx.srv.store.getUser(OWNER))!;
  const ivy = (await ctx.srv.store.getUser(SHAREE))!;
  for (const book of BOOKS) {
    const mk = await ctx.srv.request('MKCOL', `/dav/addressbooks/${OWNER}/${book}/`, {
      user: OWNER, headers: XML_HEADERS,
      body: '<d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>',
    });
    assert.is(mk.status, 201, describe('MKCOL', book, mk));
    for (const [name, body] of CARDS) await putVcfOk(ctx.srv, OWNER, `/dav/addressbooks/${OWNER}/${book}/${name}`, body);
    const coll = (await ctx.srv.store.getInstance(owner.id, book, 'addressbooks'))!.collection;
    await ctx.srv.store.share(coll.id, ivy.id, 'read');
  }
  const patch = await ctx.srv.request('PROPPATCH', `/dav/addressbooks/${OWNER}/dead/ann.vcf`, {
    user: OWNER, headers: XML_HEADERS,
    body: '<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x-test"><d:set><d:prop><x:note>bring <b>cake</b></x:note></d:prop></d:set></d:propertyupdate>',
  });
  assert.is(patch.status, 207, describe('PROPPATCH', 'ann.vcf', patch));
  ctx.calls = {};
  spyOnStore(ctx.srv.store, ['getObjectTexts', 'getObjects'], (m) => { ctx.calls[m] = (ctx.calls[m] ?? 0) + 1; });
});
t.after(async (ctx) => { await ctx.srv?.close(); });

const propXml = (names: string[]) => propXmlOf(names, 'card');

t('every combination of cheap properties, unknown names and address-data: row path byte-equal to the general path', async (ctx) => {
  let compared = 0;
  const filter = '<card:filter test="anyof"><card:prop-filter name="FN"><card:text-match>müller</card:text-match></card:prop-filter><card:prop-filter name="EMAIL"><card:text-match>mueller</card:text-match></card:prop-filter></card:filter>';
  for (const who of [OWNER, SHAREE]) {
    for (const book of BOOKS) {
      for (let mask = 1; mask < 1 << CHEAP.length; mask++) {
        const cheap = CHEAP.filter((_, i) => mask & (1 << i));
        const turn = mask % cheap.length;
        const rotated = [...cheap.slice(turn), ...cheap.slice(0, turn)];
        // address-data absent, first or last; the unknown name in the middle every other time.
        const withData = mask % 3 === 0 ? rotated : mask % 3 === 1 ? [DATA, ...rotated] : [...rotated, DATA];
        const names = mask % 2 === 0 ? [...withData.slice(0, 1), UNKNOWN, ...withData.slice(1)] : withData;
        const minimal = mask % 5 === 0;
        const what = `${who} ${book} ${names.join(' ')}${minimal ? ' minimal' : ''}`;
        const send = (n: string[]) => ctx.srv.request('REPORT', bookPath(who, book), {
          user: who, headers: { Depth: '1', ...XML_HEADERS, ...(minimal ? { Prefer: 'return=minimal' } : {}) },
          body: `<?xml version="1.0"?><card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:x="urn:x-test"><d:prop>${propXml(n)}</d:prop>${filter}</card:addressbook-query>`,
        });
        ctx.calls = {};
        const fast = await send(names);
        assert.is(fast.status, 207, what);
        // The row path reads rows (getObjectTexts) or, for a selection no row column is needed for,
        // renders from the matched cards the query holds (nothing read); never whole objects.
        assert.ok(!ctx.calls.getObjects, `${what}: row path (${JSON.stringify(ctx.calls)})`);
        ctx.calls = {};
        const general = await send([...names, DEAR]);
        assert.is(general.status, 207, what);
        assert.ok(ctx.calls.getObjects && !ctx.calls.getObjectTexts, `${what}: general path (${JSON.stringify(ctx.calls)})`);
        assert.fixture(fast.text, withoutDear(general.text), what);
        assert.is((fast.text.match(/<d:response>/g) ?? []).length, 3, `${what}: three matches`);
        compared++;
      }
    }
  }
  assert.is(compared, 2 * 2 * 63);
});

t('the dead property is in the answer compared, and address-data is the card as stored', async ({ srv }) => {
  const res = await srv.request('REPORT', bookPath(OWNER, 'dead'), {
    user: OWNER, headers: { Depth: '1', ...XML_HEADERS },
    body: `<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:x="urn:x-test"><d:prop><x:note/><card:address-data/></d:prop><card:filter><card:prop-filter name="FN"><card:text-match>ann</card:text-match></card:prop-filter></card:filter></card:addressbook-query>`,
  });
  assert.match(res.text, /<x:note[^>]*>bring <b>cake<\/b><\/x:note>|note xmlns="urn:x-test">bring/);
  assert.ok(res.text.includes('Ann Müller &amp; &lt;Co&gt;'), res.text);
});

t.run();
