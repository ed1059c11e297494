// The plain "Open http://…/" line of `sundial serve` (issue 12 item 11): on stderr with the first
// start's password, never only inside the JSON log; and what it says for --host and --base-url.
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openLine } from '../../src/cli/open-line.js';
import { printedPassword, serve, tempDir } from '../helpers/cli.js';

const t = suite('sundial serve: the "Open …" line');

t('on loopback it names the local URL and how to let phones in', () => {
  const line = openLine('http://localhost:8008', 'localhost', null, () => ['192.168.1.5']);
  assert.match(line, /^Open http:\/\/localhost:8008\/ in a browser/);
  assert.match(line, /--host 0\.0\.0\.0/);
  assert.not.match(line, /192\.168/, 'not reachable from the LAN, so no LAN address');
  assert.not.match(line, /\n/, 'one line');
});

t('on every interface it adds this machine\'s LAN addresses, with the scheme and port', () => {
  const line = openLine('https://localhost:8443', '0.0.0.0', null, () => ['192.168.1.5', '10.0.0.2']);
  assert.match(line, /^Open https:\/\/localhost:8443\/ in a browser/);
  assert.match(line, /https:\/\/192\.168\.1\.5:8443\/ or https:\/\/10\.0\.0\.2:8443\//);
  assert.not.match(line, /--host/);
  assert.match(openLine('http://localhost:8008', '0.0.0.0', null, () => []), /^Open http:\/\/localhost:8008\/ in a browser[^;]*\.$/);
});

t('behind a proxy (--base-url) it names the public address', () => {
  assert.match(openLine('http://127.0.0.1:8008', '127.0.0.1', 'https://cal.example.com/'), /^Open https:\/\/cal\.example\.com\/ in a browser \(Sundial listens at http:\/\/127\.0\.0\.1:8008\/\)/);
});

t('the first start prints the password and then the Open line on stderr, in plain text', async () => {
  const dir = tempDir('sundial-open-');
  const srv = await serve({ SUNDIAL_DATA: dir });
  try {
    const expected = `Open ${srv.url}/ in a browser`;
    for (let i = 0; i < 100 && !srv.stderr().includes(expected); i++) await new Promise((r) => setTimeout(r, 50));
    const stderr = srv.stderr();
    assert.ok(printedPassword(stderr), stderr);
    const lines = stderr.split('\n');
    const open = lines.findIndex((l) => l.startsWith(expected));
    assert.ok(open >= 0, `an "${expected}" line on stderr:\n${stderr}`);
    assert.ok(open > lines.findIndex((l) => l.includes('the password')), 'after the password');
    assert.not.ok(srv.stdout().includes('Open http'), 'not in the JSON log');
  } finally {
    srv.child.kill('SIGTERM');
    await srv.exited(15_000).catch(() => srv.kill());
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
