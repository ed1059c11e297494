// `sundial device add|list|select|revoke|policy` as an operator runs them, in a child process
// beside a running server (issue 16): the app password printed alone on the last line logs in to
// DAV at once, a selection made by the CLI is what the device's home lists, revoke ends access.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { run, type RunResult } from '../helpers/cli.js';
import { D, XML_HEADERS, parseMultistatus, propfindBody } from '../helpers/dav.js';
import { login } from '../web/session.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  env: Record<string, string>;
  password: string;
}

const HOME = '/dav/calendars/alice/';
const AB_HOME = '/dav/addressbooks/alice/';
const lines = (r: RunResult) => r.stdout.split('\n').filter(Boolean);

async function ok(args: string[], env: Record<string, string>): Promise<RunResult> {
  const res = await run(args, { env });
  assert.is(res.code, 0, `sundial ${args.join(' ')} → ${res.code}\n${res.stdout}\n${res.stderr}`);
  return res;
}

async function listed(srv: TestServer, password: string, home = HOME): Promise<string[] | number> {
  const res = await srv.request('PROPFIND', home, { user: 'alice', password, headers: { ...XML_HEADERS, Depth: '1' }, body: propfindBody([D('resourcetype')]) });
  if (res.status !== 207) return res.status;
  return parseMultistatus(res.text).responses.map((r) => r.href).filter((h) => h !== home).sort();
}

const t = suite<Ctx>('sundial device');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  ctx.env = { SUNDIAL_DATA: ctx.srv.dataDir };
  await ctx.srv.addUser('alice');
  const alice = await login(ctx.srv, 'alice');
  await alice.ok('POST', '/calendars', { displayName: 'Work' });
  // An address book named like a calendar: --addressbook names it in the address-book home.
  await alice.ok('POST', '/addressbooks', { displayName: 'Work' });
});
t.after(async (ctx) => { await ctx.srv?.close(); });

t('device add prints the app password alone on its last line; it logs in to DAV at once', async (ctx) => {
  const res = await ok(['device', 'add', 'alice', 'My', 'Phone'], ctx.env);
  const out = lines(res);
  ctx.password = out[out.length - 1]!;
  assert.match(ctx.password, /^[a-z2-7]{4}(-[a-z2-7]{1,4}){12}$/);
  assert.match(res.stdout, /created device "My Phone"/);
  // The first request records the client (later ones within the minute write nothing).
  assert.is((await ctx.srv.request('PROPFIND', HOME, { user: 'alice', password: ctx.password, headers: { Depth: '0', 'User-Agent': 'Thunderbird/128' } })).status, 207);
  assert.equal(await listed(ctx.srv, ctx.password), ['/dav/calendars/alice/personal/', '/dav/calendars/alice/work/']);
});

t('device list shows name, creation, last use and client, and what it syncs', async ({ env, password }) => {
  const res = await ok(['device', 'list', 'alice'], env);
  const [row] = lines(res).map((l) => l.split('\t'));
  assert.is(row![1], 'My Phone');
  assert.match(row![2]!, /^created 20\d\d-/);
  assert.match(row![3]!, /^last used 20\d\d-/);
  assert.is(row![4], 'Thunderbird/128');
  assert.is(row![5], 'follows switches');
  assert.not.ok(res.stdout.includes(password.slice(0, 9)), 'never the password');
});

t('device select <calendar>… and --follow change what the device lists', async ({ env, srv, password }) => {
  const sel = await ok(['device', 'select', 'alice', 'My Phone', 'work'], env);
  assert.match(sel.stdout, /lists calendars: work; address books: \(none\)/);
  assert.equal(await listed(srv, password, AB_HOME), [], 'no --addressbook: no address book');
  assert.equal(await listed(srv, password), ['/dav/calendars/alice/work/']);
  assert.equal(await listed(srv, 'correct horse battery'), ['/dav/calendars/alice/personal/', '/dav/calendars/alice/work/'], 'the account password: the switches');
  await ok(['device', 'select', 'alice', 'My Phone', '--follow'], env);
  assert.equal(await listed(srv, password), ['/dav/calendars/alice/personal/', '/dav/calendars/alice/work/']);
  for (const bad of [['device', 'select', 'alice', 'My Phone'], ['device', 'select', 'alice', 'My Phone', '--follow', 'work'], ['device', 'select', 'alice', 'My Phone', 'nope'], ['device', 'select', 'alice', 'Nope', '--follow']]) {
    const r = await run(bad, { env });
    assert.is(r.code, 2, `${bad.join(' ')}: ${r.stdout} ${r.stderr}`);
  }
});

t('device select --addressbook picks address books (in their own home); device list shows both', async ({ env, srv, password }) => {
  const sel = await ok(['device', 'select', 'alice', 'My Phone', 'personal', '--addressbook', 'work'], env);
  assert.match(sel.stdout, /lists calendars: personal; address books: work/);
  assert.equal(await listed(srv, password), ['/dav/calendars/alice/personal/']);
  assert.equal(await listed(srv, password, AB_HOME), ['/dav/addressbooks/alice/work/']);
  assert.is(lines(await ok(['device', 'list', 'alice'], env))[0]!.split('\t')[5], 'calendars: personal; address books: work');
  // Address books only (repeatable, also as --addressbook=uri): the calendar home lists nothing.
  await ok(['device', 'select', 'alice', 'My Phone', '--addressbook=contacts', '--addressbook', 'work'], env);
  assert.equal(await listed(srv, password), []);
  assert.equal(await listed(srv, password, AB_HOME), ['/dav/addressbooks/alice/contacts/', '/dav/addressbooks/alice/work/']);
  assert.is(lines(await ok(['device', 'list', 'alice'], env))[0]!.split('\t')[5], 'calendars: (none); address books: contacts, work');
  for (const [bad, says] of [
    [['device', 'select', 'alice', 'My Phone', '--addressbook', 'nope'], /no address book "nope"/],
    [['device', 'select', 'alice', 'My Phone', 'contacts'], /no calendar "contacts"/],
    [['device', 'select', 'alice', 'My Phone', '--follow', '--addressbook', 'work'], /Usage/],
    [['device', 'select', 'alice', 'My Phone', 'work', '--addressbook'], /--addressbook needs a value/],
    [['device', 'list', 'alice', '--addressbook', 'work'], /Usage/],
  ] as const) {
    const r = await run([...bad], { env });
    assert.is(r.code, 2, `${bad.join(' ')}: ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr + r.stdout, says, bad.join(' '));
  }
  assert.equal(await listed(srv, password, AB_HOME), ['/dav/addressbooks/alice/contacts/', '/dav/addressbooks/alice/work/'], 'errors change nothing');
  await ok(['device', 'select', 'alice', 'My Phone', '--follow'], env);
  assert.equal(await listed(srv, password, AB_HOME), ['/dav/addressbooks/alice/contacts/', '/dav/addressbooks/alice/work/']);
  assert.is(lines(await ok(['device', 'list', 'alice'], env))[0]!.split('\t')[5], 'follows switches');
});

t('device policy shows and sets "devices must use app passwords"', async ({ env, srv }) => {
  assert.match((await ok(['device', 'policy', 'alice'], env)).stdout, /off \(server default\)/);
  assert.match((await ok(['device', 'policy', 'alice', 'on'], env)).stdout, /: on$/m);
  assert.is(await listed(srv, 'correct horse battery'), 401);
  await ok(['device', 'policy', 'alice', 'default'], env);
  assert.ok(Array.isArray(await listed(srv, 'correct horse battery')));
});

t('device revoke ends access; --help explains the command', async ({ env, srv, password }) => {
  await ok(['device', 'revoke', 'alice', 'My Phone'], env);
  assert.is(await listed(srv, password), 401);
  assert.is(lines(await ok(['device', 'list', 'alice'], env)).length, 0);
  const help = await ok(['device', '--help'], env);
  assert.match(help.stdout, /sundial device add <user> <name>/);
  assert.match(help.stdout, /--addressbook <addressbook>/);
  const none = await run(['device'], { env });
  assert.is(none.code, 2);
});

t.run();
