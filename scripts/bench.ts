// npm run bench -- [options]   (issue 7: a CalDAV benchmark against Sundial and its peers)
//
//   --server sundial|radicale|xandikos|all   start the server(s) on loopback and benchmark them
//   --url URL --user U --password P           or benchmark an existing (empty) calendar collection
//   --n N             events in the generated calendar (default 1000)
//   --peer-n N        events for Radicale/Xandikos (default: min(N, 1000)); with --server all and a
//                     smaller peer N, Sundial is also run at that N so ratios compare equal sizes
//   --json FILE       write every figure, the notes and per-phase CPU to FILE
//   --cpu-prof        run Sundial under `node --cpu-prof` and print the .cpuprofile path (implies --keep)
//   --node-args "…"   extra Node/V8 flags for Sundial's process (e.g. "--max-semi-space-size=8"),
//                     for measuring flags; space-separated
//   --month YYYY-MM   the month of the time-range queries (default 2026-03)
//   --seed S          generator seed (default "sundial-bench")
//   --poll-seconds S  (10)  --get-seconds S (5)  --repeat-budget S (15: repeats of latency phases)
//   --variants REGEX  run only the client variants whose name matches (default: all; see
//                     scripts/bench/variants.ts and `--list-variants`)
//   --clean           delete the members of a non-empty --url calendar first
//   --keep            keep the servers' temp directories
//   --addressbook     the address-book run instead (issue 14 item 7): --n cards into Sundial's
//                     default address book (or --url of an empty one), the CardDAV clients'
//                     variants (scripts/bench/addressbook-variants.ts); --term T the query's text
//   --auth account|device  Sundial only: log in with the account password (default) or with a
//                     device's app password made by `sundial device add` (issue 16)
//   --store sqlite|postgres|sqlite,postgres  Sundial's store (default sqlite); several: one run each,
//                     side by side with the issue-18 targets (scripts/bench/stores.ts)
//   --processes 1,2   Sundial processes over one PostgreSQL database (default 1), requests
//                     round-robin across them; one run per count
//   --database-url URL  the PostgreSQL server for --store postgres (or SUNDIAL_BENCH_DATABASE_URL);
//                     each run creates a schema of its own there and drops it
// See docs/performance.md.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { expectedInRange, type Expected } from './bench/expected.js';
import { generateCalendar } from './bench/generate.js';
import { sampleProcess } from './bench/proc.js';
import { renderStoreComparison, renderTable, renderVariantTable, slowestVariants, type LabelledRun } from './bench/report.js';
import { installed, startServer, type ServerName } from './bench/servers.js';
import { benchDatabaseUrl, parseProcesses, parseStores, startSundial, storeLabel, storePlan, type StoreSetup } from './bench/stores.js';
import { rangeOf, TARGETS, VARIANTS, type RangeKind } from './bench/variants.js';
import { runWorkload } from './bench/workload.js';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string' },
    user: { type: 'string', default: 'bench' },
    password: { type: 'string', default: 'pw12345678' },
    n: { type: 'string', default: '1000' },
    'peer-n': { type: 'string' },
    server: { type: 'string' },
    json: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'node-args': { type: 'string', default: '' },
    month: { type: 'string', default: '2026-03' },
    seed: { type: 'string', default: 'sundial-bench' },
    'poll-seconds': { type: 'string', default: '10' },
    'get-seconds': { type: 'string', default: '5' },
    'repeat-budget': { type: 'string', default: '15' },
    variants: { type: 'string' },
    'list-variants': { type: 'boolean', default: false },
    clean: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    addressbook: { type: 'boolean', default: false },
    term: { type: 'string', default: 'müller' },
    auth: { type: 'string', default: 'account' },
    store: { type: 'string', default: 'sqlite' },
    processes: { type: 'string', default: '1' },
    'database-url': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function fail(msg: string): never {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

if (a.help) {
  console.log('Usage: npm run bench -- (--server sundial|radicale|xandikos|all | --url URL --user U --password P) [--n N] [--peer-n N] [--json FILE] [--cpu-prof] [--node-args "FLAGS"] [--variants REGEX] [--list-variants] [--store sqlite|postgres|sqlite,postgres] [--processes 1,2] [--database-url postgres://…]\nSee docs/performance.md.');
  process.exit(0);
}
if (a['list-variants']) {
  for (const v of VARIANTS) {
    const t = TARGETS[v.kind];
    const target = v.reference ? 'no target' : `${t.op === '<=' ? '≤' : '≥'} ${t.value} ${t.unit}`;
    console.log(`${v.name.padEnd(26)} ${v.client.padEnd(13)} ${v.kind.padEnd(13)} ${target.padEnd(11)} ${v.what}${v.reference ? ` (${v.reference})` : ''}`);
  }
  process.exit(0);
}
let variantRe: RegExp | null = null;
try {
  variantRe = a.variants ? new RegExp(a.variants) : null;
} catch {
  fail('--variants must be a regular expression');
}
if (a.addressbook) {
  const { runAddressBookBench } = await import('./bench/addressbook-main.js');
  await runAddressBookBench({ url: a.url, server: a.server, user: a.user!, password: a.password!, n: Number(a.n), seed: a.seed!, term: a.term!, pollSeconds: Number(a['poll-seconds']), repeatBudgetSeconds: Number(a['repeat-budget']), variants: variantRe, json: a.json, nodeArgs: a['node-args']!.split(/\s+/).filter(Boolean), keep: a.keep!, cpuProf: a['cpu-prof']! });
  process.exit(0);
}
const variants = VARIANTS.filter((v) => !variantRe || variantRe.test(v.name));
if (variants.length === 0) fail(`no variant matches --variants ${a.variants} (see --list-variants)`);
const n = Number(a.n);
if (!Number.isInteger(n) || n < 110) fail('--n must be an integer ≥ 110 (the DELETE phase removes 100 events)');
const peerN = a['peer-n'] === undefined ? Math.min(n, 1000) : Number(a['peer-n']);
if (!Number.isInteger(peerN) || peerN < 110) fail('--peer-n must be an integer ≥ 110');
const month = /^(\d{4})-(\d{2})$/.exec(a.month!);
if (!month) fail('--month must be YYYY-MM');
const range = { start: Date.UTC(+month[1]!, +month[2]! - 1, 1), end: Date.UTC(+month[1]!, +month[2]!, 1) };
if (a.auth !== 'account' && a.auth !== 'device') fail('--auth must be account or device');
if (!a.url && !a.server) fail('give --server sundial|radicale|xandikos|all, or --url with --user and --password');
let setups: StoreSetup[] = [];
let databaseUrl: string | null = null;
try {
  const sp = storePlan(parseStores(a.store!), parseProcesses(a.processes!));
  setups = sp.setups;
  for (const s of sp.skipped) console.error(`bench: skipped ${s}`);
  databaseUrl = benchDatabaseUrl(a['database-url'], process.env);
} catch (err) {
  fail((err as Error).message);
}
if (setups.length === 0) fail('no store/process combination to run (SQLite runs with one process)');
if (setups.some((s) => s.store === 'postgres') && !databaseUrl) fail('--store postgres needs --database-url or SUNDIAL_BENCH_DATABASE_URL (postgres://…)');

interface Plan { server: ServerName | 'url'; n: number; setup?: StoreSetup }
const plan: Plan[] = [];
if (a.url) plan.push({ server: 'url', n });
else {
  const names: ServerName[] = a.server === 'all' ? ['sundial', 'radicale', 'xandikos'] : [a.server as ServerName];
  for (const s of names) if (!['sundial', 'radicale', 'xandikos'].includes(s)) fail(`unknown server ${s}`);
  for (const s of names) {
    if (!installed(s)) {
      console.error(`bench: ${s} is not installed${s === 'sundial' ? ' (npm run build)' : ` (apt-get install ${s})`}; skipped`);
      continue;
    }
    if (s === 'sundial') {
      for (const setup of setups) plan.push({ server: s, n, setup });
      if (a.server === 'all' && peerN !== n) plan.push({ server: s, n: peerN, setup: setups[0] });
    } else plan.push({ server: s, n: a.server === 'all' ? peerN : n });
  }
}
if (plan.length === 0) fail('nothing to run');

const log = (line: string) => console.error(line);
const maxN = Math.max(...plan.map((p) => p.n));
let t0 = Date.now();
const allEvents = generateCalendar({ n: maxN, seed: a.seed! });
const bytes = allEvents.reduce((s, e) => s + e.ics.length, 0);
log(`generated ${maxN} events (${(bytes / 1024 / 1024).toFixed(1)} MB, mean ${Math.round(bytes / maxN)} bytes) in ${Date.now() - t0} ms`);
// Expected answers per N and per range kind the selected variants use (ical.js; see expected.ts).
const rangeKinds = [...new Set(variants.flatMap((v) => (v.range ? [v.range] : [])))];
const expectedByN = new Map<number, Map<RangeKind, Expected>>();
for (const p of plan) {
  if (expectedByN.has(p.n)) continue;
  const m = new Map<RangeKind, Expected>();
  for (const kind of rangeKinds) {
    t0 = Date.now();
    const r = rangeOf(kind, range);
    const e = expectedInRange(allEvents.slice(0, p.n), r.start, r.end);
    m.set(kind, e);
    log(`expected for ${kind} of ${a.month} at N=${p.n}: ${e.hits.size} resources${Number.isFinite(r.end) ? `, ${e.instances} instances (${e.overridesInRange} overridden)` : ''} — ical.js, ${Date.now() - t0} ms`);
  }
  expectedByN.set(p.n, m);
}

const runs: (LabelledRun & { cpuProfile?: string | null })[] = [];
for (const p of plan) {
  const events = allEvents.slice(0, p.n);
  log(`\n== ${p.setup ? storeLabel(p.setup) : p.server} N=${p.n}`);
  let server: { url: string; password: string; label: string; launch?: string; urls?: string[]; sample?: () => ReturnType<typeof sampleProcess>; pid?: number; stop(): Promise<{ cpuProfile: string | null }> } | null = null;
  const loadBefore = os.loadavg()[0]!;
  try {
    const startOpts = { user: a.user!, password: a.password!, cpuProf: a['cpu-prof']! && p.server === 'sundial', nodeArgs: a['node-args']!.split(/\s+/).filter(Boolean), keep: a.keep! || a['cpu-prof']!, auth: a.auth as 'account' | 'device', log };
    if (p.setup) {
      const c = await startSundial(p.setup, { ...startOpts, databaseUrl });
      server = { ...c, label: `${c.label} ${JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string}` };
    } else if (p.server !== 'url') server = await startServer(p.server, startOpts);
    const pid = server?.pid;
    const sample = server?.sample ?? (pid ? () => sampleProcess(pid) : null);
    const result = await runWorkload({
      url: server?.url ?? a.url!, user: a.user!, password: server?.password ?? a.password!, events, range, expectedFor: (k) => expectedByN.get(p.n)!.get(k)!, variants, seed: a.seed!,
      pollSeconds: Number(a['poll-seconds']), getSeconds: Number(a['get-seconds']), repeatBudgetSeconds: Number(a['repeat-budget']),
      clean: a.clean!, sample, log, ...(server?.urls && server.urls.length > 1 ? { spreadOver: server.urls } : {}),
    });
    const words = server?.label.split(' ') ?? [];
    const run: LabelledRun & { cpuProfile?: string | null } = {
      server: p.server, label: p.setup && !(setups.length === 1 && p.setup.store === 'sqlite') ? storeLabel(p.setup).replace('Sundial ', 'Sundial/') : words[0] ?? 'server', version: words[words.length - 1] ?? null,
      ...(p.setup ? { store: p.setup.store, processes: p.setup.processes } : {}), ...result,
    };
    run.details.loadAverage = { before: loadBefore, after: os.loadavg()[0]! };
    if (server?.launch) run.details.launch = server.launch;
    if (server) {
      const { cpuProfile } = await server.stop();
      server = null;
      if (cpuProfile) {
        run.cpuProfile = cpuProfile;
        log(`  CPU profile: ${cpuProfile}\n  summarize: node dist/scripts/bench-profile.js ${cpuProfile}`);
      }
    }
    runs.push(run);
  } catch (err) {
    log(`  ! ${p.server} N=${p.n} failed: ${(err as Error).stack ?? err}`);
    if (server) await server.stop().catch(() => {});
  }
}

const main = runs.find((r) => r.server === 'sundial' && r.n === n && r.store !== 'postgres') ?? runs.find((r) => r.server === 'sundial' && r.n === n) ?? null;
console.log(`\nauth: ${a.auth === 'device' ? 'a device\'s app password (SHA-256 lookup)' : 'the account password (argon2id, then the credential cache)'}`);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}; month ${a.month}; seed ${a.seed}`);
console.log('"WRONG": the answer was not exact; "(rewr.)": data not returned byte for byte as PUT (see the notes).');
console.log('Ratios compare runs at the same N and read "Sundial is k× better" (k < 1: worse).\n');
console.log(renderTable(runs, main));
console.log(renderVariantTable(runs, main));
if (main) console.log(slowestVariants(main));
if (runs.some((r) => r.store === 'postgres')) console.log(renderStoreComparison(runs.filter((r) => r.n === n && r.store !== undefined)));
console.log(`1-min load average before/after each run (2 cores = 2.0 fully busy): ${runs.map((r) => { const l = r.details.loadAverage as { before: number; after: number }; return `${r.label} N=${r.n} ${l.before.toFixed(1)}/${l.after.toFixed(1)}`; }).join(', ')}`);
if (a.json) {
  writeFileSync(a.json, `${JSON.stringify({
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
    options: { n, peerN, auth: a.auth, stores: setups, month: a.month, seed: a.seed, pollSeconds: Number(a['poll-seconds']), getSeconds: Number(a['get-seconds']) },
    runs,
  }, null, 2)}\n`);
  log(`wrote ${a.json}`);
}
