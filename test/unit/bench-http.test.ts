// The bench's client (scripts/bench/http.ts): a request written on a kept-alive socket that the
// server has just closed is retried once on a new connection, as real clients do; a failure on a
// fresh connection is not retried.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DavClient } from '../../scripts/bench/http.js';

/** Answers the first request of each connection; the second one on a connection is cut (a stale keep-alive socket). */
async function server(cutFresh = false): Promise<{ url: string; seen: () => number; close: () => Promise<void> }> {
  let seen = 0;
  const perSocket = new WeakMap<object, number>();
  const srv = http.createServer((req, res) => {
    seen++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1 || cutFresh) {
      req.socket.destroy();
      return;
    }
    res.end('ok');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, seen: () => seen, close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(() => r()); }) };
}

test('a request on a reused socket that the server cut is sent again on a new one', async () => {
  const s = await server();
  const c = new DavClient(s.url, 'u', 'p', 1);
  try {
    assert.is((await c.request({ method: 'GET', url: '/' })).body, 'ok');
    const again = await c.request({ method: 'GET', url: '/' });
    assert.is(again.status, 200);
    assert.is(again.body, 'ok');
    assert.is(s.seen(), 3, 'the cut request, then its retry');
  } finally {
    c.close();
    await s.close();
  }
});

test('a failure on a fresh connection is not retried', async () => {
  const s = await server(true);
  const c = new DavClient(s.url, 'u', 'p', 1);
  try {
    const err = await c.request({ method: 'GET', url: '/' }).then(() => null, (e: Error) => e);
    assert.ok(err, 'the request fails');
    assert.is(s.seen(), 1);
  } finally {
    c.close();
    await s.close();
  }
});

test.run();
