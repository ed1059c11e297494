// How long `sundial copy-data` takes for a larger installation (issue 18 item 4; the figure is in
// docs/deployment.md, "Moving from SQLite to PostgreSQL"). Not a test: it prints figures.
// Seeds a SQLite data folder through the SQLite store — USERS users, each with one calendar of
// N / USERS benchmark events (scripts/bench/generate.ts, ~1 KB each) — then runs the built command
// in a child process, as an operator would, into a new schema of SUNDIAL_TEST_DATABASE_URL's
// database, checks the object count on PostgreSQL, and drops the schema.
// Usage: npm run build && SUNDIAL_TEST_DATABASE_URL=postgres://… node dist/scripts/copy-data-timing.js [N=100000] [USERS=10]
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/server.js';
import { createUserWithCalendar } from '../src/bootstrap.js';
import { calendarObjectInput } from '../src/dav/calendar-objects.js';
import { generateCalendar } from './bench/generate.js';
import { run, tempDir } from '../test/helpers/cli.js';

const N = Number(process.argv[2] ?? 100_000);
const USERS = Number(process.argv[3] ?? 10);
const base = process.env.SUNDIAL_TEST_DATABASE_URL;
if (!base) throw new Error('set SUNDIAL_TEST_DATABASE_URL (scripts/pg-test-setup.sh prints it)');

const dir = tempDir('sundial-copy-timing-');
const schema = `sundial_copytiming${process.pid}`;
const admin = new pg.Pool({ connectionString: base, max: 1 });
try {
  const store = await openStore(loadConfig({ SUNDIAL_DATA: dir }));
  const t0 = performance.now();
  let bytes = 0;
  const events = generateCalendar({ n: N, seed: 'sundial-copy' });
  for (let u = 0; u < USERS; u++) {
    const user = await createUserWithCalendar(store, { username: `user${u}`, password: 'timing password' });
    const cal = (await store.getInstance(user.id, 'personal'))!.collection;
    for (let i = u; i < N; i += USERS) {
      const ev = events[i]!;
      bytes += ev.ics.length;
      await store.putObject(cal.id, calendarObjectInput(cal, ev.name, Buffer.from(ev.ics)));
    }
  }
  await store.close();
  console.log(`seeded ${N} events of ${USERS} users (${(bytes / 1024 / 1024).toFixed(0)} MB of iCalendar, database ${(fs.statSync(`${dir}/sundial.db`).size / 1024 / 1024).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const t1 = performance.now();
  const res = await run(['copy-data', '--to', url.toString()], { env: { SUNDIAL_DATA: dir }, timeoutMs: 30 * 60_000 });
  const seconds = (performance.now() - t1) / 1000;
  process.stdout.write(res.stdout);
  if (res.code !== 0) throw new Error(`copy-data exited ${res.code}: ${res.stderr}`);
  const copied = Number((await admin.query(`SELECT count(*) AS n FROM ${schema}.objects`)).rows[0].n);
  if (copied !== N) throw new Error(`${copied} objects on PostgreSQL, ${N} expected`);
  console.log(`copy-data of ${N} objects: ${seconds.toFixed(1)} s wall clock for the command (${Math.round(N / seconds)} objects/s)`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
}
