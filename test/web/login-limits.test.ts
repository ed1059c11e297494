// Logins with a user name or password longer than any account can have (64 and 1024 characters)
// are wrong without a look and are not counted. Counted, each wrote the name into two throttle
// rows' keys: POST /api/login takes 64 KB bodies, so such failures grew the counters table about
// a thousand times faster than real guesses, and 30 of them locked the address out of every
// account it had not logged in to recently.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { apiCall } from './session.js';

let s: TestServer;
test.before(async () => {
  s = await startTestServer({ SUNDIAL_LOG_LEVEL: 'warn' });
  await s.addUser('alice');
});
test.after(async () => { await s.close(); });

test('names over 64 and passwords over 1024 characters: 401, not counted, the address not locked out', async () => {
  for (let i = 0; i < 40; i++) {
    const body = i % 2 === 0 ? { username: `${'n'.repeat(60_000)}${i}`, password: 'whatever1' } : { username: 'alice', password: 'p'.repeat(1025) };
    const res = await apiCall(s, 'POST', '/login', { body });
    assert.is(res.status, 401, `attempt ${i}: ${res.status} ${res.text}`);
    assert.is(res.json.error, 'invalid_credentials');
  }
  const wrong = await apiCall(s, 'POST', '/login', { body: { username: 'alice', password: 'wrong password' } });
  assert.is(wrong.status, 401, 'a real guess is still answered, not throttled');
  const right = await apiCall(s, 'POST', '/login', { body: { username: 'alice', password: PASSWORD } });
  assert.is(right.status, 200);
  const dav = await s.request('PROPFIND', '/dav/', { user: 'x'.repeat(5000), headers: { Depth: '0' } });
  assert.is(dav.status, 401, 'DAV Basic with a long name: 401');
});

test.run();
