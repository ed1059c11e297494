// A password change from anywhere ends every web session of the user (issue 11 item 9):
// `sundial user passwd` in another process (it deletes the user's sessions from the database,
// and the credential version ends any session opened under the old password), an administrator's
// reset in the API, and the user's own change in the page (which keeps only the session that
// made it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { run } from '../helpers/cli.js';
import { login } from '../web/session.js';

const NEW_PW = 'a brand new password';
let s: TestServer;
test.before.each(async () => {
  s = await startTestServer();
  await s.addUser('admin', undefined, true);
  await s.addUser('alice');
});
test.after.each(async () => { await s.close(); });

test('sundial user passwd (another process) ends the running server\'s web sessions of that user', async () => {
  const a1 = await login(s, 'alice');
  const a2 = await login(s, 'alice');
  const admin = await login(s, 'admin');
  assert.is((await a1.call('GET', '/me')).status, 200);
  const res = await run(['user', 'passwd', 'alice'], { env: s.cliEnv, input: `${NEW_PW}\n` });
  assert.is(res.code, 0, res.stderr);
  assert.is((await a1.call('GET', '/me')).status, 401, 'first session ended');
  assert.is((await a2.call('GET', '/me')).status, 401, 'second session ended');
  assert.is((await a1.call('GET', '/me')).status, 401, 'and stays ended');
  assert.is((await admin.call('GET', '/me')).status, 200, 'other users keep theirs');
  const again = await login(s, 'alice', NEW_PW);
  assert.is((await again.call('GET', '/me')).status, 200, 'a new login works');
});

test('an administrator\'s reset in the API ends the user\'s sessions', async () => {
  const a1 = await login(s, 'alice');
  const admin = await login(s, 'admin');
  assert.is((await admin.call('POST', '/users/alice/password', { password: NEW_PW })).status < 300, true);
  assert.is((await a1.call('GET', '/me')).status, 401);
  assert.is((await admin.call('GET', '/me')).status, 200);
});

test('the user\'s own change keeps the session that made it and ends the others, also after a later CLI reset', async () => {
  const a1 = await login(s, 'alice');
  const a2 = await login(s, 'alice');
  const r = await a1.call('POST', '/password', { current: 'correct horse battery', password: NEW_PW });
  assert.is(r.status, 204, r.text);
  assert.is((await a1.call('GET', '/me')).status, 200, 'the changing session stays');
  assert.is((await a2.call('GET', '/me')).status, 401, 'the other one ends');
  const res = await run(['user', 'passwd', 'alice'], { env: s.cliEnv, input: 'yet another password\n' });
  assert.is(res.code, 0, res.stderr);
  assert.is((await a1.call('GET', '/me')).status, 401, 'the kept session ends at the next change');
});

test.run();
