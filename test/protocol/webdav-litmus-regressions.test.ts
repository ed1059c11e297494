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

// A refused COPY/MOVE used to delete an existing destination before the refusing check ran.
t('a COPY of a collection refused for its Depth leaves the existing destination alone', async ({ srv }) => {
  assert.is((await srv.request('MKCOL', `${HOME}keep-src/`, { user: 'alice' })).status, 201);
  assert.is((await srv.request('MKCOL', `${HOME}keep-dst/`, { user: 'alice' })).status, 201);
  assert.is((await srv.request('PUT', `${HOME}keep-dst/precious.txt`, { user: 'alice', body: 'precious' })).status, 201);
  const res = await srv.request('COPY', `${HOME}keep-src/`, { user: 'alice', headers: { Destination: `${srv.url}${HOME}keep-dst/`, Depth: '1', Overwrite: 'T' } });
  assert.is(res.status, 400);
  assert.is((await srv.request('GET', `${HOME}keep-dst/precious.txt`, { user: 'alice' })).text, 'precious');
});

t('a sharee\'s refused MOVE of a shared calendar onto their own calendar deletes nothing', async ({ srv }) => {
  await srv.addUser('bob');
  const alice = (await srv.store.getUser('alice'))!;
  const bob = (await srv.store.getUser('bob'))!;
  const shared = await srv.store.share((await srv.store.getInstance(alice.id, 'personal'))!.collection.id, bob.id, 'read-write');
  const ics = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:bob-own\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240102T100000Z\r\nSUMMARY:Bob\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
  assert.is((await srv.request('PUT', '/dav/calendars/bob/personal/own.ics', { user: 'bob', headers: { 'Content-Type': 'text/calendar' }, body: ics })).status, 201);
  const res = await srv.request('MOVE', `/dav/calendars/bob/${shared.uri}/`, { user: 'bob', headers: { Destination: `${srv.url}/dav/calendars/bob/personal/`, Overwrite: 'T' } });
  assert.is(res.status, 403);
  assert.is((await srv.request('GET', '/dav/calendars/bob/personal/own.ics', { user: 'bob' })).status, 200, 'bob\'s calendar survived');
  assert.is((await srv.request('PROPFIND', `/dav/calendars/bob/${shared.uri}/`, { user: 'bob', headers: { Depth: '0' } })).status, 207, 'the share is still there');
});

// Paths below a principal were "Malformed" (400); as a Destination that read as a bad request.
t('paths below a principal: 404 for one\'s own and for another\'s (principals are the directory, issue 15), 409 as a Destination', async ({ srv }) => {
  await srv.addUser('carol');
  assert.is((await srv.request('PROPFIND', '/dav/principals/alice/x.ics', { user: 'alice', headers: { Depth: '0' } })).status, 404);
  assert.is((await srv.request('GET', '/dav/principals/carol/x.ics', { user: 'alice' })).status, 404);
  assert.is((await srv.request('MKCOL', `${HOME}pdest/`, { user: 'alice' })).status, 201);
  assert.is((await srv.request('PUT', `${HOME}pdest/a.txt`, { user: 'alice', body: 'a' })).status, 201);
  const own = await srv.request('COPY', `${HOME}pdest/a.txt`, { user: 'alice', headers: { Destination: `${srv.url}/dav/principals/alice/a.txt` } });
  assert.is(own.status, 409);
  const other = await srv.request('MOVE', `${HOME}pdest/a.txt`, { user: 'alice', headers: { Destination: `${srv.url}/dav/principals/carol/a.txt` } });
  assert.is(other.status, 409, 'below another user\'s principal as below one\'s own: no parent collection');
  assert.is((await srv.request('GET', `${HOME}pdest/a.txt`, { user: 'alice' })).text, 'a');
});

// Koa turned the status of every refused HEAD into 204, which tells a client the resource exists.
t('HEAD keeps the status of an error: 404 for a missing object, 403 for another user\'s home', async ({ srv }) => {
  const missing = await srv.request('HEAD', `${HOME}personal/nothing-here.ics`, { user: 'alice' });
  assert.is(missing.status, 404);
  assert.is(missing.text, '');
  await srv.addUser('dave');
  assert.is((await srv.request('HEAD', '/dav/calendars/dave/personal/', { user: 'alice' })).status, 403);
  assert.is((await srv.request('HEAD', `${HOME}personal/`, { user: 'alice' })).status, 200);
});

t('a Destination that is not a URI is 400, not 502 "another server"', async ({ srv }) => {
  assert.is((await srv.request('MKCOL', `${HOME}baddest/`, { user: 'alice' })).status, 201);
  assert.is((await srv.request('PUT', `${HOME}baddest/a.txt`, { user: 'alice', body: 'a' })).status, 201);
  assert.is((await srv.request('COPY', `${HOME}baddest/a.txt`, { user: 'alice', headers: { Destination: 'http://[::1' } })).status, 400);
  assert.is((await srv.request('COPY', `${HOME}baddest/a.txt`, { user: 'alice', headers: { Destination: 'http://elsewhere.example/x' } })).status, 502);
});

// An If-Match left without a strong tag became an empty list, which the store read as "no
// condition": the PUT or DELETE went through.
t('If-Match with only weak or unparsable tags is 412 and writes nothing', async ({ srv }) => {
  assert.is((await srv.request('MKCOL', `${HOME}ifm/`, { user: 'alice' })).status, 201);
  const put = await srv.request('PUT', `${HOME}ifm/a.txt`, { user: 'alice', body: 'one' });
  const etag = put.headers.get('etag')!;
  for (const ifMatch of [`W/${etag}`, 'garbage']) {
    assert.is((await srv.request('PUT', `${HOME}ifm/a.txt`, { user: 'alice', headers: { 'If-Match': ifMatch }, body: 'two' })).status, 412, ifMatch);
    assert.is((await srv.request('DELETE', `${HOME}ifm/a.txt`, { user: 'alice', headers: { 'If-Match': ifMatch } })).status, 412, ifMatch);
  }
  assert.is((await srv.request('GET', `${HOME}ifm/a.txt`, { user: 'alice' })).text, 'one');
  assert.is((await srv.request('PUT', `${HOME}ifm/a.txt`, { user: 'alice', headers: { 'If-Match': etag }, body: 'two' })).status, 204);
});

// DAV:getetag is computed for objects only; on a collection a PROPPATCH of it was stored as a
// dead property (and then reported as if it were the collection's ETag).
t('PROPPATCH of a protected live property where it is not computed is 403, not a dead property', async ({ srv }) => {
  assert.is((await srv.request('MKCOL', `${HOME}prot/`, { user: 'alice' })).status, 201);
  const body = '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getetag>"forged"</d:getetag></d:prop></d:set></d:propertyupdate>';
  for (const path of [`${HOME}prot/`, `${HOME}personal/`]) {
    const res = await srv.request('PROPPATCH', path, { user: 'alice', headers: { 'Content-Type': 'application/xml' }, body });
    assert.is(res.status, 207, path);
    assert.match(res.text, /HTTP\/1.1 403/, path);
    assert.match(res.text, /cannot-modify-protected-property/, path);
    const pf = await srv.request('PROPFIND', path, { user: 'alice', headers: { Depth: '0' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>' });
    assert.not.match(pf.text, /forged/, path);
  }
});

t.run();
