// The address-book run of the bench (scripts/bench/addressbook*.ts, issue 14 item 7): every card
// it uploads is one a server must accept (src/vcard/validate.ts), every body it sends parses
// with the server's parser as the request its kind says, the query body parses as the
// addressbook-query the server reads, and the expected hits agree with the server's filter.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectedQueryHits, generateCards, modifyCard } from '../../scripts/bench/addressbook-cards.js';
import { BOOK_VARIANTS, withTerm } from '../../scripts/bench/addressbook-variants.js';
import { renderBody } from '../../scripts/bench/variants.js';
import { parseAddressQuery } from '../../src/dav/requests/address-query.js';
import { parseCard } from '../../src/vcard/card.js';
import { matchCard } from '../../src/vcard/filter.js';
import { validateVCard } from '../../src/vcard/validate.js';
import { CARDDAV_QUERY as CR, DAV } from '../../src/xml/names.js';
import { parseXml } from '../../src/xml/parse.js';

const cards = generateCards(2000, 'sundial-bench');

test('generated cards are valid vCards, half 3.0 and half 4.0, with unique UIDs; a modified card too', () => {
  const uids = new Set<string>();
  for (const c of cards) {
    const v = validateVCard(c.text);
    assert.is(v.version, c.version);
    assert.is(v.uid, c.uid);
    assert.is(v.fn, c.fn);
    uids.add(v.uid);
  }
  assert.is(uids.size, cards.length);
  assert.is(cards.filter((c) => c.version === '4.0').length, 1000);
  const twice = modifyCard(modifyCard(cards[0]!, 1), 2);
  validateVCard(twice.text);
  assert.is(twice.text.match(/X-BENCH-ROUND/g)!.length, 1);
});

test('every body parses as the request its kind says', () => {
  const fill = { token: 'http://sundial.invalid/sync/7?a&b', hrefs: ['/dav/addressbooks/u/contacts/a.vcf', '/b&c.vcf'] };
  const roots: Record<string, string[]> = { listing: [DAV.propfind], 'initial-sync': [DAV.propfind, DAV.syncCollection], poll: [DAV.propfind, DAV.syncCollection], incremental: [DAV.syncCollection], query: [CR.addressbookQuery] };
  for (const v of BOOK_VARIANTS) {
    const root = parseXml(renderBody(withTerm(v.request, 'müller'), fill));
    assert.ok(roots[v.kind]!.includes(root.name), `${v.name}: ${root.name}`);
    if (v.fetch) assert.is(parseXml(renderBody(v.fetch, fill)).name, '{urn:ietf:params:xml:ns:carddav}addressbook-multiget', v.name);
    if (v.after) assert.is(parseXml(renderBody(v.after, fill)).name, DAV.propfind);
  }
});

test('the query body is the addressbook-query the server reads, and its hits are the server filter\'s', () => {
  const v = BOOK_VARIANTS.find((x) => x.name === 'card-query-data')!;
  const q = parseAddressQuery(parseXml(renderBody(withTerm(v.request, 'müller'), {})));
  assert.is(q.filter.propFilters.length, 2);
  assert.ok(q.addressData?.all);
  const byServer = new Set(cards.filter((c) => matchCard(parseCard(c.text), q.filter)).map((c) => c.name));
  const expected = expectedQueryHits(cards, 'müller');
  assert.ok(expected.size > 20, String(expected.size));
  assert.equal([...byServer].sort(), [...expected].sort());
});

test.run();
