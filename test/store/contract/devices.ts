// The store contract, section devices: what every implementation of DeviceStore
// (src/store/devices.ts) must do. Run by the entry test/store/contract.ts; each test gets a fresh,
// empty store.
import * as assert from 'uvu/assert';
import { Conflict, NotFound } from '../../../src/store/errors.js';
import { rejects, user, calendar, put, contractSuite, type StoreFactory } from './helpers.js';

export function devicesContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'devices', makeStore);

  test('devices: create, find by hash with the user, list, touch, delete; names unique per user', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    const phone = await store.createDevice({ userId: alice.id, name: 'Phone', tokenHash: 'h1' });
    assert.is(phone.selection, null, 'a new device follows the switches');
    assert.is(phone.lastUsedAt, null);
    const found = await store.findDeviceByToken('h1');
    assert.equal(found?.device, phone);
    assert.is(found?.user.username, 'alice');
    assert.is(await store.findDeviceByToken('nope'), null);
    await rejects(store.createDevice({ userId: alice.id, name: 'Phone', tokenHash: 'h2' }), Conflict);
    await rejects(store.createDevice({ userId: bob.id, name: 'Other', tokenHash: 'h1' }), Conflict);
    await rejects(store.createDevice({ userId: 9999, name: 'x', tokenHash: 'h3' }), NotFound);
    await store.createDevice({ userId: bob.id, name: 'Phone', tokenHash: 'h4' });
    await store.touchDevice(phone.id, '2030-01-01T00:00:00.000Z', 'DAVx5/4');
    const [listed] = await store.listDevices(alice.id);
    assert.is(listed!.lastUsedAt, '2030-01-01T00:00:00.000Z');
    assert.is(listed!.lastUserAgent, 'DAVx5/4');
    await rejects(store.deleteDevice(bob.id, phone.id), NotFound);
    await store.deleteDevice(alice.id, phone.id);
    assert.is(await store.findDeviceByToken('h1'), null, 'a revoked device is never found again');
    await rejects(store.deleteDevice(alice.id, phone.id), NotFound);
    await store.deleteUser('bob');
    assert.is(await store.findDeviceByToken('h4'), null, 'devices go with their user');
  });

  test('devices: a selection moves that device\'s home token only and records what entered and left its view', async ({ store }) => {
    const alice = await user(store, 'alice');
    const a = await calendar(store, alice, 'a');
    const b = await calendar(store, alice, 'b');
    const phone = await store.createDevice({ userId: alice.id, name: 'Phone', tokenHash: 'h1' });
    const laptop = await store.createDevice({ userId: alice.id, name: 'Laptop', tokenHash: 'h2' });
    const home0 = await store.homeSeq(alice.id);
    const laptop0 = await store.deviceHomeSeq(alice.id, laptop.id);
    const phone0 = await store.deviceHomeSeq(alice.id, phone.id);
    assert.is(phone0, home0, 'a following device has the home\'s token');
    const sel = await store.setDeviceSelection(alice.id, phone.id, [b.id, b.id]);
    assert.equal(sel.selection, [b.id]);
    const phone1 = await store.deviceHomeSeq(alice.id, phone.id);
    assert.ok(phone1 > phone0);
    assert.is(await store.homeSeq(alice.id), home0, 'the user\'s own home token did not move');
    assert.is(await store.deviceHomeSeq(alice.id, laptop.id), laptop0, 'nor another device\'s');
    assert.equal((await store.deviceChangesSince(phone.id, phone0)).map((c) => [c.collectionId, c.listed]), [[a.id, false]]);
    // Setting the same selection again changes nothing.
    await store.setDeviceSelection(alice.id, phone.id, [b.id]);
    assert.is(await store.deviceHomeSeq(alice.id, phone.id), phone1);
    // A write in a calendar outside the selection does not move the device's token; inside, it does.
    await put(store, a, 'x.ics', 'x');
    assert.is(await store.deviceHomeSeq(alice.id, phone.id), phone1);
    assert.ok((await store.deviceHomeSeq(alice.id, laptop.id)) > laptop0);
    await put(store, b, 'y.ics', 'y');
    assert.ok((await store.deviceHomeSeq(alice.id, phone.id)) > phone1);
    // Back to following: a enters the view again.
    const before = await store.deviceHomeSeq(alice.id, phone.id);
    assert.is((await store.setDeviceSelection(alice.id, phone.id, null)).selection, null);
    assert.equal((await store.deviceChangesSince(phone.id, before)).map((c) => [c.collectionId, c.listed]), [[a.id, true]]);
    // Only collections the user reaches can be selected.
    const bob = await user(store, 'bob');
    const bobs = await calendar(store, bob, 'private');
    await rejects(store.setDeviceSelection(alice.id, phone.id, [bobs.id]), NotFound);
    await rejects(store.setDeviceSelection(alice.id, 9999, null), NotFound);
    assert.is((await store.listDevices(alice.id))[0]!.selection, null, 'a refused selection changed nothing');
  });

  test('devices: the "devices must use app passwords" setting', async ({ store }) => {
    const alice = await user(store, 'alice');
    assert.is(await store.getDevicePolicy(alice.id), null);
    await store.setDevicePolicy(alice.id, true);
    assert.is(await store.getDevicePolicy(alice.id), true);
    await store.setDevicePolicy(alice.id, null);
    assert.is(await store.getDevicePolicy(alice.id), null);
    await rejects(store.setDevicePolicy(9999, true), NotFound);
  });

  test.run();
}
