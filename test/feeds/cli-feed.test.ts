// `sundial feed create|list|revoke|regenerate` as an operator runs it, against a database that a
// running `sundial serve` then answers the printed URL from.
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ICAL from 'ical.js';
import { run, serve, tempDir } from '../helpers/cli.js';

const t = suite<{ dir: string; env: Record<string, string> }>('sundial feed');

t.before(async (ctx) => {
  ctx.dir = tempDir();
  ctx.env = { SUNDIAL_DATA: ctx.dir, SUNDIAL_CREATE_ADMIN: 'false' };
  const add = await run(['user', 'add', 'carol'], { env: ctx.env, input: 'carol password\n' });
  assert.is(add.code, 0, add.stderr);
});
t.after((ctx) => { fs.rmSync(ctx.dir, { recursive: true, force: true }); });

const lastLine = (s: string) => s.trim().split('\n').at(-1)!;

t('create prints the full URL on its last line, from SUNDIAL_BASE_URL or localhost:<port>', async ({ env }) => {
  const a = await run(['feed', 'create', 'carol', '--calendar', 'personal', '--details', 'busy', '--label', 'Work view'], { env: { ...env, SUNDIAL_BASE_URL: 'https://cal.example.com/' } });
  assert.is(a.code, 0, a.stderr);
  assert.match(lastLine(a.stdout), /^https:\/\/cal\.example\.com\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);
  assert.match(a.stdout, /webcal: webcal:\/\/cal\.example\.com\/feeds\//);
  const b = await run(['feed', 'create', 'carol', '--alarms', 'removed'], { env: { ...env, SUNDIAL_PORT: '9123' } });
  assert.is(b.code, 0, b.stderr);
  assert.match(lastLine(b.stdout), /^http:\/\/localhost:9123\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);
});

t('list shows the links without their tokens; revoke removes one', async ({ env }) => {
  const list = await run(['feed', 'list', 'carol'], { env });
  assert.is(list.code, 0, list.stderr);
  const rows = list.stdout.trim().split('\n');
  assert.is(rows.length, 2);
  assert.match(rows[0]!, /^\d+\tcalendar personal\tbusy only\talarms removed\tWork view\tcreated .*\tlast used never$/);
  assert.match(rows[1]!, /^\d+\tall calendars\tfull details\talarms removed\t-\t/);
  assert.not.match(list.stdout, /feeds\//);
  const id = rows[1]!.split('\t')[0]!;
  const revoke = await run(['feed', 'revoke', 'carol', id], { env });
  assert.is(revoke.code, 0, revoke.stderr);
  assert.is((await run(['feed', 'list', 'carol'], { env })).stdout.trim().split('\n').length, 1);
  assert.is((await run(['feed', 'revoke', 'carol', id], { env })).code, 2, 'already revoked');
});

t('the printed URL is served; regenerate stops the old one', async ({ env }) => {
  const made = await run(['feed', 'create', 'carol'], { env });
  const path = new URL(lastLine(made.stdout)).pathname;
  const srv = await serve(env);
  try {
    const res = await fetch(srv.url + path);
    assert.is(res.status, 200);
    const vcal = new ICAL.Component(ICAL.parse(await res.text()));
    assert.is(vcal.name, 'vcalendar');
    const id = (await run(['feed', 'list', 'carol'], { env })).stdout.trim().split('\n').at(-1)!.split('\t')[0]!;
    const again = await run(['feed', 'regenerate', 'carol', id], { env });
    assert.is(again.code, 0, again.stderr);
    assert.is((await fetch(srv.url + path)).status, 404);
    assert.is((await fetch(srv.url + new URL(lastLine(again.stdout)).pathname)).status, 200);
  } finally {
    srv.kill();
  }
});

t('bad input exits 2 with a message', async ({ env }) => {
  for (const args of [
    ['feed'], ['feed', 'create'], ['feed', 'create', 'nobody'], ['feed', 'create', 'carol', '--calendar', 'nope'],
    ['feed', 'create', 'carol', '--details', 'secret'], ['feed', 'create', 'carol', '--alarms', 'maybe'], ['feed', 'create', 'carol', '--label'],
    ['feed', 'revoke', 'carol'], ['feed', 'revoke', 'carol', 'abc'],
  ]) {
    const res = await run(args, { env });
    assert.is(res.code, 2, `${args.join(' ')}: ${res.stdout} ${res.stderr}`);
    assert.ok(res.stderr.trim().length > 0, args.join(' '));
  }
});

t.run();
