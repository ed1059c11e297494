// The store contract, section changes: what every implementation of ChangeStore (src/store/changes.ts) must do.
// Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { InvalidSyncToken, NotFound } from '../../../src/store/errors.js';
import type { ObjectMeta, Store } from '../../../src/store/types.js';
import { rejects, put, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

/** changedMetasSince(c, since) against changesSince and a getObjectMeta per live change. */
async function sameAsChangesAndMetas(store: Store, c: number, since: number): Promise<void> {
  const plain = await store.changesSince(c, since);
  const got = await store.changedMetasSince(c, since);
  assert.equal({ seq: got.seq, changes: got.changes }, plain, `changes of ${c} since ${since}`);
  const metas: ObjectMeta[] = [];
  for (const ch of plain.changes) {
    const m = ch.deleted ? null : await store.getObjectMeta(c, ch.name);
    if (m) metas.push(m);
  }
  assert.equal(got.metas, metas, `metas of ${c} since ${since}`);
}

export function changesContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'changes', makeStore);

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
        await sameAsChangesAndMetas(store, c, since);
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
    // changedMetasSince refuses exactly what changesSince refuses.
    assert.equal(await store.changedMetasSince(cal.id, now), { seq: now, changes: [], metas: [] });
    for (const bad of [now + 1, 0, before, now - 0.5, 2 ** 60]) await rejects(store.changedMetasSince(cal.id, bad), InvalidSyncToken);
    await rejects(store.changedMetasSince(99999, 1), NotFound);
    await rejects(store.changedMetasSince(99999, 1.5), NotFound);
  });

  test('sync: changedMetasSince = changesSince + getObjectMeta of each live change, in change order', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    const t0 = cal.syncSeq;
    // Calendar objects and a plain resource; changed twice, deleted, re-created, moved within
    // the collection, a dead property on a member (a change without a new body).
    await put(store, cal, 'a.ics', 'ua');
    await put(store, cal, 'b.ics', 'ub');
    await put(store, cal, 'note.txt', null, 'plain');
    const t1 = (await store.getCollection(cal.id))!.syncSeq;
    await put(store, cal, 'a.ics', 'ua', 'changed');
    await store.deleteObject(cal.id, 'b.ics');
    await put(store, cal, 'c.ics', 'uc');
    await store.moveObject(cal.id, 'c.ics', cal.id, 'd.ics');
    const t2 = (await store.getCollection(cal.id))!.syncSeq;
    await put(store, cal, 'b.ics', 'ub', 'back');
    await store.patchDeadProperties(cal.id, 'note.txt', [{ name: '{urn:x}p', xml: '<p xmlns="urn:x"/>' }]);
    for (const since of [t0, t1, t2, (await store.getCollection(cal.id))!.syncSeq]) await sameAsChangesAndMetas(store, cal.id, since);
    const got = await store.changedMetasSince(cal.id, t1);
    assert.equal(got.metas.map((m) => m.name), ['a.ics', 'd.ics', 'b.ics', 'note.txt']);
    assert.equal(got.changes.filter((ch) => ch.deleted).map((ch) => ch.name), ['c.ics']);
  });

  test.run();
}
