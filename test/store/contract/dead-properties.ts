// The store contract, section dead-properties: what every implementation of DeadPropertyStore (src/store/dead-properties.ts) must do.
// Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { NotFound } from '../../../src/store/errors.js';
import { rejects, put, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

export function deadPropertiesContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'dead-properties', makeStore);

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

  test.run();
}
