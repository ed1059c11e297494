// `sundial serve` as a process: first start on an empty data directory (admin password printed
// once, on stderr, never in the JSON log), logging in with it, restarting, graceful shutdown on
// SIGTERM with a request in flight, and the database left clean.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { BIN, printedPassword, serve, tempDir, type ServeProcess } from '../helpers/cli.js';

const t = suite<{ dir: string; password: string }>('sundial serve');

t.before((ctx) => {
  ctx.dir = tempDir('sundial-serve-');
  ctx.password = '';
});
t.after((ctx) => { fs.rmSync(ctx.dir, { recursive: true, force: true }); });

function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

async function propfind(url: string, auth: string, depth: '0' | '1'): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'PROPFIND',
    headers: { Authorization: auth, Depth: depth, 'Content-Type': 'application/xml; charset=utf-8' },
    body: '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:displayname/><d:resourcetype/></d:prop></d:propfind>',
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}

async function stop(srv: ServeProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  srv.child.kill('SIGTERM');
  return srv.exited(15_000);
}

t('first start on an empty directory prints the admin password once, on stderr; it logs in and has "Personal"', async (ctx) => {
  const srv = await serve({ SUNDIAL_DATA: ctx.dir });
  try {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(srv.port > 0, 'port 0 picked a free port, announced in the log');
    const password = printedPassword(srv.stderr());
    assert.ok(password, `a password on stderr:\n${srv.stderr()}`);
    assert.ok(password!.length >= 16);
    ctx.password = password!;

    const root = await propfind(srv.url + '/dav/', basic('admin', password!), '0');
    assert.is(root.status, 207, root.text);
    const wrong = await propfind(srv.url + '/dav/', basic('admin', password + 'x'), '0');
    assert.is(wrong.status, 401);

    const home = await propfind(srv.url + '/dav/calendars/admin/', basic('admin', password!), '1');
    assert.is(home.status, 207, home.text);
    assert.match(home.text, /<(\w+:)?displayname>Personal<\/(\w+:)?displayname>/);
    assert.match(home.text, /<(\w+:)?href>\/dav\/calendars\/admin\/[^<]+\/<\/(\w+:)?href>/, 'a calendar below the home');

    const code = await stop(srv);
    assert.equal(code, { code: 0, signal: null });
    assert.not.ok(srv.stdout().includes(password!), 'the password is not in the structured log');
    const lines = srv.logLines();
    assert.ok(lines.length >= 3, 'stdout is JSON lines');
    assert.ok(lines.some((l) => l.msg === 'created the first user'));
    assert.ok(lines.some((l) => l.msg === 'request' && l.status === 207 && typeof l.reqId === 'string'));
    assert.ok(lines.some((l) => l.msg === 'stopped'));
  } finally {
    srv.kill();
  }
});

t('a restart on the same directory prints no new password; the first one still works', async (ctx) => {
  assert.ok(ctx.password, 'needs the first test');
  const srv = await serve({ SUNDIAL_DATA: ctx.dir });
  try {
    assert.is(printedPassword(srv.stderr()), null);
    assert.not.match(srv.stderr(), /password/i);
    assert.not.ok(srv.logLines().some((l) => l.msg === 'created the first user'));
    assert.is((await propfind(srv.url + '/dav/', basic('admin', ctx.password), '0')).status, 207);
    assert.equal(await stop(srv), { code: 0, signal: null });
  } finally {
    srv.kill();
  }
});

t('bin/sundial.js executed itself (as npm start and systemd do) runs Node with its memory settings and serves', async () => {
  // The first line of bin/sundial.js picks V8 flags and a glibc setting (docs/performance.md);
  // a flag Node rejects, or a line the kernel cannot run, would stop the server from starting.
  const first = fs.readFileSync(BIN, 'utf8').split('\n', 1)[0]!;
  assert.ok(first.length < 128, 'within the 128-byte shebang limit of older Linux kernels');
  const dir = tempDir('sundial-serve-');
  try {
    const srv = await serve({ SUNDIAL_DATA: dir }, 20_000, true);
    try {
      const argv = fs.readFileSync(`/proc/${srv.child.pid}/cmdline`, 'utf8').split('\0');
      assert.ok(argv.includes('--max-semi-space-size=2') && argv.includes('--heap-growing-percent=30'), argv.join(' '));
      const environ = fs.readFileSync(`/proc/${srv.child.pid}/environ`, 'utf8').split('\0');
      assert.ok(environ.includes('MALLOC_MMAP_THRESHOLD_=131072'));
      const res = await propfind(srv.url + '/dav/', basic('admin', printedPassword(srv.stderr())!), '0');
      assert.is(res.status, 207, res.text);
      assert.equal(await stop(srv), { code: 0, signal: null });
    } finally {
      srv.kill();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('SUNDIAL_CREATE_ADMIN=false on an empty directory creates nobody', async () => {
  const dir = tempDir('sundial-serve-');
  try {
    const srv = await serve({ SUNDIAL_DATA: dir, SUNDIAL_CREATE_ADMIN: 'false' });
    try {
      assert.is(printedPassword(srv.stderr()), null);
      assert.equal(await stop(srv), { code: 0, signal: null });
    } finally {
      srv.kill();
    }
    const store = await openSqliteStore({ path: path.join(dir, 'sundial.db') });
    try {
      assert.is(await store.countUsers(), 0);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Sends PROPFIND with the given body in two halves; calls `between` after the first half. */
function slowPropfind(url: string, auth: string, agent: http.Agent, between: () => Promise<void>): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  const body = Buffer.from(
    '<?xml version="1.0" encoding="utf-8"?>\n<d:propfind xmlns:d="DAV:"><d:prop><d:displayname/><d:resourcetype/><d:current-user-principal/></d:prop></d:propfind>\n',
  );
  const half = Math.floor(body.length / 2);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'PROPFIND',
      agent,
      headers: { Authorization: auth, Depth: '0', 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': String(body.length) },
      timeout: 20_000,
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      res.on('error', reject);
    });
    req.write(body.subarray(0, half));
    req.flushHeaders();
    between().then(() => req.end(body.subarray(half)), (err) => { req.destroy(); reject(err); });
  });
}

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

/** The "shutting down" line is logged just before server.close(): allow the child a moment. */
async function refusedWithin(port: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await connectRefused(port)) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const keepAlive of [false, true]) {
  t(`SIGTERM with a request in flight (keep-alive ${keepAlive}): the request completes with 207, new connections are refused, exit 0 promptly, "stopped" logged`, async (ctx) => {
    assert.ok(ctx.password, 'needs the first test');
    // A long shutdown timeout: the test fails (rather than passing by the timeout) if the server
    // waits for the keep-alive connection to time out.
    const srv = await serve({ SUNDIAL_DATA: ctx.dir, SUNDIAL_SHUTDOWN_TIMEOUT_SECONDS: '60' });
    const agent = new http.Agent({ keepAlive });
    try {
      let signalledAt = 0;
      const res = await slowPropfind(srv.url + '/dav/', basic('admin', ctx.password), agent, async () => {
        // Give the server time to receive the headers and start the request, then ask it to stop.
        await new Promise((r) => setTimeout(r, 200));
        signalledAt = Date.now();
        srv.child.kill('SIGTERM');
        await srv.waitForLog('shutting down: finishing in-flight requests', 10_000);
        assert.ok(await refusedWithin(srv.port, 2_000), 'the listening socket is closed once shutdown begins');
      });
      assert.is(res.status, 207, res.text);
      assert.match(res.text, /multistatus/);
      const exit = await srv.exited(15_000);
      assert.equal(exit, { code: 0, signal: null });
      const took = Date.now() - signalledAt;
      // Well below Node's 5 s keep-alive timeout: stop() closes a keep-alive connection as soon
      // as its last response is finished.
      const limit = 4_000;
      assert.ok(took < limit, `exited ${took} ms after SIGTERM (limit ${limit} ms)`);
      const msgs = srv.logLines().map((l) => l.msg);
      assert.ok(msgs.includes('signal received'));
      assert.ok(msgs.includes('stopped'), msgs.join(', '));
      assert.ok(msgs.includes('request'));
      assert.ok(msgs.indexOf('request') < msgs.indexOf('stopped'), 'the in-flight request was logged before "stopped"');
    } finally {
      agent.destroy();
      srv.kill();
    }
  });
}

t('after shutdown the database is clean: WAL checkpointed, integrity ok, journal_mode wal, readable by the store', async (ctx) => {
  const file = path.join(ctx.dir, 'sundial.db');
  assert.ok(fs.existsSync(file));
  // The last connection to close checkpoints the WAL and removes -wal and -shm.
  const wal = file + '-wal';
  assert.ok(!fs.existsSync(wal) || fs.statSync(wal).size === 0, 'no uncheckpointed WAL left behind');
  const db = new Database(file, { readonly: true });
  try {
    assert.is(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.is(db.pragma('journal_mode', { simple: true }), 'wal', 'WAL mode is persistent in the file');
  } finally {
    db.close();
  }
  const store = await openSqliteStore({ path: file });
  try {
    const users = await store.listUsers();
    assert.equal(users.map((u) => u.username), ['admin']);
    assert.is(users[0]!.isAdmin, true);
  } finally {
    await store.close();
  }
});

t.run();
