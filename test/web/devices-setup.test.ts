// What a new device gets to connect (issue 16): the DAVx5 login URI and its QR code, read the way
// DAVx5 reads it (LoginActivity.loginInfoFromIntent, bitfireAT/davx5-ose), and the per-device
// Apple configuration profile parsed as a property list: the CalDAV payload for the user, named
// after the device, with the app password only when asked for and only if it is that device's.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import QRCode from 'qrcode';
import { guardedBefore } from './setup.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { login, type WebSession } from './session.js';
import { parseXml, textOf, type XmlElement } from '../../src/xml/parse.js';
import { davx5LoginUri } from '../../src/web/device-setup.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
  made: any;
  other: any;
}

type Plist = string | number | boolean | Plist[] | { [k: string]: Plist };

/** A property list as Apple's tools read it: dict, array, string, integer, true/false. */
function plistValue(el: XmlElement): Plist {
  switch (el.name.replace(/^\{\}/, '')) {
    case 'dict': {
      const out: Record<string, Plist> = {};
      for (let i = 0; i < el.children.length; i += 2) {
        const key = el.children[i]!;
        assert.is(key.name.replace(/^\{\}/, ''), 'key', 'a dict alternates key and value');
        out[textOf(key)] = plistValue(el.children[i + 1]!);
      }
      return out;
    }
    case 'array': return el.children.map(plistValue);
    case 'string': return textOf(el);
    case 'integer': return Number(textOf(el));
    case 'true': return true;
    case 'false': return false;
    default: throw new Error(`unexpected plist element ${el.name}`);
  }
}

function parsePlist(text: string): Record<string, Plist> {
  const doctype = '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">';
  assert.ok(text.includes(doctype), 'Apple\'s plist DOCTYPE');
  // Sundial's parser refuses DOCTYPEs (entity expansion); the declaration is checked above.
  const root = parseXml(text.replace(doctype, ''));
  assert.is(root.name.replace(/^\{\}/, ''), 'plist');
  return plistValue(root.children[0]!) as Record<string, Plist>;
}

/** What DAVx5's LoginActivity.loginInfoFromIntent makes of a login URI (core/…/ui/setup/LoginActivity.kt). */
function davx5Reads(uri: string): { baseUri: string; username: string; password: string } {
  const u = new URL(uri);
  const scheme = u.protocol.slice(0, -1);
  const real = { caldav: 'http', carddav: 'http', caldavs: 'https', carddavs: 'https', davx5: 'https', http: 'http', https: 'https' }[scheme];
  assert.ok(real, `a scheme DAVx5 knows: ${scheme}`);
  // Android's Uri.getUserInfo() is decoded; DAVx5 splits it at ":".
  const [username, password] = decodeURIComponent(`${u.username}:${u.password}`).split(':');
  return { baseUri: `${real}://${u.host}${u.pathname}`, username: username!, password: password! };
}

const t = suite<Ctx>('device setup: DAVx5 QR code and Apple profile');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  ctx.alice = await login(ctx.srv, 'alice');
  ctx.made = await ctx.alice.ok('POST', '/devices', { name: 'Phone <1>' });
  ctx.other = await ctx.alice.ok('POST', '/devices', { name: 'Laptop' });
});
t.after(async (ctx) => { await ctx.srv?.close(); });

t('the creation answer has the server URL, user name and a DAVx5 URI DAVx5 reads as exactly these', async ({ srv, made }) => {
  assert.is(made.serverUrl, `${srv.url}/`);
  assert.is(made.username, 'alice');
  const read = davx5Reads(made.davx5.uri);
  // A plain-http server: caldav://, which DAVx5 maps back to http.
  assert.match(made.davx5.uri, /^caldav:\/\//);
  assert.equal(read, { baseUri: `${srv.url}/`, username: 'alice', password: made.password });
});

t('the QR code encodes exactly the DAVx5 URI', async ({ made }) => {
  const svg = Buffer.from(made.davx5.qr.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString('utf8');
  assert.match(svg, /^<svg /);
  const expected = await QRCode.toString(made.davx5.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  assert.is(svg, expected, 'the image is the QR code of the URI (same encoder, same options)');
  const other = await QRCode.toString(made.davx5.uri.replace(/.@/, 'x@'), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  assert.is.not(svg, other, 'a different password gives a different image');
});

t('davx5:// for an HTTPS server, with the user name percent-encoded and a base path kept', () => {
  const uri = davx5LoginUri('https://cal.example.com:8443/sundial/', 'a:b@c', 'k3mq-7xza');
  assert.is(uri, 'davx5://a%3Ab%40c:k3mq-7xza@cal.example.com:8443/sundial/');
  assert.equal(davx5Reads(uri).baseUri, 'https://cal.example.com:8443/sundial/');
});

t('the profile without the password: CalDAV payload for the user, named after the device, no CalDAVPassword', async ({ srv, alice, made }) => {
  const res = await alice.call('POST', `/devices/${made.device.id}/profile`, {});
  assert.is(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /application\/x-apple-aspen-config/);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="sundial-alice-Phone__1_\.mobileconfig"/);
  const p = parsePlist(res.text);
  const payload = (p.PayloadContent as Record<string, Plist>[])[0]!;
  const port = Number(new URL(srv.url).port);
  assert.is(payload.PayloadType, 'com.apple.caldav.account');
  assert.is(payload.CalDAVUsername, 'alice');
  assert.is(payload.CalDAVHostName, '127.0.0.1');
  assert.is(payload.CalDAVPort, port);
  assert.is(payload.CalDAVUseSSL, false);
  assert.is(payload.CalDAVPrincipalURL, `${srv.url}/dav/principals/alice/`);
  assert.is(payload.CalDAVAccountDescription, 'Sundial (alice, Phone <1>)');
  assert.not.ok('CalDAVPassword' in payload);
  assert.match(String(p.PayloadIdentifier), new RegExp(`\\.device${made.device.id}$`));
});

t('the profile with the password: CalDAVPassword is the device\'s; another device\'s password is refused', async ({ alice, made, other }) => {
  const res = await alice.call('POST', `/devices/${made.device.id}/profile`, { password: made.password });
  assert.is(res.status, 200, res.text);
  const p = parsePlist(res.text);
  const payload = (p.PayloadContent as Record<string, Plist>[])[0]!;
  assert.is(payload.CalDAVPassword, made.password);
  const wrong = await alice.call('POST', `/devices/${made.device.id}/profile`, { password: other.password });
  assert.is(wrong.status, 400);
  const theirs = parsePlist((await alice.call('POST', `/devices/${other.device.id}/profile`, {})).text);
  assert.is.not(theirs.PayloadUUID, p.PayloadUUID, 'two devices\' profiles never replace each other');
  assert.is((await alice.call('POST', '/devices/9999/profile', {})).status, 404);
  assert.is((await alice.call('POST', `/devices/${made.device.id}/profile`, {}, { csrf: null })).status, 403);
});

t.run();
