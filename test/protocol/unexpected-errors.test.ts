// An unexpected failure (here: a store that throws) is logged with its stack and answered 500
// without internals; the process keeps serving the next request.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { Store } from '../../src/store/types.js';
import { basic } from '../helpers/server.js';

test('a throwing store gives 500 without internals, logged with its stack', async () => {
  const brokenStore = new Proxy({}, {
    get: () => async () => { throw new Error('disk on fire: /secret/path/sundial.db'); },
  }) as Store;
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
  const { koa } = createApp({ config: loadConfig({}), store: brokenStore, log });
  const server = http.createServer(koa.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const res = await fetch(url + '/dav/', { method: 'PROPFIND', headers: { Authorization: basic('alice') } });
    assert.is(res.status, 500);
    const body = await res.text();
    assert.not.ok(body.includes('disk on fire'), 'no internals in the answer');
    assert.not.ok(body.includes('/secret/path'));
    const logged = lines.join('');
    assert.ok(logged.includes('disk on fire'), 'the error is logged');
    assert.ok(logged.includes('"stack"'), 'with its stack');
    const again = await fetch(url + '/healthz');
    assert.is(again.status, 200, 'still serving');
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test.run();
