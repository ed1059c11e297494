// The JSON API when what a request read is deleted by another request before its write (a review
// found store errors escaping as 500s: a device revoked twice at once, a group deleted while its
// members were changed). The race is forced deterministically: the store method the request is
// about to call first lets the "other request" delete the row.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { login, type WebSession } from './session.js';
import { guardedBefore } from './setup.js';

interface Ctx { srv: TestServer; alice: WebSession; setupError?: unknown }
const t = suite<Ctx>('API: a row deleted meanwhile is a 4xx, not a 500');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  ctx.alice = await login(ctx.srv, 'alice');
});
t.after(async (ctx) => { await ctx.srv?.close(); });

t('revoking a device that another request revoked meanwhile: 404 not_found', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/devices', { name: 'Phone' });
  const id = made.device.id;
  assert.type(id, 'number');
  const store = srv.store as unknown as { deleteDevice: (userId: number, id: number) => Promise<void> };
  const original = store.deleteDevice.bind(store);
  store.deleteDevice = async (userId, deviceId) => {
    store.deleteDevice = original; // once
    await original(userId, deviceId); // the other request wins
    return original(userId, deviceId);
  };
  const r = await alice.call('DELETE', `/devices/${id}`);
  assert.is(r.status, 404);
  assert.is(r.json.error, 'not_found');
  assert.is((await alice.ok('GET', '/devices')).devices.length, 0);
});

t.run();
