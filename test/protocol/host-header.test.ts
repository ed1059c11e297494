// The Host header (RFC 9112 §3.2): missing on HTTP/1.1, repeated or invalid is 400 before
// anything builds a link from it. Bad Hosts answered 500 from the Apple profile and from
// POST /api/devices ("Invalid URL" in davx5LoginUri, "too big to be stored in a QR Code"), the
// latter after storing the device. Good Hosts (what litmus, DAVx5, iOS and a browser send) still
// work, HTTP/1.0 without Host too, and behind a trusted proxy X-Forwarded-Host/-Proto are checked
// the same way. Raw sockets: Node's client will not send most of these heads.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { login, type WebSession } from '../web/session.js';
import { rawHttp, type RawResponse } from '../helpers/raw-http.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
  deviceId: number;
}

const PROPFIND = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>';

/** The three routes that build links from the host, and a DAV one; `lines` are the Host-related header lines. */
function routes(srv: TestServer, alice: WebSession, deviceId: number) {
  const cookie = `Cookie: ${alice.cookie}`;
  const csrf = `X-CSRF-Token: ${alice.csrf}`;
  return {
    propfind: (lines: string[], version?: string) => rawHttp(srv.port, { method: 'PROPFIND', path: '/dav/', lines: [...lines, `Authorization: ${basic(alice.username)}`, 'Depth: 0', 'Content-Type: application/xml'], body: PROPFIND, ...(version ? { version } : {}) }),
    appleProfile: (lines: string[], version?: string) => rawHttp(srv.port, { method: 'GET', path: '/api/apple-profile', lines: [...lines, cookie], ...(version ? { version } : {}) }),
    addDevice: (lines: string[], name: string, version?: string) => rawHttp(srv.port, { method: 'POST', path: '/api/devices', lines: [...lines, cookie, csrf, 'Content-Type: application/json'], body: JSON.stringify({ name }), ...(version ? { version } : {}) }),
    deviceProfile: (lines: string[]) => rawHttp(srv.port, { method: 'POST', path: `/api/devices/${deviceId}/profile`, lines: [...lines, cookie, csrf, 'Content-Type: application/json'], body: '{}' }),
  };
}

const hostName = (plist: string) => /<key>CalDAVHostName<\/key><string>([^<]*)<\/string>/.exec(plist)?.[1];
const deviceNames = async (alice: WebSession) => ((await alice.ok('GET', '/devices')).devices as { name: string }[]).map((d) => d.name).sort();

function badRequest(res: RawResponse, what: string): void {
  assert.is(res.status, 400, `${what}: ${res.status} ${res.body.slice(0, 300)}`);
  assert.match(res.headers['content-type'] ?? '', /^text\/plain/, what);
  assert.match(res.body, /RFC 9112 §3\.2/, what);
}

const t = suite<Ctx>('Host header (RFC 9112 §3.2)');
guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  ctx.alice = await login(ctx.srv, 'alice');
  ctx.deviceId = (await ctx.alice.ok('POST', '/devices', { name: 'Existing' })).device.id;
});
t.after(async (ctx) => { await ctx.srv?.close(); });

const BAD_HOSTS: [string, string[]][] = [
  ['an unclosed IPv6 literal', ['Host: [::1']],
  ['a port that is not digits', ['Host: x:abc']],
  ['a space', ['Host: a b']],
  ['an empty Host', ['Host:']],
  ['3000 characters', [`Host: ${'a'.repeat(3000)}`]],
  ['a name of 256 characters', [`Host: ${'a'.repeat(256)}`]],
  ['two Host headers', ['Host: localhost', 'Host: example.com']],
  ['a port above 65535', ['Host: localhost:65536']],
  ['user info', ['Host: user@localhost']],
  ['a malformed IPv6 address', ['Host: [1:2:3]']],
  ['an IPv4 address out of range', ['Host: 1.2.3.999']],
  ['a percent-encoded NUL', ['Host: a%00b']],
  ['a path', ['Host: localhost/dav']],
  ['a first comma-separated part that is empty', ['Host: ,localhost']],
];

t('each bad Host: 400 with the reason, on a DAV path, the Apple profile, POST /api/devices and a device\'s profile; no device is created', async ({ srv, alice, deviceId }) => {
  const r = routes(srv, alice, deviceId);
  const before = await deviceNames(alice);
  for (const [what, lines] of BAD_HOSTS) {
    badRequest(await r.propfind(lines), `PROPFIND /dav/ with ${what}`);
    badRequest(await r.appleProfile(lines), `GET /api/apple-profile with ${what}`);
    badRequest(await r.addDevice(lines, `Bad ${what}`), `POST /api/devices with ${what}`);
    badRequest(await r.deviceProfile(lines), `POST /api/devices/${deviceId}/profile with ${what}`);
  }
  assert.equal(await deviceNames(alice), before, 'no device was created');
  // Nothing was logged as a server error.
  assert.not.ok(srv.logLines.some((l) => /"level":50/.test(l)), srv.logLines.filter((l) => /"level":50/.test(l)).join('\n'));
});

t('HTTP/1.1 without Host: 400', async ({ srv, alice, deviceId }) => {
  const r = routes(srv, alice, deviceId);
  const before = await deviceNames(alice);
  assert.is((await r.propfind([])).status, 400);
  assert.is((await r.appleProfile([])).status, 400);
  assert.is((await r.addDevice([], 'No host')).status, 400);
  assert.equal(await deviceNames(alice), before);
});

t('HTTP/1.0 without Host still works; its links name the address the connection reached', async ({ srv, alice, deviceId }) => {
  const r = routes(srv, alice, deviceId);
  const dav = await r.propfind([], 'HTTP/1.0');
  assert.is(dav.status, 207, dav.body);
  const profile = await r.appleProfile([], 'HTTP/1.0');
  assert.is(profile.status, 200, profile.body);
  assert.is(hostName(profile.body), '127.0.0.1');
  const made = await r.addDevice([], 'Old client', 'HTTP/1.0');
  assert.is(made.status, 201, made.body);
  assert.is(JSON.parse(made.body).serverUrl, `http://127.0.0.1:${srv.port}/`);
  await alice.ok('DELETE', `/devices/${JSON.parse(made.body).device.id}`);
});

t('good Hosts (litmus\'s 127.0.0.1:PORT, localhost, [::1]:PORT, example.com, a name of 255 characters) work, and the links name them', async ({ srv, alice, deviceId }) => {
  const r = routes(srv, alice, deviceId);
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`;
  assert.is(long.length, 255);
  const cases: [string, string, string][] = [
    [`127.0.0.1:${srv.port}`, '127.0.0.1', `http://127.0.0.1:${srv.port}/`],
    ['localhost', 'localhost', 'http://localhost/'],
    [`[::1]:${srv.port}`, '[::1]', `http://[::1]:${srv.port}/`],
    ['example.com', 'example.com', 'http://example.com/'],
    [`${long}:8443`, long, `http://${long}:8443/`],
  ];
  for (const [i, [host, name, serverUrl]] of cases.entries()) {
    const lines = [`Host: ${host}`];
    assert.is((await r.propfind(lines)).status, 207, host);
    const profile = await r.appleProfile(lines);
    assert.is(profile.status, 200, `${host}: ${profile.body}`);
    assert.is(hostName(profile.body), name, host);
    assert.is((await r.deviceProfile(lines)).status, 200, host);
    const made = await r.addDevice(lines, `Good ${i}`);
    assert.is(made.status, 201, `${host}: ${made.body}`);
    const json = JSON.parse(made.body);
    assert.is(json.serverUrl, serverUrl);
    assert.match(json.davx5.qr, /^data:image\/svg\+xml;base64,/);
    await alice.ok('DELETE', `/devices/${json.device.id}`);
  }
});

t('without SUNDIAL_TRUST_PROXY, X-Forwarded-Host and -Proto are ignored, bad or not', async ({ srv, alice, deviceId }) => {
  const r = routes(srv, alice, deviceId);
  const res = await r.appleProfile(['Host: localhost', 'X-Forwarded-Host: [::1', 'X-Forwarded-Proto: a b']);
  assert.is(res.status, 200, res.body);
  assert.is(hostName(res.body), 'localhost');
});

t('behind a trusted proxy the host actually used is checked: a bad X-Forwarded-Host or -Proto is 400 and creates nothing; good ones name the links', async () => {
  const srv = await startTestServer({ SUNDIAL_TRUST_PROXY: 'true' });
  try {
    await srv.addUser('bob');
    const bob = await login(srv, 'bob');
    const r = routes(srv, bob, 0);
    for (const lines of [['X-Forwarded-Host: [::1'], ['X-Forwarded-Host: x:abc'], ['X-Forwarded-Host: a b, cal.example.org'], [`X-Forwarded-Host: ${'a'.repeat(3000)}`], ['X-Forwarded-Proto: a b'], ['X-Forwarded-Proto: javascript']]) {
      const withHost = ['Host: localhost', ...lines];
      badRequest(await r.propfind(withHost), lines.join());
      badRequest(await r.appleProfile(withHost), lines.join());
      badRequest(await r.addDevice(withHost, 'Proxied bad'), lines.join());
    }
    assert.equal(await deviceNames(bob), []);
    const good = ['Host: 127.0.0.1', 'X-Forwarded-Host: cal.example.org, proxy.internal', 'X-Forwarded-Proto: https'];
    const profile = await r.appleProfile(good);
    assert.is(profile.status, 200, profile.body);
    assert.is(hostName(profile.body), 'cal.example.org');
    const made = await r.addDevice(good, 'Proxied');
    assert.is(made.status, 201, made.body);
    assert.is(JSON.parse(made.body).serverUrl, 'https://cal.example.org/');
    assert.match(JSON.parse(made.body).davx5.uri, /^davx5:\/\/bob:[^@]+@cal\.example\.org\/$/);
  } finally {
    await srv.close();
  }
});

t('with SUNDIAL_BASE_URL the Host is still checked (RFC 9112 §3.2 holds for every request)', async () => {
  const srv = await startTestServer({ SUNDIAL_BASE_URL: 'https://cal.example.org' });
  try {
    await srv.addUser('carol');
    const carol = await login(srv, 'carol');
    const r = routes(srv, carol, 0);
    badRequest(await r.addDevice(['Host: x:abc'], 'Bad'), 'POST /api/devices with Host x:abc');
    assert.equal(await deviceNames(carol), []);
    const ok = await r.addDevice(['Host: localhost'], 'Good');
    assert.is(ok.status, 201, ok.body);
    assert.is(JSON.parse(ok.body).serverUrl, 'https://cal.example.org/');
  } finally {
    await srv.close();
  }
});

t.run();
