// Store writes that replace what a COPY/MOVE with Overwrite: T overwrites (issue 11, item 6):
// the replaced collection or object is deleted inside the write's own transaction, so a write
// refused after the deletion (a name clash, a UID conflict, a move below itself) leaves it whole.
// Also copyCollection (one transaction, owned by the given user) and getObjectSizes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Conflict, UidConflict } from '../../src/store/errors.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Collection, Store, User } from '../../src/store/types.js';

const ics = (uid: string): Buffer => Buffer.from(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`);
const putEvent = (store: Store, c: Collection, name: string, uid: string) =>
  store.putObject(c.id, { name, data: ics(uid), contentType: 'text/calendar', uid, componentType: 'VEVENT' });
const putFile = (store: Store, c: Collection, name: string, text: string) =>
  store.putObject(c.id, { name, data: Buffer.from(text), contentType: 'text/plain' });

async function rejects(p: Promise<unknown>, cls: abstract new (...a: never[]) => Error): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    return;
  }
  assert.unreachable(`expected ${cls.name}`);
}

interface Ctx { store: Store; alice: User; bob: User }
const t = suite<Ctx>('store: copy and replace in one transaction');
t.before.each(async (ctx) => {
  ctx.store = await openSqliteStore({ path: ':memory:' });
  ctx.alice = await ctx.store.createUser({ username: 'alice', passwordHash: 'h' });
  ctx.bob = await ctx.store.createUser({ username: 'bob', passwordHash: 'h' });
});
t.after.each(async (ctx) => { await ctx.store.close(); });

t('copyCollection: the tree, its dead properties and counts, owned by the given user', async ({ store, alice, bob }) => {
  const cal = await store.createCollection(alice.id, { uri: 'cal', kind: 'calendar', displayName: 'Cal', deadProperties: [{ name: '{x:}p', xml: '<p xmlns="x:">1</p>' }] });
  await putEvent(store, cal, 'a.ics', 'a');
  await putEvent(store, cal, 'b.ics', 'b');
  await store.patchDeadProperties(cal.id, 'a.ics', [{ name: '{x:}m', xml: '<m xmlns="x:"/>' }]);
  const copy = await store.copyCollection(cal.id, bob.id, null, 'mine', { deep: true });
  assert.is(copy.ownerId, bob.id);
  assert.is(copy.displayName, 'Cal');
  assert.is(copy.objectCount, 2);
  assert.equal((await store.listObjects(copy.id)).map((o) => o.name), ['a.ics', 'b.ics']);
  assert.equal((await store.getDeadProperties(copy.id, '')).map((p) => p.name), ['{x:}p']);
  assert.equal((await store.getDeadProperties(copy.id, 'a.ics')).map((p) => p.name), ['{x:}m']);
  assert.ok((await store.getInstance(bob.id, 'mine'))?.access === 'owner');
  assert.is(await store.getInstance(alice.id, 'mine'), null, 'nothing in the source owner\'s home');
  const shallow = await store.copyCollection(cal.id, alice.id, null, 'empty', { deep: false });
  assert.is(shallow.objectCount, 0);
});

t('copyCollection replacing a collection, refused afterwards: the replaced one is whole', async ({ store, alice }) => {
  const p = await store.createCollection(alice.id, { uri: 'p', kind: 'plain' });
  const q = await store.createCollection(alice.id, { uri: 'q', kind: 'plain', parentId: p.id });
  await putFile(store, q, 'keep.txt', 'keep');
  const victim = await store.createCollection(alice.id, { uri: 'victim', kind: 'plain' });
  await putFile(store, victim, 'v.txt', 'v');
  // A copy of p into its own child q is refused — after victim would have been deleted.
  await rejects(store.copyCollection(p.id, alice.id, q.id, 'again', { deep: true, replacing: { kind: 'collection', id: victim.id } }), Conflict);
  assert.ok(await store.getObject(victim.id, 'v.txt'));
  assert.ok(await store.getObject(q.id, 'keep.txt'));
});

t('moveCollection replacing a collection, refused afterwards: the replaced one is whole', async ({ store, alice }) => {
  const a = await store.createCollection(alice.id, { uri: 'a', kind: 'plain' });
  const child = await store.createCollection(alice.id, { uri: 'child', kind: 'plain', parentId: a.id });
  const victim = await store.createCollection(alice.id, { uri: 'victim', kind: 'plain' });
  await putFile(store, victim, 'v.txt', 'v');
  await rejects(store.moveCollection(a.id, child.id, 'x', { kind: 'collection', id: victim.id }), Conflict);
  assert.ok(await store.getObject(victim.id, 'v.txt'));
  // Replacing an ancestor of the source is refused before anything is deleted.
  await rejects(store.moveCollection(child.id, null, 'a', { kind: 'collection', id: a.id }), Conflict);
  assert.ok(await store.getCollection(a.id));
});

t('putObject/copyObject replacing a collection, refused by a UID conflict: the collection is whole', async ({ store, alice }) => {
  const p = await store.createCollection(alice.id, { uri: 'p', kind: 'plain' });
  const q = await store.createCollection(alice.id, { uri: 'q', kind: 'plain', parentId: p.id });
  await putFile(store, q, 'keep.txt', 'keep');
  await putEvent(store, p, 'e.ics', 'same');
  const cal = await store.createCollection(alice.id, { uri: 'cal', kind: 'calendar' });
  await putEvent(store, cal, 'e.ics', 'same');
  await rejects(store.copyObject(cal.id, 'e.ics', p.id, 'q', undefined, { kind: 'collection', id: q.id }), UidConflict);
  await rejects(store.putObject(p.id, { name: 'q', data: ics('same'), contentType: 'text/calendar', uid: 'same' }, undefined, { kind: 'collection', id: q.id }), UidConflict);
  assert.ok(await store.getObject(q.id, 'keep.txt'));
  // Without the conflict the replacement happens.
  const r = await store.putObject(p.id, { name: 'q', data: Buffer.from('f'), contentType: 'text/plain' }, undefined, { kind: 'collection', id: q.id });
  assert.is(r.created, true);
  assert.is(await store.getCollection(q.id), null);
});

t('getObjectSizes: names and body sizes of those that exist', async ({ store, alice }) => {
  const cal = await store.createCollection(alice.id, { uri: 'cal', kind: 'calendar' });
  await putEvent(store, cal, 'a.ics', 'a');
  const sizes = await store.getObjectSizes(cal.id, ['a.ics', 'nope.ics']);
  assert.equal(sizes, [{ name: 'a.ics', size: ics('a').length }]);
  assert.equal(await store.getObjectSizes(cal.id, []), []);
});

t.run();
