// The data folder (issue 11 Low): a second server on a folder a running server holds refuses to
// start with one sentence (the claim is an exclusive SQLite lock on sundial.lock, dropped by the
// kernel when the holder dies), while CLI commands keep working beside the server; a read-only
// data folder is one sentence and exit code 1, not a stack trace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startTestServer } from '../helpers/server.js';
import { run, serve, tempDir } from '../helpers/cli.js';

test('a second server on the same data folder refuses to start; the CLI still works; the folder is free after stop', async () => {
  const s = await startTestServer();
  try {
    await s.addUser('alice');
    const second = await run(['serve'], { env: { SUNDIAL_DATA: s.dataDir, SUNDIAL_PORT: '0', SUNDIAL_HOST: '127.0.0.1' }, timeoutMs: 20_000 });
    assert.is(second.code, 1, `exit code (stderr: ${second.stderr})`);
    assert.equal(second.stderr.trim().split('\n').length, 1, `one line: ${second.stderr}`);
    assert.match(second.stderr, /Another Sundial server is already running with the data folder/);
    assert.not.match(second.stderr, /\bat \S+\.js/, 'no stack trace');
    const list = await run(['user', 'list'], { env: { SUNDIAL_DATA: s.dataDir } });
    assert.is(list.code, 0, list.stderr);
    assert.match(list.stdout, /alice/);
    assert.is((await s.request('GET', '/healthz')).status, 200, 'the first server is unaffected');
  } finally {
    await s.stop();
  }
  // After a clean stop the folder can be claimed again (by a child process: locks are per
  // process), and after that one is killed with SIGKILL, again: no stale lock.
  try {
    const first = await serve({ SUNDIAL_DATA: s.dataDir, SUNDIAL_CREATE_ADMIN: 'false' });
    first.kill();
    await first.exited();
    const again = await serve({ SUNDIAL_DATA: s.dataDir, SUNDIAL_CREATE_ADMIN: 'false' });
    again.kill();
    await again.exited();
  } finally {
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
});

/** A read-only folder: a read-only tmpfs mount when running as root (root ignores modes), else mode 0555. */
function readOnlyFolder(): { dir: string; cleanup: () => void } | null {
  const base = tempDir('sundial-ro-');
  if (process.getuid?.() !== 0) {
    fs.chmodSync(base, 0o555);
    return { dir: base, cleanup: () => { fs.chmodSync(base, 0o755); fs.rmSync(base, { recursive: true, force: true }); } };
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', base], { stdio: 'ignore' });
  } catch {
    fs.rmSync(base, { recursive: true, force: true });
    return null;
  }
  return { dir: base, cleanup: () => { execFileSync('umount', [base], { stdio: 'ignore' }); fs.rmSync(base, { recursive: true, force: true }); } };
}

test('a read-only data folder: one sentence and exit code 1', async () => {
  const ro = readOnlyFolder();
  if (!ro) {
    console.log('read-only data folder: no way to make one here (root without mount rights); not checked');
    return;
  }
  try {
    for (const dir of [ro.dir, path.join(ro.dir, 'sub')]) {
      const res = await run(['serve'], { env: { SUNDIAL_DATA: dir, SUNDIAL_PORT: '0', SUNDIAL_HOST: '127.0.0.1' }, timeoutMs: 20_000 });
      assert.is(res.code, 1, `exit code (stderr: ${res.stderr})`);
      assert.equal(res.stderr.trim().split('\n').length, 1, `one line: ${res.stderr}`);
      assert.match(res.stderr, /Sundial cannot write to its data folder/);
    }
  } finally {
    ro.cleanup();
  }
});

test.run();
