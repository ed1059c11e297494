// Devices (issue 16): an app password per device, each with its own selection. Two devices of one
// user with different selections through PROPFIND and sync-collection on the home; a change of
// one device's selection moves that device's home token only and reaches it through
// sync-collection as additions and removals; a calendar left out still answers at its URL;
// revocation (API and CLI in another process) ends access at the next request; the policy
// "devices must use app passwords"; failed device logins are throttled; last use is coalesced.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { CS, D, XML_HEADERS, ical, parseMultistatus, propText, propfindBody, putOk, syncCollectionBody, type Multistatus } from '../helpers/dav.js';
import { run } from '../helpers/cli.js';
import { login, type WebSession } from '../web/session.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
  phone: { id: number; password: string };
  laptop: { id: number; password: string };
}

const HOME = '/dav/calendars/alice/';
const cal = (uri: string) => `${HOME}${uri}/`;

async function dav(srv: TestServer, password: string, method: string, path: string, depth: string, body: string, extra: Record<string, string> = {}) {
  return srv.request(method, path, { user: 'alice', password, headers: { ...XML_HEADERS, Depth: depth, ...extra }, body });
}

async function ms(srv: TestServer, password: string, method: string, path: string, depth: string, body: string): Promise<Multistatus> {
  const res = await dav(srv, password, method, path, depth, body);
  assert.is(res.status, 207, `${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return parseMultistatus(res.text);
}

/** The calendars the home lists for this password (Depth 1), sorted. */
async function listed(srv: TestServer, password: string): Promise<string[]> {
  const m = await ms(srv, password, 'PROPFIND', HOME, '1', propfindBody([D('resourcetype'), CS('getctag')]));
  return m.responses.map((r) => r.href).filter((h) => h !== HOME).sort();
}

async function homeTokens(srv: TestServer, password: string): Promise<{ ctag: string; token: string }> {
  const m = await ms(srv, password, 'PROPFIND', HOME, '0', propfindBody([CS('getctag'), D('sync-token')]));
  return { ctag: propText(m.responses[0], CS('getctag'))!, token: propText(m.responses[0], D('sync-token'))! };
}

async function homeSync(srv: TestServer, password: string, token: string | null): Promise<Multistatus> {
  return ms(srv, password, 'REPORT', HOME, '0', syncCollectionBody(token, [D('displayname')]));
}

const delta = (m: Multistatus) => m.responses.map((r) => `${r.href} ${r.status ?? 200}`).sort();

const t = suite<Ctx>('devices: app passwords and per-device selections');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  ctx.alice = await login(ctx.srv, 'alice');
  for (const name of ['Work', 'Family']) await ctx.alice.ok('POST', '/calendars', { displayName: name });
  await putOk(ctx.srv, 'alice', `${cal('personal')}p1.ics`, ical('p1'));
  const phone = await ctx.alice.ok('POST', '/devices', { name: 'Phone' });
  const laptop = await ctx.alice.ok('POST', '/devices', { name: 'Laptop' });
  ctx.phone = { id: phone.device.id, password: phone.password };
  ctx.laptop = { id: laptop.device.id, password: laptop.password };
});
t.after(async (ctx) => { await ctx.srv?.close(); });

t('a new device: a high-entropy password shown once, follows the switches, listed without its password', async ({ srv, alice, phone, laptop }) => {
  assert.match(phone.password, /^[a-z2-7]{4}(-[a-z2-7]{1,4}){12}$/, phone.password);
  assert.is.not(phone.password, laptop.password);
  const { devices } = await alice.ok('GET', '/devices');
  assert.equal(devices.map((d: { name: string }) => d.name), ['Phone', 'Laptop']);
  assert.ok(devices.every((d: { follow: boolean }) => d.follow), 'devices follow the switches by default');
  assert.not.ok(JSON.stringify(devices).includes(phone.password.slice(0, 9)), 'the list never holds the password');
  const stored = srv.store as unknown as { listDevices(id: number): Promise<unknown[]> };
  assert.not.ok(JSON.stringify(await stored.listDevices((await srv.store.getUser('alice'))!.id)).includes(phone.password.slice(0, 9)));
  assert.equal(await listed(srv, phone.password), [cal('family'), cal('personal'), cal('work')]);
  // Typed without dashes and in capitals, it is the same password.
  assert.equal(await listed(srv, phone.password.replace(/-/g, '').toUpperCase()), [cal('family'), cal('personal'), cal('work')]);
  const dup = await alice.call('POST', '/devices', { name: 'Phone' });
  assert.is(dup.status, 409);
  assert.is((await alice.call('POST', '/devices', { name: '' })).status, 400);
});

t('two devices, two selections: the home listing, its token and sync-collection follow each device', async ({ srv, alice, phone, laptop }) => {
  const accountBefore = await homeTokens(srv, PASSWORD);
  const laptopBefore = await homeTokens(srv, laptop.password);
  const phoneBefore = await homeTokens(srv, phone.password);
  const selected = await alice.ok('PATCH', `/devices/${phone.id}`, { calendars: ['work', 'family'] });
  assert.is(selected.follow, false);
  assert.equal(selected.calendars.sort(), ['family', 'work']);
  assert.equal(await listed(srv, phone.password), [cal('family'), cal('work')]);
  assert.equal(await listed(srv, laptop.password), [cal('family'), cal('personal'), cal('work')]);
  assert.equal(await listed(srv, PASSWORD), [cal('family'), cal('personal'), cal('work')], 'the account password sees the switches');
  const phoneAfter = await homeTokens(srv, phone.password);
  assert.is.not(phoneAfter.ctag, phoneBefore.ctag, "the phone's home getctag moved");
  assert.is.not(phoneAfter.token, phoneBefore.token, "the phone's home sync-token moved");
  assert.equal(await homeTokens(srv, laptop.password), laptopBefore, "the laptop's home tokens did not move");
  assert.equal(await homeTokens(srv, PASSWORD), accountBefore, "the account's home tokens did not move");
  assert.equal(delta(await homeSync(srv, phone.password, phoneBefore.token)), [`${cal('personal')} 404`], 'the phone sees personal removed');
  assert.equal(delta(await homeSync(srv, laptop.password, laptopBefore.token)), [], 'the laptop sees nothing');
  const initial = await homeSync(srv, phone.password, null);
  assert.equal(delta(initial), [`${cal('family')} 200`, `${cal('work')} 200`]);
  assert.is(initial.syncToken, phoneAfter.token);

  // Change the selection: family out, personal in.
  await alice.ok('PATCH', `/devices/${phone.id}`, { calendars: ['work', 'personal'] });
  const d = await homeSync(srv, phone.password, phoneAfter.token);
  assert.equal(delta(d), [`${cal('family')} 404`, `${cal('personal')} 200`], 'additions and removals reach the phone');
  assert.is(propText(d.responses.find((r) => r.href === cal('personal')), D('displayname')), 'Personal');
  assert.equal(await homeTokens(srv, laptop.password), laptopBefore, "still the laptop's token");
});

t("a home token of one view is refused in another (account → device, device → device): the client starts over", async ({ srv, phone, laptop }) => {
  const account = await homeTokens(srv, PASSWORD);
  const ofPhone = await homeTokens(srv, phone.password);
  assert.match(ofPhone.token, new RegExp(`-d${phone.id}$`));
  assert.is.not(ofPhone.ctag, account.ctag);
  for (const [password, token] of [[phone.password, account.token], [PASSWORD, ofPhone.token], [laptop.password, ofPhone.token]] as const) {
    const res = await dav(srv, password, 'REPORT', HOME, '0', syncCollectionBody(token, [D('displayname')]));
    assert.is(res.status, 403, res.text);
    assert.match(res.text, /valid-sync-token/);
  }
  // A calendar's token is the same for every view.
  const cal1 = await ms(srv, phone.password, 'PROPFIND', cal('work'), '0', propfindBody([D('sync-token')]));
  const cal2 = await ms(srv, PASSWORD, 'PROPFIND', cal('work'), '0', propfindBody([D('sync-token')]));
  assert.is(propText(cal1.responses[0], D('sync-token')), propText(cal2.responses[0], D('sync-token')));
});

t('writes move the home token only of devices that list the calendar', async ({ srv, phone, laptop }) => {
  // The phone lists work and personal now, not family.
  const p = await homeTokens(srv, phone.password);
  const l = await homeTokens(srv, laptop.password);
  await putOk(srv, 'alice', `${cal('family')}f1.ics`, ical('f1'));
  assert.equal(await homeTokens(srv, phone.password), p, 'a write in family does not move the phone\'s home token');
  const l2 = await homeTokens(srv, laptop.password);
  assert.is.not(l2.token, l.token);
  assert.equal(delta(await homeSync(srv, laptop.password, l.token)), [`${cal('family')} 200`]);
  await putOk(srv, 'alice', `${cal('work')}w1.ics`, ical('w1'));
  assert.equal(delta(await homeSync(srv, phone.password, p.token)), [`${cal('work')} 200`]);
});

t('a calendar left out of the selection still answers at its URL with the device password', async ({ srv, phone }) => {
  const res = await srv.request('GET', `${cal('family')}f1.ics`, { user: 'alice', password: phone.password });
  assert.is(res.status, 200);
  const m = await ms(srv, phone.password, 'PROPFIND', cal('family'), '1', propfindBody([D('getetag')]));
  assert.ok(m.responses.some((r) => r.href === `${cal('family')}f1.ics`));
  const put = await srv.request('PUT', `${cal('family')}f2.ics`, { user: 'alice', password: phone.password, headers: { 'Content-Type': 'text/calendar' }, body: ical('f2') });
  assert.is(put.status, 201);
});

t('the Synchronization switch governs following devices, not a device with its own selection', async ({ srv, alice, phone, laptop }) => {
  const p = await homeSync(srv, phone.password, null);
  const l = await homeSync(srv, laptop.password, null);
  await alice.ok('PATCH', '/calendars/work', { sync: false });
  assert.equal(await listed(srv, laptop.password), [cal('family'), cal('personal')]);
  assert.equal(await listed(srv, phone.password), [cal('personal'), cal('work')], 'the phone keeps work');
  assert.equal(delta(await homeSync(srv, laptop.password, l.syncToken!)), [`${cal('work')} 404`]);
  // Nothing for the phone to drop. (The switch moves the instance's own change sequence, which
  // the phone's token includes: work may come as an unchanged member, never as a removal.)
  const phoneDelta = delta(await homeSync(srv, phone.password, p.syncToken!));
  assert.ok(phoneDelta.every((x) => x === `${cal('work')} 200`), `the phone: ${phoneDelta}`);
  // Back to following: the phone's view becomes the switches' (personal, family), work leaves.
  const before = await homeSync(srv, phone.password, null);
  const back = await alice.ok('PATCH', `/devices/${phone.id}`, { follow: true });
  assert.is(back.follow, true);
  assert.equal(await listed(srv, phone.password), [cal('family'), cal('personal')]);
  assert.equal(delta(await homeSync(srv, phone.password, before.syncToken!)), [`${cal('family')} 200`, `${cal('work')} 404`]);
  await alice.ok('PATCH', '/calendars/work', { sync: true });
  // Unknown calendars and bad bodies are refused, nothing changes.
  assert.is((await alice.call('PATCH', `/devices/${phone.id}`, { calendars: ['nope'] })).status, 404);
  assert.is((await alice.call('PATCH', `/devices/${phone.id}`, { calendars: 'work' })).status, 400);
  assert.is((await alice.call('PATCH', `/devices/${phone.id}`, { follow: true, calendars: ['work'] })).status, 400);
  assert.is((await alice.call('PATCH', '/devices/9999', { follow: true })).status, 404);
  assert.equal(await listed(srv, phone.password), [cal('family'), cal('personal'), cal('work')]);
});

t("another user's device password, or one used with another user name, does not log in", async ({ srv, phone }) => {
  const bob = await login(srv, 'bob');
  const bobs = await bob.ok('POST', '/devices', { name: 'Bob phone' });
  const res = await srv.request('PROPFIND', HOME, { user: 'alice', password: bobs.password, headers: { Depth: '0' } });
  assert.is(res.status, 401);
  const cross = await srv.request('PROPFIND', '/dav/calendars/bob/', { user: 'bob', password: phone.password, headers: { Depth: '0' } });
  assert.is(cross.status, 401);
  // Alice cannot revoke or select Bob's device.
  const alice = await login(srv, 'alice');
  assert.is((await alice.call('DELETE', `/devices/${bobs.device.id}`)).status, 404);
  assert.is((await srv.request('PROPFIND', '/dav/calendars/bob/', { user: 'bob', password: bobs.password, headers: { Depth: '0' } })).status, 207);
});

t('an app password does not open the web page', async ({ srv, phone }) => {
  const res = await fetch(`${srv.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: phone.password }) });
  assert.is(res.status, 401);
});

t('last use and User-Agent are recorded, at most once a minute per device', async ({ srv, alice }) => {
  // A device not used yet in this suite (the others were used within the last minute).
  const created = await alice.ok('POST', '/devices', { name: 'Watch' });
  const laptop = { id: created.device.id as number, password: created.password as string };
  assert.is(created.device.lastUsedAt, null);
  await srv.request('PROPFIND', HOME, { user: 'alice', password: laptop.password, headers: { Depth: '0', 'User-Agent': 'DAVx5/4.4 (okhttp)' } });
  // The last use is written beside the request, not before its answer (authenticator.ts touch):
  // on PostgreSQL the write can land a moment after the PROPFIND's 207 (CI, 2026-12-07).
  const device = async () => (await alice.ok('GET', '/devices')).devices.find((d: { id: number }) => d.id === laptop.id);
  let first = await device();
  for (let i = 0; i < 40 && !first.lastUsedAt; i++) {
    await new Promise((r) => setTimeout(r, 50));
    first = await device();
  }
  assert.ok(first.lastUsedAt, 'last use recorded');
  assert.is(first.lastUserAgent, 'DAVx5/4.4 (okhttp)');
  // Within the minute another request, even from another client, writes nothing.
  await srv.request('PROPFIND', HOME, { user: 'alice', password: laptop.password, headers: { Depth: '0', 'User-Agent': 'Other/1' } });
  const second = await device();
  assert.is(second.lastUsedAt, first.lastUsedAt);
  assert.is(second.lastUserAgent, 'DAVx5/4.4 (okhttp)');
});

t('revoking ends access at the next request (API)', async ({ srv, alice }) => {
  const tablet = await alice.ok('POST', '/devices', { name: 'Tablet' });
  assert.is((await dav(srv, tablet.password, 'PROPFIND', HOME, '0', propfindBody([D('displayname')]))).status, 207);
  await alice.ok('DELETE', `/devices/${tablet.device.id}`);
  const res = await dav(srv, tablet.password, 'PROPFIND', HOME, '0', propfindBody([D('displayname')]));
  assert.is(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
  assert.is((await alice.call('DELETE', `/devices/${tablet.device.id}`)).status, 404);
});

t('revoking with `sundial device revoke` in another process ends access at once', async ({ srv, alice }) => {
  const car = await alice.ok('POST', '/devices', { name: 'Car' });
  assert.is((await dav(srv, car.password, 'PROPFIND', HOME, '0', propfindBody([D('displayname')]))).status, 207);
  const out = await run(['device', 'revoke', 'alice', 'Car'], { env: srv.cliEnv });
  assert.is(out.code, 0, out.stderr);
  assert.match(out.stdout, /revoked device "Car"/);
  assert.is((await dav(srv, car.password, 'PROPFIND', HOME, '0', propfindBody([D('displayname')]))).status, 401);
});

t('policy on: the account password gets 401 on DAV with a message, works on the page; device passwords work', async ({ srv, alice, laptop }) => {
  const on = await alice.ok('PUT', '/devices/policy', { required: true });
  assert.equal(on, { required: true, own: true, serverDefault: false });
  const res = await dav(srv, PASSWORD, 'PROPFIND', HOME, '0', propfindBody([D('displayname')]));
  assert.is(res.status, 401);
  assert.match(res.text, /device password/);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
  assert.is((await dav(srv, laptop.password, 'PROPFIND', HOME, '0', propfindBody([D('displayname')]))).status, 207);
  await login(srv, 'alice'); // the page still opens with the account password
  // Another user is not affected.
  assert.is((await srv.request('PROPFIND', '/dav/calendars/bob/', { user: 'bob', headers: { Depth: '0' } })).status, 207);
  assert.is((await alice.call('PUT', '/devices/policy', { required: 'yes' })).status, 400);
  assert.equal(await alice.ok('PUT', '/devices/policy', { required: null }), { required: false, own: null, serverDefault: false });
  assert.is((await dav(srv, PASSWORD, 'PROPFIND', HOME, '0', propfindBody([D('displayname')]))).status, 207);
});

t('the admin default (SUNDIAL_DEVICE_PASSWORDS_REQUIRED) applies to users without their own choice', async () => {
  const srv = await startTestServer({ SUNDIAL_DEVICE_PASSWORDS_REQUIRED: 'true' });
  try {
    await srv.addUser('carol');
    const res = await srv.request('PROPFIND', '/dav/calendars/carol/', { user: 'carol', headers: { Depth: '0' } });
    assert.is(res.status, 401);
    assert.match(res.text, /device password/);
    const carol = await login(srv, 'carol');
    assert.equal((await carol.ok('GET', '/devices')).policy, { required: true, own: null, serverDefault: true });
    await carol.ok('PUT', '/devices/policy', { required: false });
    assert.is((await srv.request('PROPFIND', '/dav/calendars/carol/', { user: 'carol', headers: { Depth: '0' } })).status, 207);
  } finally {
    await srv.close();
  }
});

t('failed device logins count towards the login throttle', async () => {
  const srv = await startTestServer({ SUNDIAL_LOGIN_FAILURE_LIMIT: '3' });
  try {
    await srv.addUser('dave');
    const dave = await login(srv, 'dave');
    const dev = await dave.ok('POST', '/devices', { name: 'Phone' });
    await dave.ok('DELETE', `/devices/${dev.device.id}`);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await srv.request('PROPFIND', '/dav/calendars/dave/', { user: 'dave', password: dev.password, headers: { Depth: '0' } })).status);
    assert.equal(statuses, [401, 401, 401, 429], 'a revoked device password is a failed login');
  } finally {
    await srv.close();
  }
});

t.run();
