// The Store contract (ARCHITECTURE "One store contract, run against every implementation"): every
// implementation of src/store/types.ts runs this suite. Each test gets a fresh, empty store.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Conflict, InvalidSyncToken, NotFound, PreconditionFailed, UidConflict } from '../../src/store/errors.js';
import type { Collection, Store, User } from '../../src/store/types.js';

type ErrorClass = abstract new (...args: never[]) => Error;

async function rejects<E extends Error>(p: Promise<unknown>, cls: ErrorClass, check?: (e: E) => void): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    check?.(err as E);
    return;
  }
  assert.unreachable(`expected ${cls.name}`);
}

const ics = (uid: string, summary = 'x'): Buffer =>
  Buffer.from(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`);

function put(store: Store, c: Collection, name: string, uid: string | null, summary = 'x') {
  return store.putObject(c.id, {
    name,
    data: uid === null ? Buffer.from(summary) : ics(uid, summary),
    contentType: uid === null ? 'application/octet-stream' : 'text/calendar; charset=utf-8',
    uid,
    componentType: uid === null ? null : 'VEVENT',
  });
}

const user = (store: Store, username: string): Promise<User> => store.createUser({ username, passwordHash: `$argon2id$${username}` });
const calendar = (store: Store, owner: User, uri: string): Promise<Collection> => store.createCollection(owner.id, { uri, kind: 'calendar' });

export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  const test = suite<{ store: Store }>(`store contract: ${name}`, { store: undefined as unknown as Store });
  test.before.each(async (ctx) => {
    ctx.store = await makeStore();
  });
  test.after.each(async (ctx) => {
    await ctx.store.close();
  });

  test('users: create, read, list, count, duplicate, password version', async ({ store }) => {
    const alice = await store.createUser({ username: 'alice', passwordHash: 'h1', displayName: 'Alice', email: 'a@example.com', isAdmin: true });
    assert.equal(alice.username, 'alice');
    assert.equal(alice.displayName, 'Alice');
    assert.equal(alice.email, 'a@example.com');
    assert.is(alice.isAdmin, true);
    const bob = await user(store, 'bob');
    assert.equal(bob.displayName, 'bob');
    assert.is(bob.isAdmin, false);
    assert.equal(await store.getUser('alice'), alice);
    assert.equal(await store.getUserById(bob.id), bob);
    assert.is(await store.getUser('carol'), null);
    assert.equal((await store.listUsers()).map((u) => u.username), ['alice', 'bob']);
    assert.is(await store.countUsers(), 2);
    await rejects(user(store, 'alice'), Conflict);

    const c1 = await store.getCredentials('alice');
    assert.equal(c1?.passwordHash, 'h1');
    assert.equal(c1?.user, alice);
    await store.setPassword('alice', 'h2');
    const c2 = await store.getCredentials('alice');
    assert.equal(c2?.passwordHash, 'h2');
    assert.ok(c2!.credentialVersion > c1!.credentialVersion);
    assert.is(await store.getCredentials('carol'), null);
    await rejects(store.setPassword('carol', 'x'), NotFound);
    await rejects(store.deleteUser('carol'), NotFound);
    await store.deleteUser('bob');
    assert.is(await store.getUser('bob'), null);
    assert.is(await store.countUsers(), 1);
  });

  test('collections: create, find, list, update, move, delete, uri clash', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await store.createCollection(alice.id, { uri: 'work', kind: 'calendar', displayName: 'Work', color: '#ff0000', order: 2 });
    assert.equal(cal.components, ['VEVENT', 'VTODO']);
    assert.is(cal.parentId, null);
    assert.is(cal.objectCount, 0);
    assert.ok(cal.syncSeq > 0);
    assert.equal(await store.getCollection(cal.id), cal);
    assert.equal(await store.findCollection(alice.id, null, 'work'), cal);
    assert.is(await store.findCollection(alice.id, null, 'nope'), null);
    const journal = await store.createCollection(alice.id, { uri: 'notes', kind: 'calendar', components: ['VJOURNAL'] });
    assert.equal(journal.components, ['VJOURNAL']);

    const dir = await store.createCollection(alice.id, { uri: 'files', kind: 'plain' });
    const sub = await store.createCollection(alice.id, { uri: 'sub', kind: 'plain', parentId: dir.id });
    assert.equal((await store.listChildCollections(alice.id, null)).map((c) => c.uri), ['files', 'notes', 'work']);
    assert.equal((await store.listChildCollections(alice.id, dir.id)).map((c) => c.uri), ['sub']);
    assert.equal(await store.findCollection(alice.id, dir.id, 'sub'), sub);

    await rejects(store.createCollection(alice.id, { uri: 'work', kind: 'calendar' }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'work', kind: 'plain' }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'sub', kind: 'plain', parentId: dir.id }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'cal', kind: 'calendar', parentId: dir.id }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'x', kind: 'plain', parentId: cal.id }), Conflict);
    // The same uri is fine elsewhere: nested, or in another home.
    await store.createCollection(alice.id, { uri: 'work', kind: 'plain', parentId: dir.id });
    const bob = await user(store, 'bob');
    await calendar(store, bob, 'work');

    const updated = await store.updateCollection(cal.id, { displayName: 'Job', color: null });
    assert.is(updated.displayName, 'Job');
    assert.is(updated.color, null);
    assert.is(updated.order, 2, 'undefined leaves a field alone');
    assert.ok(updated.syncSeq > cal.syncSeq, 'a property change moves the token');
    await rejects(store.updateCollection(99999, { displayName: 'x' }), NotFound);

    const moved = await store.moveCollection(cal.id, null, 'job');
    assert.is(moved.uri, 'job');
    assert.is((await store.getInstance(alice.id, 'job'))?.collection.id, cal.id);
    assert.is(await store.getInstance(alice.id, 'work'), null);
    await rejects(store.moveCollection(cal.id, null, 'notes'), Conflict);
    await rejects(store.moveCollection(dir.id, sub.id, 'loop'), Conflict);
    const movedSub = await store.moveCollection(sub.id, null, 'top');
    assert.is(movedSub.parentId, null);

    await store.deleteCollection(dir.id);
    assert.is(await store.getCollection(dir.id), null);
    assert.is((await store.getCollection(movedSub.id))?.uri, 'top');
    await store.deleteCollection(cal.id);
    assert.is(await store.getCollection(cal.id), null);
    assert.is(await store.getInstance(alice.id, 'job'), null);
    await rejects(store.deleteCollection(cal.id), NotFound);
  });

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
    assert.equal(all, (await store.listObjects(cal.id)).map((o) => ({ name: o.name, etag: o.etag })));
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
    assert.equal(texts, full.map((o) => ({ name: o.name, etag: o.etag, text: o.data.toString('utf8') })));
    assert.ok(Buffer.from(texts[2]!.text, 'utf8').equals(unicode));
    assert.equal(await store.getObjectTexts(cal.id, []), []);
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

  test('sync: changesSince is exact from every intermediate token', async ({ store }) => {
    const alice = await user(store, 'alice');
    const A = await calendar(store, alice, 'a');
    const B = await calendar(store, alice, 'b');
    // Per collection: the token after each step, and the member events of each step.
    type Ev = { c: number; name: string; deleted: boolean };
    const steps: { tokens: Map<number, number>; events: Ev[] }[] = [];
    const tokens = async () => new Map([[A.id, (await store.getCollection(A.id))!.syncSeq], [B.id, (await store.getCollection(B.id))!.syncSeq]]);
    const step = async (events: Ev[], op: () => Promise<unknown>) => {
      await op();
      steps.push({ tokens: await tokens(), events });
    };
    steps.push({ tokens: await tokens(), events: [] });

    await step([{ c: A.id, name: 'a', deleted: false }], () => put(store, A, 'a', 'ua'));
    await step([{ c: A.id, name: 'b', deleted: false }], () => put(store, A, 'b', 'ub'));
    await step([{ c: A.id, name: 'c', deleted: false }], () => put(store, A, 'c', 'uc'));
    await step([{ c: A.id, name: 'b', deleted: true }], () => store.deleteObject(A.id, 'b'));
    await step([{ c: A.id, name: 'a', deleted: false }], () => store.patchDeadProperties(A.id, 'a', [{ name: '{urn:x}p', xml: '<p xmlns="urn:x">1</p>' }]));
    await step([{ c: A.id, name: 'c', deleted: true }, { c: B.id, name: 'd', deleted: false }], () => store.moveObject(A.id, 'c', B.id, 'd'));
    await step([], () => store.updateCollection(A.id, { displayName: 'A' }));
    await step([], () => store.patchDeadProperties(B.id, '', [{ name: '{urn:x}q', xml: '<q xmlns="urn:x"/>' }]));
    await step([{ c: A.id, name: 'b', deleted: false }], () => put(store, A, 'b', 'ub', 'again'));
    await step([{ c: A.id, name: 'a', deleted: true }, { c: A.id, name: 'a2', deleted: false }], () => store.moveObject(A.id, 'a', A.id, 'a2'));
    await step([{ c: A.id, name: 'e', deleted: false }], () => store.copyObject(B.id, 'd', A.id, 'e'));
    await step([{ c: B.id, name: 'd', deleted: true }], () => store.deleteObject(B.id, 'd'));

    const final = steps[steps.length - 1]!.tokens;
    for (const c of [A.id, B.id]) {
      for (let i = 0; i < steps.length; i++) {
        const since = steps[i]!.tokens.get(c)!;
        const expected = new Map<string, boolean>();
        for (const s of steps.slice(i + 1)) for (const e of s.events) if (e.c === c) expected.set(e.name, e.deleted);
        const got = await store.changesSince(c, since);
        assert.is(got.seq, final.get(c), `token after step ${i}`);
        const actual = new Map(got.changes.map((ch) => [ch.name, ch.deleted]));
        assert.equal(
          [...actual].sort(([x], [y]) => x.localeCompare(y)),
          [...expected].sort(([x], [y]) => x.localeCompare(y)),
          `collection ${c} since step ${i}`,
        );
        for (const ch of got.changes) assert.ok(ch.seq > since && ch.seq <= got.seq);
      }
    }
    // Tokens move with every write, also with property-only changes.
    const tokenOf = (i: number, c: number) => steps[i]!.tokens.get(c)!;
    assert.ok(tokenOf(7, A.id) > tokenOf(6, A.id), 'updateCollection moved the token');
    assert.ok(tokenOf(8, B.id) > tokenOf(7, B.id), 'a collection dead property moved the token');
  });

  test('sync: unknown tokens -> InvalidSyncToken', async ({ store }) => {
    const alice = await user(store, 'alice');
    const old = await calendar(store, alice, 'old');
    await put(store, old, 'x', 'ux');
    const before = (await store.getCollection(old.id))!.syncSeq;
    const cal = await calendar(store, alice, 'work');
    await put(store, cal, 'a', 'ua');
    const now = (await store.getCollection(cal.id))!.syncSeq;
    assert.equal(await store.changesSince(cal.id, now), { seq: now, changes: [] });
    await rejects(store.changesSince(cal.id, now + 1), InvalidSyncToken);
    await rejects(store.changesSince(cal.id, 0), InvalidSyncToken);
    await rejects(store.changesSince(cal.id, before), InvalidSyncToken, () => {});
    assert.equal((await store.changesSince(cal.id, cal.syncSeq)).changes.map((c) => c.name), ['a']);
    await rejects(store.changesSince(99999, 1), NotFound);
  });

  test('sync: home token moves with content, switch off (tombstone) and on', async ({ store }) => {
    const alice = await user(store, 'alice');
    const h0 = await store.homeSeq(alice.id);
    const cal = await calendar(store, alice, 'work');
    const inst = (await store.getInstance(alice.id, 'work'))!;
    assert.is(inst.access, 'owner');
    assert.is(inst.syncEnabled, true);
    const h1 = await store.homeSeq(alice.id);
    assert.ok(h1 > h0, 'a new calendar moves the home token');
    assert.is(inst.changedSeq, h1);

    await put(store, cal, 'a', 'ua');
    const h2 = await store.homeSeq(alice.id);
    assert.ok(h2 > h1, 'content change in a listed calendar');
    await store.updateCollection(cal.id, { color: '#00ff00' });
    const h3 = await store.homeSeq(alice.id);
    assert.ok(h3 > h2, 'property change of a listed calendar');

    const off = await store.setSyncEnabled(alice.id, 'work', false);
    assert.is(off.syncEnabled, false);
    const h4 = await store.homeSeq(alice.id);
    assert.ok(h4 > h3, 'switching off');
    assert.equal((await store.homeChangesSince(alice.id, h3)).map((c) => [c.uri, c.removed]), [['work', true]]);
    assert.equal(await store.homeChangesSince(alice.id, h4), []);
    assert.equal(await store.listInstances(alice.id, { syncOnly: true }), []);
    assert.is((await store.listInstances(alice.id)).length, 1);

    await put(store, cal, 'b', 'ub');
    assert.is(await store.homeSeq(alice.id), h4, 'content of a switched-off calendar does not move the home');

    const on = await store.setSyncEnabled(alice.id, 'work', true);
    const h5 = await store.homeSeq(alice.id);
    assert.ok(h5 > h4, 'switching on');
    assert.is(on.changedSeq, h5);
    assert.equal(await store.homeChangesSince(alice.id, h3), [], 'a calendar listed again is no tombstone');
    assert.is((await store.setSyncEnabled(alice.id, 'work', true)).changedSeq, h5, 'no-op switch');
    await rejects(store.setSyncEnabled(alice.id, 'nope', false), NotFound);

    await store.moveCollection(cal.id, null, 'job');
    const h6 = await store.homeSeq(alice.id);
    assert.ok(h6 > h5);
    assert.equal((await store.homeChangesSince(alice.id, h5)).map((c) => c.uri), ['work'], 'rename leaves a tombstone for the old uri');
    await store.deleteCollection(cal.id);
    assert.ok((await store.homeSeq(alice.id)) > h6);
    assert.equal((await store.homeChangesSince(alice.id, h6)).map((c) => c.uri), ['job']);
  });

  test('shares: sharee instance, own switch, access, unshare tombstone', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    const cal = await store.createCollection(alice.id, { uri: 'work', kind: 'calendar', order: 1 });
    await calendar(store, bob, 'work');
    const bobBefore = await store.homeSeq(bob.id);

    const shared = await store.share(cal.id, bob.id, 'read');
    assert.is(shared.uri, 'work-alice', 'free uri in the sharee home');
    assert.is(shared.access, 'read');
    assert.is(shared.syncEnabled, true);
    assert.is(shared.collection.id, cal.id);
    assert.ok((await store.homeSeq(bob.id)) > bobBefore);
    assert.equal((await store.listInstances(bob.id)).map((i) => [i.uri, i.access]), [['work-alice', 'read'], ['work', 'owner']]);
    assert.equal(await store.listShares(cal.id), [{ collectionId: cal.id, userId: bob.id, username: 'bob', access: 'read' }]);
    // Bob can no longer create "work-alice" himself: the name is taken in his home.
    await rejects(store.createCollection(bob.id, { uri: 'work-alice', kind: 'calendar' }), Conflict);

    const rw = await store.share(cal.id, bob.id, 'read-write');
    assert.is(rw.uri, 'work-alice');
    assert.is(rw.access, 'read-write');
    assert.ok(rw.changedSeq > shared.changedSeq);
    await rejects(store.share(cal.id, alice.id, 'read'), Conflict);
    const plain = await store.createCollection(alice.id, { uri: 'files', kind: 'plain' });
    await rejects(store.share(plain.id, bob.id, 'read'), Conflict);
    await rejects(store.share(99999, bob.id, 'read'), NotFound);

    // The owner's switch is the owner's: bob keeps synchronizing.
    await store.setSyncEnabled(alice.id, 'work', false);
    assert.is((await store.getInstance(bob.id, 'work-alice'))!.syncEnabled, true);
    const b1 = await store.homeSeq(bob.id);
    await put(store, cal, 'a', 'ua');
    const b2 = await store.homeSeq(bob.id);
    assert.ok(b2 > b1, 'a write by the owner moves the sharee home');

    const carol = await user(store, 'carol');
    assert.is((await store.share(cal.id, carol.id, 'read')).uri, 'work');
    assert.equal((await store.listShares(cal.id)).map((s) => s.username), ['bob', 'carol']);

    await store.unshare(cal.id, bob.id);
    assert.is(await store.getInstance(bob.id, 'work-alice'), null);
    assert.ok((await store.homeSeq(bob.id)) > b2);
    assert.equal((await store.homeChangesSince(bob.id, b2)).map((c) => c.uri), ['work-alice']);
    await rejects(store.unshare(cal.id, bob.id), NotFound);
    await rejects(store.unshare(cal.id, alice.id), NotFound);

    // Deleting the calendar leaves a tombstone in every home that had it.
    const c1 = await store.homeSeq(carol.id);
    await store.deleteCollection(cal.id);
    assert.equal((await store.homeChangesSince(carol.id, c1)).map((c) => c.uri), ['work']);
    assert.equal(await store.listInstances(carol.id), []);
  });

  test('dead properties: set, replace, remove, follow move and copy, vanish on delete', async ({ store }) => {
    const alice = await user(store, 'alice');
    const a = await calendar(store, alice, 'a');
    const b = await calendar(store, alice, 'b');
    await put(store, a, 'x.ics', 'ux');
    const p1 = { name: '{urn:x}one', xml: '<x:one xmlns:x="urn:x">1</x:one>' };
    const p2 = { name: '{urn:y}two', xml: '<y:two xmlns:y="urn:y"><y:deep/></y:two>' };
    await store.patchDeadProperties(a.id, 'x.ics', [p1, p2]);
    assert.equal(await store.getDeadProperties(a.id, 'x.ics'), [p1, p2]);
    const p1b = { name: p1.name, xml: '<x:one xmlns:x="urn:x">2</x:one>' };
    await store.patchDeadProperties(a.id, 'x.ics', [p1b, { name: p2.name, xml: null }]);
    assert.equal(await store.getDeadProperties(a.id, 'x.ics'), [p1b]);
    await rejects(store.patchDeadProperties(a.id, 'missing.ics', [p1]), NotFound);

    await store.patchDeadProperties(a.id, '', [p2]);
    assert.equal(await store.getDeadProperties(a.id, ''), [p2]);

    const c = await calendar(store, alice, 'c');
    await store.copyObject(a.id, 'x.ics', b.id, 'copy.ics');
    await store.moveObject(a.id, 'x.ics', c.id, 'moved.ics');
    assert.equal(await store.getDeadProperties(a.id, 'x.ics'), []);
    assert.equal(await store.getDeadProperties(c.id, 'moved.ics'), [p1b]);
    assert.equal(await store.getDeadProperties(b.id, 'copy.ics'), [p1b]);
    await store.deleteObject(b.id, 'copy.ics');
    await put(store, b, 'copy.ics', 'other');
    assert.equal(await store.getDeadProperties(b.id, 'copy.ics'), [], 'a new resource starts without the old properties');
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

  test('feeds: create, find by hash, rotate, touch, delete', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    const all = await store.createFeedToken({ userId: alice.id, collectionId: null, tokenHash: 'h-all', details: 'busy', alarms: false, label: 'Outlook' });
    const one = await store.createFeedToken({ userId: alice.id, collectionId: cal.id, tokenHash: 'h-one', details: 'full', alarms: true });
    assert.equal(await store.findFeedToken('h-all'), all);
    assert.is(all.lastUsedAt, null);
    assert.equal((await store.listFeedTokens(alice.id)).map((f) => f.id), [all.id, one.id]);
    await rejects(store.createFeedToken({ userId: alice.id, collectionId: null, tokenHash: 'h-all', details: 'full', alarms: true }), Conflict);
    await store.touchFeedToken(one.id, '2030-01-01T00:00:00.000Z');
    assert.is((await store.findFeedToken('h-one'))!.lastUsedAt, '2030-01-01T00:00:00.000Z');
    const rotated = await store.rotateFeedToken(alice.id, one.id, 'h-new');
    assert.is(rotated.id, one.id);
    assert.is(await store.findFeedToken('h-one'), null);
    assert.is((await store.findFeedToken('h-new'))!.collectionId, cal.id);
    await store.deleteFeedToken(alice.id, all.id);
    assert.is(await store.findFeedToken('h-all'), null);
    await rejects(store.deleteFeedToken(alice.id, all.id), NotFound);
    await store.deleteCollection(cal.id);
    assert.is(await store.findFeedToken('h-new'), null, 'a calendar feed goes with its calendar');
  });

  test('deleteUser cascades everything and leaves tombstones for sharees', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    const cal = await calendar(store, alice, 'work');
    const dir = await store.createCollection(alice.id, { uri: 'files', kind: 'plain' });
    await store.createCollection(alice.id, { uri: 'sub', kind: 'plain', parentId: dir.id });
    await put(store, cal, 'a.ics', 'ua');
    await store.patchDeadProperties(cal.id, 'a.ics', [{ name: '{urn:x}p', xml: '<p xmlns="urn:x"/>' }]);
    await store.share(cal.id, bob.id, 'read-write');
    const bobCal = await calendar(store, bob, 'own');
    await store.share(bobCal.id, alice.id, 'read');
    await store.createFeedToken({ userId: alice.id, collectionId: null, tokenHash: 'h', details: 'full', alarms: true });
    const before = await store.homeSeq(bob.id);

    await store.deleteUser('alice');
    assert.is(await store.getUser('alice'), null);
    assert.is(await store.getCollection(cal.id), null);
    assert.is(await store.getCollection(dir.id), null);
    assert.is(await store.getObject(cal.id, 'a.ics'), null);
    assert.equal(await store.getDeadProperties(cal.id, 'a.ics'), []);
    assert.is(await store.findFeedToken('h'), null);
    assert.equal(await store.listShares(bobCal.id), []);
    assert.equal((await store.listInstances(bob.id)).map((i) => i.uri), ['own']);
    assert.ok((await store.homeSeq(bob.id)) > before);
    assert.equal((await store.homeChangesSince(bob.id, before)).map((c) => c.uri), ['work']);
    // The name is free again, and the new account starts empty.
    const again = await user(store, 'alice');
    assert.equal(await store.listInstances(again.id), []);
    assert.equal(await store.listChildCollections(again.id, null), []);
  });

  test.run();
}
