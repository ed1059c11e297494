// Regressions found by running the litmus WebDAV suite (scripts/ci-litmus.sh) and a vdirsyncer
// round trip (scripts/ci-vdirsyncer.sh) against Sundial: one test per bug fixed.
import http from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, basic, type TestServer } from '../helpers/server.js';

const t = suite<{ srv: TestServer }>('webdav-litmus-regressions');

const HOME = '/dav/calendars/alice/';
const PROPFIND_CUP = '<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>';

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
});
t.after(async (ctx) => { await ctx.srv.close(); });

/** A request whose path goes on the wire exactly as given (fetch would strip a "#fragment"). */
function rawRequest(srv: TestServer, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, method, path, headers: { Authorization: basic('alice'), ...headers } });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.end();
  });
}

// vdirsyncer (and DAVx5) start discovery with PROPFIND current-user-principal on the URL they were
// given, "/" or "/dav/"; the property was answered 404 there, so vdirsyncer discover crashed.
t('current-user-principal is answered on "/", "/dav/" and the collections above the homes', async ({ srv }) => {
  for (const path of ['/', '/dav/', '/dav/principals/', '/dav/calendars/']) {
    const res = await srv.request('PROPFIND', path, { user: 'alice', headers: { Depth: '0', 'Content-Type': 'application/xml' }, body: PROPFIND_CUP });
    assert.is(res.status, 207, path);
    assert.match(res.text, /<d:current-user-principal><d:href>\/dav\/principals\/alice\/<\/d:href><\/d:current-user-principal>/, path);
    assert.not.match(res.text, /404 Not Found/, path);
  }
});

t('current-user-principal is answered for the members of "/dav/" (Depth 1)', async ({ srv }) => {
  const res = await srv.request('PROPFIND', '/dav/', { user: 'alice', headers: { Depth: '1', 'Content-Type': 'application/xml' }, body: PROPFIND_CUP });
  assert.is(res.status, 207);
  assert.is(res.text.match(/<d:href>\/dav\/principals\/alice\/<\/d:href><\/d:current-user-principal>/g)?.length, 3);
});

// litmus basic delete_fragment: "DELETE /coll/#ment" deleted /coll/ because URL parsing drops the
// fragment. A request-target cannot hold "#" (RFC 9112 §3.2), so it is refused.
t('a "#" in the request URI is 400 and acts on nothing', async ({ srv }) => {
  assert.is((await srv.request('MKCOL', `${HOME}frag/`, { user: 'alice' })).status, 201);
  const res = await rawRequest(srv, 'DELETE', `${HOME}frag/#ment`);
  assert.is(res.status, 400);
  assert.is((await srv.request('PROPFIND', `${HOME}frag/`, { user: 'alice', headers: { Depth: '0' } })).status, 207, 'the collection is still there');
  assert.is((await rawRequest(srv, 'PUT', `${HOME}frag/a#b.txt`, { 'Content-Length': '0' })).status, 400);
  assert.is((await srv.request('GET', `${HOME}frag/a`, { user: 'alice' })).status, 404, 'nothing written at the truncated path');
  assert.is((await srv.request('DELETE', `${HOME}frag/`, { user: 'alice' })).status, 204);
});

t('a "#" in the Destination of COPY/MOVE is 400; %23 is an ordinary character', async ({ srv }) => {
  assert.is((await srv.request('MKCOL', `${HOME}dest/`, { user: 'alice' })).status, 201);
  assert.is((await srv.request('PUT', `${HOME}dest/src.txt`, { user: 'alice', body: 'x' })).status, 201);
  for (const method of ['COPY', 'MOVE']) {
    const res = await srv.request(method, `${HOME}dest/src.txt`, { user: 'alice', headers: { Destination: `${srv.url}${HOME}dest/copy#frag` } });
    assert.is(res.status, 400, method);
  }
  assert.is((await srv.request('GET', `${HOME}dest/copy`, { user: 'alice' })).status, 404);
  assert.is((await srv.request('GET', `${HOME}dest/src.txt`, { user: 'alice' })).status, 200, 'the source stays after a refused MOVE');
  const ok = await srv.request('COPY', `${HOME}dest/src.txt`, { user: 'alice', headers: { Destination: `${srv.url}${HOME}dest/a%23b.txt` } });
  assert.is(ok.status, 201);
  assert.is((await srv.request('GET', `${HOME}dest/a%23b.txt`, { user: 'alice' })).text, 'x');
});

// litmus props propextended sends PROPFIND without a Depth header (= infinity, RFC 4918 §10.2)
// to a non-collection; that was refused with propfind-finite-depth although a resource without
// members answers the same at every depth.
t('PROPFIND without Depth on a non-collection answers like Depth 0; on a collection it stays 403', async ({ srv }) => {
  assert.is((await srv.request('MKCOL', `${HOME}depth/`, { user: 'alice' })).status, 201);
  assert.is((await srv.request('PUT', `${HOME}depth/file.txt`, { user: 'alice', body: 'hello' })).status, 201);
  const body = '<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><foobar/><allprop/></propfind>';
  for (const depth of [undefined, 'infinity']) {
    const headers: Record<string, string> = { 'Content-Type': 'application/xml' };
    if (depth) headers.Depth = depth;
    const res = await srv.request('PROPFIND', `${HOME}depth/file.txt`, { user: 'alice', headers, body });
    assert.is(res.status, 207, `Depth ${depth ?? '(none)'}`);
    assert.is(res.text.match(/<d:response>/g)?.length, 1);
    assert.match(res.text, /<d:getcontentlength>5<\/d:getcontentlength>/);
  }
  const coll = await srv.request('PROPFIND', `${HOME}depth/`, { user: 'alice', body });
  assert.is(coll.status, 403);
  assert.match(coll.text, /propfind-finite-depth/);
});

t.run();
