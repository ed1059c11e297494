// The store contract, section objects: what every implementation of ObjectStore (src/store/objects.ts) must do.
// Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { escapeText, isXmlPlain } from '../../../src/xml/serialize.js';
import { NotFound, PreconditionFailed, UidConflict } from '../../../src/store/errors.js';
import { objectPages, type ObjectMeta, type Store } from '../../../src/store/types.js';
import { rejects, ics, put, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

export function objectsContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'objects', makeStore);

  test('objects: put, get byte for byte, replace, list, delete, count', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    // Bytes that no text round trip would preserve: CRLF, a BOM, invalid UTF-8.
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ics('u1'), Buffer.from([0xff, 0x00, 0x0d])]);
    const r1 = await store.putObject(cal.id, { name: 'a.ics', data, contentType: 'text/calendar', uid: 'u1', componentType: 'VEVENT', firstStart: 1000, lastEnd: 2000 });
    assert.is(r1.created, true);
    assert.match(r1.meta.etag, /^"[^"]+"$/);
    assert.is(r1.meta.size, data.length);
    const got = await store.getObject(cal.id, 'a.ics');
    assert.ok(got && got.data.equals(data), 'returned byte for byte');
    assert.is(got!.etag, r1.meta.etag);
    assert.is(got!.uid, 'u1');
    assert.is(got!.firstStart, 1000);
    assert.is(got!.lastEnd, 2000);
    const { data: _data, ...metaOnly } = got!;
    assert.equal(await store.getObjectMeta(cal.id, 'a.ics'), metaOnly);

    const r2 = await store.putObject(cal.id, { name: 'a.ics', data: ics('u1', 'changed'), contentType: 'text/calendar', uid: 'u1', componentType: 'VEVENT' });
    assert.is(r2.created, false);
    assert.is.not(r2.meta.etag, r1.meta.etag, 'etag changes with the content');
    assert.ok((await store.getObject(cal.id, 'a.ics'))!.data.equals(ics('u1', 'changed')));
    assert.is(r2.meta.createdAt, r1.meta.createdAt);

    await put(store, cal, 'b.ics', 'u2');
    await put(store, cal, 'c.ics', 'u3');
    assert.equal((await store.listObjects(cal.id)).map((o) => o.name), ['a.ics', 'b.ics', 'c.ics']);
    // Etag listings, whole and in keyset pages (a PROPFIND Depth 1 reads them page by page).
    const all = await store.listObjectEtags(cal.id);
    assert.equal(all, (await store.listObjects(cal.id)).map((o) => ({ name: o.name, etag: o.etag, classification: o.classification })));
    // The row of the cheap properties (ObjectRow): exactly these columns of each object's metadata, in the same pages.
    // scheduleTag: null, the Schedule-Tag of scheduling objects only (SchedulingStore, RFC 6638 §3.2.10).
    const rowOf = (o: ObjectMeta) => ({ name: o.name, etag: o.etag, classification: o.classification, contentType: o.contentType, size: o.size, modifiedAt: o.modifiedAt, createdAt: o.createdAt, scheduleTag: null });
    const rows = (await store.listObjects(cal.id)).map(rowOf);
    assert.equal(await store.listObjectRows(cal.id, { limit: 5 }), rows);
    assert.equal(await store.listObjectRows(cal.id, { limit: 2 }), rows.slice(0, 2));
    assert.equal(await store.listObjectRows(cal.id, { after: 'a.ics', limit: 5 }), rows.slice(1));
    await rejects(store.listObjectRows(cal.id, { limit: 0 }), RangeError);
    assert.equal(await store.listObjectEtags(cal.id, { limit: 2 }), all.slice(0, 2));
    assert.equal(await store.listObjectEtags(cal.id, { after: 'b.ics', limit: 2 }), all.slice(2));
    assert.equal(await store.listObjectEtags(cal.id, { after: 'a', limit: 5 }), all, 'after a name that does not exist');
    assert.equal(await store.listObjectEtags(cal.id, { after: 'c.ics', limit: 5 }), []);
    assert.equal((await store.getObjects(cal.id, ['c.ics', 'a.ics', 'zz.ics'])).map((o) => o.name), ['a.ics', 'c.ics']);
    // The narrow read of a multiget: the same objects, their bodies as text, byte for byte.
    const unicode = Buffer.from(ics('u4', 'Réunion 🎉 \u0000 end').toString('utf8'));
    await store.putObject(cal.id, { name: 'd.ics', data: unicode, contentType: 'text/calendar', uid: 'u4', componentType: 'VEVENT' });
    const texts = await store.getObjectTexts(cal.id, ['d.ics', 'c.ics', 'a.ics', 'zz.ics']);
    const full = await store.getObjects(cal.id, ['a.ics', 'c.ics', 'd.ics']);
    assert.equal(texts, full.map((o) => ({ ...rowOf(o), text: o.data.toString('utf8') })));
    assert.ok(Buffer.from(texts[2]!.text, 'utf8').equals(unicode));
    assert.equal(await store.getObjectTexts(cal.id, []), []);
    // Bounded by size: a body of more than maxSize bytes is left unread, its row still there; a
    // body of exactly maxSize is read.
    const sized = full.map((o) => ({ ...rowOf(o), text: o.data.toString('utf8') }));
    const cut = full[2]!.size;
    assert.ok(full[0]!.size !== cut && full[1]!.size !== cut);
    assert.equal(await store.getObjectTextsUpTo(cal.id, ['d.ics', 'c.ics', 'a.ics', 'zz.ics'], 1e9), sized);
    assert.equal(await store.getObjectTextsUpTo(cal.id, ['d.ics', 'a.ics', 'c.ics'], cut), sized.map((o) => (o.size > cut ? { ...o, text: null } : o)));
    assert.equal(await store.getObjectTextsUpTo(cal.id, ['d.ics', 'a.ics'], cut - 1), [{ ...sized[0]!, ...(sized[0]!.size > cut - 1 ? { text: null } : {}) }, { ...sized[2]!, text: null }]);
    assert.equal(await store.getObjectTextsUpTo(cal.id, [], 10), []);
    // Asked asXml, an XML-plain body (objects.xml_plain) comes escaped as XML character data,
    // exactly escapeText's text, and says so; the others (d.ics holds a NUL) come as they are.
    const asXml = await store.getObjectTextsUpTo(cal.id, ['d.ics', 'c.ics', 'a.ics'], 1e9, true);
    assert.equal(asXml, sized.map((o) => (isXmlPlain(Buffer.from(o.text, 'utf8')) ? { ...o, text: escapeText(o.text), xml: true } : o)));
    assert.equal(asXml.map((o) => o.xml === true), [true, true, false]);
    assert.ok(asXml[0]!.text!.includes('&#13;\n') && !asXml[0]!.text!.includes('\r'));
    assert.equal(await store.getObjectTextsUpTo(cal.id, ['a.ics', 'd.ics'], cut - 1, true), [sized[0]!.size > cut - 1 ? { ...sized[0]!, text: null } : asXml[0]!, { ...sized[2]!, text: null }]);
    await store.deleteObject(cal.id, 'd.ics');
    assert.is((await store.getCollection(cal.id))!.objectCount, 3);
    assert.is(await store.findByUid(cal.id, 'u2'), 'b.ics');
    assert.is(await store.findByUid(cal.id, 'nope'), null);

    await store.deleteObject(cal.id, 'b.ics');
    assert.is(await store.getObject(cal.id, 'b.ics'), null);
    assert.is(await store.findByUid(cal.id, 'u2'), null);
    assert.is((await store.getCollection(cal.id))!.objectCount, 2);
    await rejects(store.deleteObject(cal.id, 'b.ics'), NotFound);
    await rejects(put(store, { ...cal, id: 99999 }, 'x.ics', 'u9'), NotFound);
  });

  test('objects: listObjectsPage pages through listObjects in name order', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    assert.equal(await store.listObjectsPage(cal.id, { limit: 10 }), [], 'an empty collection has one empty page');
    // Names whose UTF-8 byte order differs from JavaScript's UTF-16 order (U+FF21 sorts before an
    // astral character in bytes, after it in UTF-16): the listing order is the bytes'.
    const names = ['b.ics', 'a.ics', 'é.ics', '\uff21.ics', '\u{1f600}.ics', 'z.ics', 'plain'];
    for (const [i, n] of names.entries()) await put(store, cal, n, n === 'plain' ? null : `u${i}`);
    const whole = await store.listObjects(cal.id);
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.equal(whole.map((o) => o.name), byBytes);
    for (const limit of [1, 2, 3, 7, 50]) {
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.listObjectsPage(cal.id, after === undefined ? { limit } : { after, limit });
        assert.ok(page.length <= limit);
        if (page.length > 0) pages.push(page.map((o) => o.name));
        // Every page is listObjects' entries, whole metadata included.
        for (const o of page) assert.equal(o, whole.find((w) => w.name === o.name));
        if (page.length < limit) break;
        after = page[page.length - 1]!.name;
      }
      assert.equal(pages.flat(), byBytes, `limit ${limit}`);
      assert.is(pages.length, Math.ceil(names.length / limit), `pages of ${limit}`);
    }
    assert.equal((await store.listObjectsPage(cal.id, { after: 'b', limit: 2 })).map((o) => o.name), ['b.ics', 'plain'], 'after a name that does not exist');
    assert.equal(await store.listObjectsPage(cal.id, { after: byBytes[byBytes.length - 1]!, limit: 5 }), []);
    const other = await calendar(store, alice, 'other');
    assert.equal(await store.listObjectsPage(other.id, { limit: 5 }), [], 'another collection\'s objects are not listed');
    // A bad limit is refused, never read as "no limit".
    for (const limit of [0, -1, 1.5, Number.NaN]) await rejects(store.listObjectsPage(cal.id, { limit }), RangeError);
  });

  test('objects: listObjectsPage sees writes made between pages after the cursor only', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    for (const n of ['b', 'd', 'f']) await put(store, cal, n, n);
    const first = await store.listObjectsPage(cal.id, { limit: 2 });
    assert.equal(first.map((o) => o.name), ['b', 'd']);
    await put(store, cal, 'a', 'a');
    await put(store, cal, 'e', 'e');
    await store.deleteObject(cal.id, 'f');
    assert.equal((await store.listObjectsPage(cal.id, { after: 'd', limit: 2 })).map((o) => o.name), ['e']);
  });

  test('objects: objectPages yields every object page by page and gives the event loop a turn between pages', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    for (const n of ['a', 'b', 'c', 'd', 'e']) await put(store, cal, n, n);
    const seen: string[][] = [];
    let turns = 0;
    let done = false;
    const turnsBefore: number[] = [];
    // A callback queued behind I/O runs only if the loop below really lets the event loop go. It
    // keeps ticking until the loop ends (no fixed cap): a networked store's first query alone may
    // take more than any cap's worth of turns.
    const tick = () => {
      turns++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    for await (const page of objectPages(store, cal.id, 2)) {
      turnsBefore.push(turns);
      seen.push(page.map((o) => o.name));
    }
    done = true;
    assert.equal(seen, [['a', 'b'], ['c', 'd'], ['e']]);
    assert.ok(turnsBefore[1]! > turnsBefore[0]! && turnsBefore[2]! > turnsBefore[1]!, `event loop turns between pages: ${turnsBefore.join(', ')}`);
    await store.deleteObject(cal.id, 'e');
    const exact: string[][] = [];
    for await (const page of objectPages(store, cal.id, 2)) exact.push(page.map((o) => o.name));
    assert.equal(exact, [['a', 'b'], ['c', 'd']], 'no empty last page');
    const empty = await calendar(store, alice, 'empty');
    for await (const _ of objectPages(store, empty.id, 2)) assert.unreachable('an empty collection yields no page');
    await rejects(objectPages(store, cal.id, 0).next(), RangeError);
  });

  test('objects: membersHaveDeadProperties — members only, not the collection itself; follows MOVE and delete', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    const other = await calendar(store, alice, 'home');
    await put(store, cal, 'a.ics', 'u1');
    await put(store, other, 'b.ics', 'u2');
    assert.is(await store.membersHaveDeadProperties(cal.id), false);
    await store.patchDeadProperties(cal.id, '', [{ name: '{urn:x}p', xml: '<p xmlns="urn:x">1</p>' }]);
    assert.is(await store.membersHaveDeadProperties(cal.id), false, "the collection's own dead property is not a member's");
    await store.patchDeadProperties(other.id, 'b.ics', [{ name: '{urn:x}p', xml: '<p xmlns="urn:x">1</p>' }]);
    assert.is(await store.membersHaveDeadProperties(cal.id), false, "another collection's member");
    assert.is(await store.membersHaveDeadProperties(other.id), true);
    await store.moveObject(other.id, 'b.ics', cal.id, 'b.ics');
    assert.is(await store.membersHaveDeadProperties(cal.id), true, 'moved with its object');
    assert.is(await store.membersHaveDeadProperties(other.id), false);
    await store.deleteObject(cal.id, 'b.ics');
    assert.is(await store.membersHaveDeadProperties(cal.id), false, 'gone with its object');
  });

  test('objects: move and copy keep the count and replace the target', async ({ store }) => {
    const alice = await user(store, 'alice');
    const a = await calendar(store, alice, 'a');
    const b = await calendar(store, alice, 'b');
    await put(store, a, '1.ics', 'u1');
    await put(store, a, '2.ics', 'u2');
    await put(store, b, 'x.ics', 'u2', 'older');
    const moved = await store.moveObject(a.id, '1.ics', b.id, 'one.ics');
    assert.is(moved.created, true);
    assert.is(await store.getObject(a.id, '1.ics'), null);
    assert.ok((await store.getObject(b.id, 'one.ics'))!.data.equals(ics('u1')));
    const copied = await store.copyObject(a.id, '2.ics', b.id, 'x.ics');
    assert.is(copied.created, false, 'copy replaced x.ics');
    assert.ok((await store.getObject(b.id, 'x.ics'))!.data.equals(ics('u2')));
    // An object holding another UID is not replaced (RFC 4791 §5.3.2.1): UidConflict naming it.
    await rejects<UidConflict>(store.copyObject(b.id, 'one.ics', b.id, 'x.ics'), UidConflict, (e) => assert.is(e.existingName, 'x.ics'));
    assert.is((await store.getCollection(a.id))!.objectCount, 1);
    assert.is((await store.getCollection(b.id))!.objectCount, 2);
    // Rename within a collection: the source's own UID is no conflict.
    await store.moveObject(a.id, '2.ics', a.id, 'two.ics');
    assert.is(await store.findByUid(a.id, 'u2'), 'two.ics');
    await rejects(store.moveObject(a.id, 'nope.ics', b.id, 'n.ics'), NotFound);
    await rejects(store.copyObject(a.id, 'two.ics', 99999, 'n.ics'), NotFound);
  });

  test('objects: move and copy with ifNoneMatch * (Overwrite: F) -> PreconditionFailed when the target exists, nothing changed', async ({ store }) => {
    // COPY/MOVE with Overwrite: F checks in the store's transaction that the destination is still
    // missing: one created since (a PUT with If-None-Match: *) is not replaced.
    const alice = await user(store, 'alice');
    const a = await calendar(store, alice, 'a');
    const b = await calendar(store, alice, 'b');
    await put(store, a, '1.ics', 'u1', 'source');
    await store.patchDeadProperties(a.id, '1.ics', [{ name: '{urn:x}p', xml: '<p xmlns="urn:x">src</p>' }]);
    await put(store, b, 'taken.ics', 'u1', 'put by someone else');
    await store.patchDeadProperties(b.id, 'taken.ics', [{ name: '{urn:x}p', xml: '<p xmlns="urn:x">dst</p>' }]);
    await put(store, a, 'plain', null, 'plain source');
    await put(store, a, 'plain-taken', null, 'plain target');
    const absent = { ifNoneMatch: ['*'] };
    const state = async () => ({
      a: await store.listObjects(a.id), b: await store.listObjects(b.id),
      src: (await store.getObject(a.id, '1.ics'))!.data.toString(), dst: (await store.getObject(b.id, 'taken.ics'))!.data.toString(),
      plain: (await store.getObject(a.id, 'plain-taken'))!.data.toString(),
      srcProps: await store.getDeadProperties(a.id, '1.ics'), dstProps: await store.getDeadProperties(b.id, 'taken.ics'),
      collections: [await store.getCollection(a.id), await store.getCollection(b.id)].map((c) => [c!.objectCount, c!.syncSeq]),
    });
    const before = await state();
    // Onto an object with the same UID (a plain replacement without the condition) and onto a plain resource.
    await rejects(store.moveObject(a.id, '1.ics', b.id, 'taken.ics', absent), PreconditionFailed);
    await rejects(store.copyObject(a.id, '1.ics', b.id, 'taken.ics', absent), PreconditionFailed);
    await rejects(store.moveObject(a.id, 'plain', a.id, 'plain-taken', absent), PreconditionFailed);
    await rejects(store.copyObject(a.id, 'plain', a.id, 'plain-taken', absent), PreconditionFailed);
    // Onto itself: the target (the source) exists.
    await rejects(store.moveObject(a.id, '1.ics', a.id, '1.ics', absent), PreconditionFailed);
    await rejects(store.copyObject(a.id, '1.ics', a.id, '1.ics', absent), PreconditionFailed);
    assert.equal(await state(), before, 'source and target as they were: bodies, dead properties, counts, sync tokens');
    assert.is(before.dst, ics('u1', 'put by someone else').toString());
    // A missing source is still NotFound, checked before the condition.
    await rejects(store.moveObject(a.id, 'nope.ics', b.id, 'taken.ics', absent), NotFound);

    // An absent target: the condition holds and the write happens as without it.
    const copied = await store.copyObject(a.id, 'plain', b.id, 'plain-copy', absent);
    assert.is(copied.created, true);
    assert.is((await store.getObject(b.id, 'plain-copy'))!.data.toString(), 'plain source');
    await store.deleteObject(b.id, 'taken.ics');
    const moved = await store.moveObject(a.id, '1.ics', b.id, 'new.ics', absent);
    assert.is(moved.created, true);
    assert.is(await store.getObject(a.id, '1.ics'), null);
    assert.ok((await store.getObject(b.id, 'new.ics'))!.data.equals(ics('u1', 'source')));
    assert.equal((await store.getDeadProperties(b.id, 'new.ics')).map((p) => p.xml), ['<p xmlns="urn:x">src</p>']);
    assert.is((await store.getCollection(a.id))!.objectCount, 2);
    assert.is((await store.getCollection(b.id))!.objectCount, 2);
    // ifMatch holds against the target too (an existing one with that etag is replaced).
    const { meta } = await store.putObject(b.id, { name: 'plain-copy', data: Buffer.from('old'), contentType: 'text/plain' });
    await rejects(store.copyObject(a.id, 'plain', b.id, 'plain-copy', { ifMatch: ['"other"'] }), PreconditionFailed);
    assert.is((await store.copyObject(a.id, 'plain', b.id, 'plain-copy', { ifMatch: [meta.etag] })).created, false);
  });

  test('objects: UID uniqueness -> UidConflict with the existing name', async ({ store }) => {
    const alice = await user(store, 'alice');
    const a = await calendar(store, alice, 'a');
    const b = await calendar(store, alice, 'b');
    await put(store, a, 'first.ics', 'same');
    await rejects<UidConflict>(put(store, a, 'second.ics', 'same'), UidConflict, (e) => assert.is(e.existingName, 'first.ics'));
    assert.is(await store.getObject(a.id, 'second.ics'), null, 'nothing stored on a refused write');
    await put(store, a, 'first.ics', 'same', 'replaced');
    await put(store, b, 'other.ics', 'same');
    await rejects<UidConflict>(store.copyObject(a.id, 'first.ics', b.id, 'copy.ics'), UidConflict, (e) => assert.is(e.existingName, 'other.ics'));
    await rejects<UidConflict>(store.moveObject(a.id, 'first.ics', b.id, 'moved.ics'), UidConflict, (e) => assert.is(e.existingName, 'other.ics'));
    await rejects<UidConflict>(store.copyObject(a.id, 'first.ics', a.id, 'copy.ics'), UidConflict, (e) => assert.is(e.existingName, 'first.ics'));
    // Onto the object that holds the UID is a replacement, not a conflict.
    await store.moveObject(a.id, 'first.ics', b.id, 'other.ics');
    assert.is(await store.findByUid(b.id, 'same'), 'other.ics');
    // Plain resources carry no UID and never conflict.
    await put(store, a, 'p1', null);
    await put(store, a, 'p2', null);
  });

  test('objects: If-Match / If-None-Match -> PreconditionFailed', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    const input = (summary: string) => ({ name: 'a.ics', data: ics('u1', summary), contentType: 'text/calendar', uid: 'u1' });
    await rejects(store.putObject(cal.id, input('x'), { ifMatch: ['*'] }), PreconditionFailed);
    const { meta } = await store.putObject(cal.id, input('x'), { ifNoneMatch: ['*'] });
    await rejects(store.putObject(cal.id, input('y'), { ifNoneMatch: ['*'] }), PreconditionFailed);
    await rejects(store.putObject(cal.id, input('y'), { ifNoneMatch: [meta.etag] }), PreconditionFailed);
    await rejects(store.putObject(cal.id, input('y'), { ifMatch: ['"nope"'] }), PreconditionFailed);
    await store.putObject(cal.id, input('y'), { ifNoneMatch: ['"other"'] });
    const current = (await store.getObjectMeta(cal.id, 'a.ics'))!.etag;
    // Two writers holding the same etag: exactly one wins (no lost update).
    const results = await Promise.allSettled([
      store.putObject(cal.id, input('w1'), { ifMatch: [current] }),
      store.putObject(cal.id, input('w2'), { ifMatch: [current] }),
    ]);
    assert.is(results.filter((r) => r.status === 'fulfilled').length, 1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(lost.reason instanceof PreconditionFailed);
    const now = (await store.getObjectMeta(cal.id, 'a.ics'))!.etag;
    await rejects(store.deleteObject(cal.id, 'a.ics', { ifMatch: [current] }), PreconditionFailed);
    await rejects(store.deleteObject(cal.id, 'a.ics', { ifNoneMatch: ['*'] }), PreconditionFailed);
    await store.deleteObject(cal.id, 'a.ics', { ifMatch: [now] });
    await rejects(store.deleteObject(cal.id, 'a.ics', { ifMatch: ['*'] }), PreconditionFailed);
  });

  test('queryObjects: time-range and component candidates', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    const add = (name: string, componentType: 'VEVENT' | 'VTODO', firstStart: number | null, lastEnd: number | null) =>
      store.putObject(cal.id, { name, data: ics(name), contentType: 'text/calendar', uid: name, componentType, firstStart, lastEnd });
    await add('early', 'VEVENT', 0, 100);
    await add('late', 'VEVENT', 500, 600);
    await add('forever', 'VEVENT', 50, null);
    await add('instant', 'VEVENT', 200, 200);
    await add('todo', 'VTODO', null, null);
    const names = async (q: Parameters<Store['queryObjects']>[1]) => (await store.queryObjects(cal.id, q)).map((o) => o.name);
    assert.equal(await names({ componentType: 'VEVENT', start: 150, end: 450 }), ['forever', 'instant']);
    assert.equal(await names({ componentType: 'VEVENT', start: 200, end: 201 }), ['forever', 'instant']);
    assert.equal(await names({ componentType: 'VTODO', start: 0, end: 10 }), ['todo']);
    assert.equal(await names({}), ['early', 'forever', 'instant', 'late', 'todo']);
    // Exact-instance columns: stored by putObject, returned by queryObjects only.
    await store.putObject(cal.id, { name: 'exact', data: ics('exact'), contentType: 'text/calendar', uid: 'exact', componentType: 'VEVENT', firstStart: 300, lastEnd: 400, instanceStart: 310, instanceEnd: 390 });
    const got = await store.queryObjects(cal.id, { componentType: 'VEVENT', start: 350, end: 360 });
    assert.equal(got.map((o) => [o.name, o.instanceStart, o.instanceEnd]), [['exact', 310, 390], ['forever', null, null]]);
    await store.putObject(cal.id, { name: 'exact', data: ics('exact2'), contentType: 'text/calendar', uid: 'exact', componentType: 'VEVENT', firstStart: 300, lastEnd: 400 });
    assert.is((await store.queryObjects(cal.id, { start: 350, end: 360 })).find((o) => o.name === 'exact')!.instanceStart, null, 'a replacement without them clears them');
  });

  test.run();
}
