// addressbook-query keeps an address book's member list per state of the book (its sync sequence
// number; vcard/cache.ts keepMembers): a repeated query over an unchanged book reads no member
// rows, and any change of a member — a new card, a changed one, a deleted one — is answered at
// once, exactly as a query that lists the members afresh (docs/performance.md, address books).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addressQueryBody, putVcfOk, report207, vcard } from '../helpers/carddav.js';

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
  const mk = await srv.request('MKCOL', other, {
    user: USER, headers: { 'content-type': 'application/xml; charset=utf-8' },
    body: '<d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>',
  });
  assert.is(mk.status, 201, mk.text);
  await putVcfOk(srv, USER, `${other}w.vcf`, vcard('w@q', { fn: 'Mara Work' }));
  const ms = await report207(srv, USER, other, addressQueryBody(FN('mara')));
  assert.equal(ms.responses.map((r) => r.href), [`${other}w.vcf`]);
  assert.is((await query(srv, FN('mara work'))).names.length, 0);
});

t.run();
