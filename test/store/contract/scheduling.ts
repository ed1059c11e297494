// Contract section for SchedulingStore (src/store/scheduling.ts): a scheduling write is one
// transaction (a failing op leaves nothing of the others), the inbox has its own change log, the
// Schedule-Tag is kept per object, the free/busy setting per user and calendar, the secret once.
import * as assert from 'uvu/assert';
import { PreconditionFailed, UidConflict } from '../../../src/store/errors.js';
import { calendar, contractSuite, ics, rejects, user, type StoreFactory } from './helpers.js';

export function schedulingContract(backend: string, makeStore: StoreFactory): void {
  const t = contractSuite(backend, 'scheduling', makeStore);

  const input = (name: string, uid: string) => ({ name, data: ics(uid), contentType: 'text/calendar', uid, componentType: 'VEVENT' as const });
  const message = (name: string) => ({ name, method: 'REQUEST', uid: 'u', data: Buffer.from('BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n') });

  t('every op commits together; a failing op (a stale If-Match) leaves nothing of the others', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    const a = await calendar(store, alice, 'personal');
    const b = await calendar(store, bob, 'personal');
    const [r] = await store.applySchedulingWrite([
      { op: 'put', collectionId: a.id, input: input('e.ics', 'e'), scheduleTag: '"t1"' },
      { op: 'put', collectionId: b.id, input: input('e.ics', 'e'), cond: { ifNoneMatch: ['*'] }, scheduleTag: '"t2"' },
      { op: 'deliver', userId: bob.id, message: message('m1.ics') },
    ]);
    assert.ok(r?.created);
    assert.is(await store.getScheduleTag(a.id, 'e.ics'), '"t1"');
    assert.is(await store.getScheduleTag(b.id, 'e.ics'), '"t2"');
    assert.equal((await store.listInbox(bob.id)).map((m) => m.name), ['m1.ics']);
    const token = (await store.getCollection(b.id))!.syncSeq;
    await rejects(store.applySchedulingWrite([
      { op: 'put', collectionId: a.id, input: input('f.ics', 'f') },
      { op: 'deliver', userId: bob.id, message: message('m2.ics') },
      { op: 'put', collectionId: b.id, input: input('e.ics', 'e'), cond: { ifMatch: ['"stale"'] } },
    ]), PreconditionFailed);
    assert.is(await store.getObjectMeta(a.id, 'f.ics'), null);
    assert.equal((await store.listInbox(bob.id)).map((m) => m.name), ['m1.ics']);
    assert.is((await store.getCollection(b.id))!.syncSeq, token);
    await rejects(store.applySchedulingWrite([{ op: 'put', collectionId: a.id, input: input('g.ics', 'e') }]), UidConflict);
  });

  t('a put without scheduleTag keeps the tag; delete with ifExists tolerates a missing object', async ({ store }) => {
    const alice = await user(store, 'alice');
    const a = await calendar(store, alice, 'personal');
    await store.applySchedulingWrite([{ op: 'put', collectionId: a.id, input: input('e.ics', 'e'), scheduleTag: '"t1"' }]);
    await store.applySchedulingWrite([{ op: 'put', collectionId: a.id, input: input('e.ics', 'e') }]);
    assert.is(await store.getScheduleTag(a.id, 'e.ics'), '"t1"');
    await store.applySchedulingWrite([{ op: 'delete', collectionId: a.id, name: 'nope.ics', ifExists: true }]);
    assert.is(await store.getScheduleTag(a.id, 'nope.ics'), null);
  });

  t('the inbox: changes since a token, deletions reported, If-Match on delete, tokens from the future refused', async ({ store }) => {
    const bob = await user(store, 'bob');
    const empty = await store.inboxChanges(bob.id, 0);
    assert.equal(empty.changes, []);
    await store.applySchedulingWrite([{ op: 'deliver', userId: bob.id, message: message('m1.ics') }]);
    const first = await store.inboxChanges(bob.id, 0);
    assert.equal(first.changes, [{ name: 'm1.ics', deleted: false }]);
    await store.applySchedulingWrite([{ op: 'deliver', userId: bob.id, message: message('m2.ics') }]);
    const m1 = (await store.getInboxMessage(bob.id, 'm1.ics'))!;
    await rejects(store.deleteInboxMessage(bob.id, 'm1.ics', { ifMatch: ['"other"'] }), PreconditionFailed);
    await store.deleteInboxMessage(bob.id, 'm1.ics', { ifMatch: [m1.etag] });
    const delta = await store.inboxChanges(bob.id, first.seq);
    assert.equal(delta.changes, [{ name: 'm2.ics', deleted: false }, { name: 'm1.ics', deleted: true }]);
    assert.ok(delta.seq > first.seq);
    await rejects(store.inboxChanges(bob.id, delta.seq + 1000), Error);
  });

  t('free/busy setting per user and calendar; the secret is made once and kept', async ({ store }) => {
    const alice = await user(store, 'alice');
    const a = await calendar(store, alice, 'personal');
    assert.is(await store.getFreeBusyIncluded(alice.id, a.id), null);
    await store.setFreeBusyIncluded(alice.id, a.id, false);
    assert.is(await store.getFreeBusyIncluded(alice.id, a.id), false);
    const k1 = await store.schedulingSecret();
    assert.is(k1.length, 32);
    assert.equal(await store.schedulingSecret(), k1);
  });

  t.run();
}
