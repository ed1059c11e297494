// addressbook-query keeps an address book's member list per state of the book (its sync sequence
// number; vcard/cache.ts keepMembers): a repeated query over an unchanged book reads no member
// rows, and any change of a member — a new card, a changed one, a deleted one — is answered at
// once, exactly as a query that lists the members afresh (docs/performance.md, address books).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addressQueryBody, mkAddressbookBody, putVcfOk, report207, vcard } from '../helpers/carddav.js';
import { parseMultistatus, propText } from '../helpers/dav.js';
import { TextIndex } from '../../src/vcard/text-index.js';
import { MAX_INDEXES } from '../../src/vcard/cache.js';

/** A second address book of USER at `path` (extended MKCOL, RFC 5689). */
async function mkBook(srv: TestServer, path: string): Promise<void> {
  const mk = await srv.request('MKCOL', path, { user: USER, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: mkAddressbookBody() });
  assert.is(mk.status, 201, mk.text);
}

const t = suite<{ srv: TestServer; calls: Record<string, number> }>('carddav query members');

const USER = 'gus';
const BOOK = `/dav/addressbooks/${USER}/contacts/`;
const FN = (v: string) => `<card:prop-filter name="FN"><card:text-match>${v}</card:text-match></card:prop-filter>`;

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
  for (let i = 0; i < 30; i++) await putVcfOk(ctx.srv, USER, `${BOOK}m${i}.vcf`, vcard(`m${i}@q`, { fn: i % 3 === 0 ? `Mara ${i}` : `Other ${i}` }));
  ctx.calls = {};
  const store = ctx.srv.store as unknown as Record<string, (...a: unknown[]) => unknown>;
  const orig = store.listObjectEtags!.bind(store);
  store.listObjectEtags = (...a: unknown[]) => {
    ctx.calls.listObjectEtags = (ctx.calls.listObjectEtags ?? 0) + 1;
    return orig(...a);
  };
});
t.after(async (ctx) => { await ctx.srv?.close(); });

async function query(srv: TestServer, filter: string): Promise<{ names: string[]; etags: Record<string, string> }> {
  const ms = await report207(srv, USER, BOOK, addressQueryBody(filter));
  const ok = ms.responses.filter((r) => r.status === undefined);
  const etags: Record<string, string> = {};
  for (const r of ok) etags[r.href.slice(r.href.lastIndexOf('/') + 1)] = JSON.stringify(r.propstats);
  return { names: Object.keys(etags).sort(), etags };
}

const expected = (nums: number[]) => nums.map((i) => `m${i}.vcf`).sort();

t('a repeated query over an unchanged book reads no member rows; every change is seen at once', async (ctx) => {
  const { srv, calls } = ctx;
  const first = await query(srv, FN('mara'));
  assert.equal(first.names, expected([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]));
  assert.ok((calls.listObjectEtags ?? 0) > 0, 'the first query lists the members');
  calls.listObjectEtags = 0;
  const again = await query(srv, FN('other'));
  assert.is(again.names.length, 20);
  assert.is(calls.listObjectEtags, 0, 'the second query reads the kept list');

  // A new card, a changed one (now matching), a deleted one: each is answered at once.
  await putVcfOk(srv, USER, `${BOOK}m30.vcf`, vcard('m30@q', { fn: 'Mara 30' }));
  assert.equal((await query(srv, FN('mara'))).names, expected([0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]));
  assert.ok(calls.listObjectEtags > 0, 'a new state is listed afresh');
  await putVcfOk(srv, USER, `${BOOK}m1.vcf`, vcard('m1@q', { fn: 'Mara 1' }));
  const changed = await query(srv, FN('mara'));
  assert.equal(changed.names, expected([0, 1, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]));
  const del = await srv.request('DELETE', `${BOOK}m3.vcf`, { user: USER });
  assert.is(del.status, 204);
  const after = await query(srv, FN('mara'));
  assert.equal(after.names, expected([0, 1, 6, 9, 12, 15, 18, 21, 24, 27, 30]));
  // The changed card's answer carries its new etag: the kept list is of the new state.
  assert.is.not(after.etags['m1.vcf'], undefined);
  assert.equal(after.etags['m0.vcf'], first.etags['m0.vcf']);
  calls.listObjectEtags = 0;
  assert.equal((await query(srv, FN('mara'))).names, after.names);
  assert.is(calls.listObjectEtags, 0);
});

t('the kept list is of one book: another book of the user is listed for itself', async (ctx) => {
  const { srv } = ctx;
  const other = `/dav/addressbooks/${USER}/work/`;
  await mkBook(srv, other);
  await putVcfOk(srv, USER, `${other}w.vcf`, vcard('w@q', { fn: 'Mara Work' }));
  const ms = await report207(srv, USER, other, addressQueryBody(FN('mara')));
  assert.equal(ms.responses.map((r) => r.href), [`${other}w.vcf`]);
  assert.is((await query(srv, FN('mara work'))).names.length, 0);
});

t('answers rendered from the matched cards: repeated bytes with nothing read, each path its own hrefs, a change and a photo card as stored', async (ctx) => {
  const { srv } = ctx;
  const book = `/dav/addressbooks/${USER}/shared/`;
  await mkBook(srv, book);
  await srv.addUser('hal');
  const owner = (await srv.store.getUser(USER))!;
  const hal = (await srv.store.getUser('hal'))!;
  await srv.store.share((await srv.store.getInstance(owner.id, 'shared', 'addressbooks'))!.collection.id, hal.id, 'read');
  const photo = 'PHOTO;ENCODING=b;TYPE=JPEG:' + 'QUJD'.repeat(4000); // past the 8 KB of bulky values whose card text the cache keeps
  await putVcfOk(srv, USER, `${book}a.vcf`, vcard('a@q', { fn: 'Zoë Müller & <Co>' }));
  await putVcfOk(srv, USER, `${book}b.vcf`, vcard('b@q', { fn: 'Zoe Mueller', extra: [photo] }));
  await putVcfOk(srv, USER, `${book}c.vcf`, vcard('c@q', { fn: 'Someone else' }));
  const paths: Record<string, string> = { [USER]: book, hal: `/dav/addressbooks/hal/shared/` };
  const body = addressQueryBody(FN('zo'));
  const send = (who: string) => srv.request('REPORT', paths[who]!, { user: who, headers: { Depth: '1', 'content-type': 'application/xml; charset=utf-8' }, body });
  const reads: Record<string, number> = {};
  const store = srv.store as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const m of ['getObjectTexts', 'getObjects']) {
    const orig = store[m]!.bind(store);
    store[m] = (...a: unknown[]) => { reads[m] = (reads[m] ?? 0) + 1; return orig(...a); };
  }
  const stored = async (name: string) => (await srv.request('GET', `${book}${name}`, { user: USER })).text;
  const check = async (who: string, text: string) => {
    const ms = parseMultistatus(text);
    assert.equal(ms.responses.map((r) => r.href), [`${paths[who]}a.vcf`, `${paths[who]}b.vcf`], `${who}: hrefs of its own path`);
    for (const r of ms.responses) assert.is(propText(r, '{urn:ietf:params:xml:ns:carddav}address-data'), (await stored(r.href.split('/').pop()!)).trim(), `${who} ${r.href}`);
  };
  const first: Record<string, string> = {};
  for (const who of [USER, 'hal', USER, 'hal']) {
    const res = await send(who);
    assert.is(res.status, 207, res.text);
    await check(who, res.text);
    if (first[who] === undefined) first[who] = res.text;
    else assert.is(res.text, first[who], `${who}: a repeated query answers the same bytes`);
  }
  // Warm: only the photo card (its text is not kept) is read, by its row.
  for (const k of Object.keys(reads)) delete reads[k];
  await send(USER);
  assert.equal(reads, { getObjectTexts: 1 }, JSON.stringify(reads));

  await putVcfOk(srv, USER, `${book}a.vcf`, vcard('a@q', { fn: 'Zoë Müller, renamed' }));
  for (const who of [USER, 'hal']) {
    const res = await send(who);
    await check(who, res.text);
    assert.ok(res.text.includes('renamed'), `${who}: the changed card`);
  }
});

t('a filter over many properties builds at most MAX_INDEXES text indexes per query, and still answers exactly', async (ctx) => {
  const { srv } = ctx;
  await query(srv, FN('mara')); // the list, then its cards, are kept for this state of the book
  const fnOnly = (await query(srv, FN('mara'))).names;
  assert.ok(fnOnly.length > 0);
  const names = ['TEL', 'NOTE', 'ORG', 'TITLE', 'NICKNAME', 'URL', 'ROLE', 'CATEGORIES', 'ADR', 'BDAY', 'LANG', 'FN'];
  const anyOf = names.map((n) => `<card:prop-filter name="${n}"><card:text-match>mara</card:text-match></card:prop-filter>`).join('');
  const build = TextIndex.build;
  let builds = 0;
  TextIndex.build = (...a: Parameters<typeof build>) => {
    builds++;
    return build(...a);
  };
  try {
    const ms = await report207(srv, USER, BOOK, addressQueryBody(anyOf, { test: 'anyof' }));
    const got = ms.responses.filter((r) => r.status === undefined).map((r) => r.href.slice(r.href.lastIndexOf('/') + 1)).sort();
    assert.equal(got, fnOnly, 'the same cards as FN alone (no other property holds "mara")');
  } finally {
    TextIndex.build = build;
  }
  assert.ok(builds <= MAX_INDEXES, `${builds} index builds in one query`);
});

t.run();
