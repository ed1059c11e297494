// Sundial's store under the bench (issue 18 item 6): SQLite (the data folder) or PostgreSQL, and on
// PostgreSQL one or several Sundial processes over the same database. Each PostgreSQL run gets a
// schema of its own in the database of --database-url / SUNDIAL_BENCH_DATABASE_URL (a role that may
// create schemas there is enough; no CREATEDB), handed to every process through the URL's
// `options=-c search_path=…`, and dropped at the end of the run.
//
// Several processes: the bench's HTTP client sends each request to the next process in turn
// (http.ts, DavClient.spreadOver) — per-request round-robin as nginx's upstream does with
// keep-alive, without a proxy hop that would eat a share of the 2 cores the bench measures on. The
// paths are the same on every process, so a PUT through one and the sync-collection, listing or
// poll through the other also checks that the processes agree (every answer is verified).
//
// The processes' CPU is summed; on PostgreSQL the CPU of the database backends serving the run is
// measured too (found by the run's application_name in pg_stat_activity, read from /proc), so the
// report can say how a request's cost splits between Sundial and PostgreSQL.
import pg from 'pg';
import { processTicks, sampleProcess, ticksToSeconds, type ProcSample } from './proc.js';
import { startServer, type StartOptions, type StartedServer } from './servers.js';

export type StoreName = 'sqlite' | 'postgres';

export interface StoreSetup {
  store: StoreName;
  /** Sundial processes over the store (more than one only on PostgreSQL). */
  processes: number;
}

export function parseStores(raw: string): StoreName[] {
  const names = raw.split(',').map((x) => x.trim()).filter(Boolean);
  if (names.length === 0) throw new Error('--store needs sqlite, postgres or sqlite,postgres');
  for (const s of names) if (s !== 'sqlite' && s !== 'postgres') throw new Error(`--store: unknown store "${s}" (sqlite or postgres)`);
  return [...new Set(names)] as StoreName[];
}

export function parseProcesses(raw: string): number[] {
  const counts = raw.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  if (counts.length === 0 || counts.some((c) => !Number.isInteger(c) || c < 1 || c > 8)) throw new Error('--processes needs counts from 1 to 8, e.g. 1,2');
  return [...new Set(counts)];
}

/**
 * The runs of Sundial to make: every store × every process count, except SQLite with more than
 * one process (a data folder belongs to one process: the server claims it with a lock file), which
 * is reported as skipped.
 */
export function storePlan(stores: readonly StoreName[], processes: readonly number[]): { setups: StoreSetup[]; skipped: string[] } {
  const setups: StoreSetup[] = [];
  const skipped: string[] = [];
  for (const store of stores) {
    for (const p of processes) {
      if (store === 'sqlite' && p > 1) skipped.push(`SQLite × ${p} processes (one process per data folder; several processes need PostgreSQL)`);
      else setups.push({ store, processes: p });
    }
  }
  return { setups, skipped };
}

export function storeLabel(s: StoreSetup): string {
  return s.store === 'sqlite' ? 'Sundial SQLite' : `Sundial PG×${s.processes}`;
}

/** The database URL of the bench: --database-url, else SUNDIAL_BENCH_DATABASE_URL. */
export function benchDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const url = flag ?? env.SUNDIAL_BENCH_DATABASE_URL ?? '';
  if (url === '') return null;
  if (!/^postgres(?:ql)?:\/\//i.test(url)) throw new Error('--database-url / SUNDIAL_BENCH_DATABASE_URL must be a postgres:// URL');
  return url;
}

let schemas = 0;

interface BenchSchema {
  /** The URL the Sundial processes get: search_path and application_name set. */
  url: string;
  schema: string;
  appName: string;
  admin: pg.Pool;
  drop(): Promise<void>;
}

/** A new, empty schema for one run; drop() removes it and everything in it. */
async function createSchema(base: string): Promise<BenchSchema> {
  const schema = `sundial_bench_${process.pid}_${++schemas}`;
  const appName = `sundial-bench-${process.pid}-${schemas}`;
  const admin = new pg.Pool({ connectionString: base, max: 1, application_name: `${appName}-admin` });
  admin.on('error', () => undefined);
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const url = new URL(base);
  // Options already in the URL stay (e.g. `?options=-c%20synchronous_commit%3Doff` to measure
  // what the commit's WAL flush costs); the run's search_path is added to them.
  const given = url.searchParams.get('options');
  url.searchParams.set('options', `${given ? `${given} ` : ''}-c search_path=${schema}`);
  url.searchParams.set('application_name', appName);
  return {
    url: url.toString(), schema, appName, admin,
    async drop() {
      try {
        await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * CPU of the PostgreSQL backends of one run. Their pids are read from pg_stat_activity in the
 * background (the workload samples synchronously); each backend's last reading is kept, so one that
 * exits (the pool closes idle connections after 10 s) does not make the total go back.
 */
function backendCpu(admin: pg.Pool, appName: string): { total(): number; stop(): void } {
  const last = new Map<number, number>();
  const read = () => {
    for (const pid of last.keys()) {
      const t = processTicks(pid);
      if (t !== null) last.set(pid, t);
    }
  };
  const refresh = async () => {
    try {
      const r = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [appName]);
      for (const { pid } of r.rows) if (!last.has(pid)) last.set(pid, 0);
      read();
    } catch { /* the next refresh tries again */ }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), 500);
  timer.unref();
  return {
    total() {
      read();
      let ticks = 0;
      for (const t of last.values()) ticks += t;
      return ticksToSeconds(ticks);
    },
    stop: () => clearInterval(timer),
  };
}

export interface SundialCluster {
  setup: StoreSetup;
  label: string;
  launch: string;
  /** The calendar URL on the first process; `urls` on each process (same path). */
  url: string;
  urls: string[];
  password: string;
  pids: number[];
  /** Summed over the processes (peak RSS too: the sum of each one's peak); dbCpuSeconds on PostgreSQL. */
  sample(): ProcSample | null;
  stop(): Promise<{ cpuProfile: string | null }>;
}

/**
 * Starts Sundial as the setup says: on SQLite the one process of servers.ts; on PostgreSQL a fresh
 * schema, the first process creating the user (its `sundial user add` migrates the schema), then
 * the others, each with a data folder of its own (the folder holds only the lock file there).
 */
export async function startSundial(setup: StoreSetup, o: StartOptions & { databaseUrl: string | null }): Promise<SundialCluster> {
  if (setup.store === 'sqlite') {
    const s = await startServer('sundial', o);
    return {
      setup, label: storeLabel(setup), launch: s.launch, url: s.url, urls: [s.url], password: s.password, pids: [s.pid],
      sample: () => sampleProcess(s.pid), stop: () => s.stop(),
    };
  }
  if (!o.databaseUrl) throw new Error('--store postgres needs --database-url or SUNDIAL_BENCH_DATABASE_URL (postgres://…)');
  const db = await createSchema(o.databaseUrl);
  const started: StartedServer[] = [];
  const cpu = backendCpu(db.admin, db.appName);
  const stopAll = async () => {
    cpu.stop();
    let cpuProfile: string | null = null;
    for (const s of started) cpuProfile = (await s.stop().catch(() => ({ cpuProfile: null }))).cpuProfile ?? cpuProfile;
    await db.drop();
    return { cpuProfile };
  };
  try {
    for (let i = 0; i < setup.processes; i++) {
      const first = started[0];
      // A profile of every process would be as many files; only the first is profiled.
      started.push(await startServer('sundial', {
        ...o, env: { ...o.env, SUNDIAL_DATABASE_URL: db.url }, provision: i === 0, cpuProf: o.cpuProf && i === 0,
        ...(first ? { password: first.password } : {}),
      }));
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  o.log(`  PostgreSQL schema ${db.schema}; ${setup.processes} process(es): ${started.map((s) => new URL(s.url).host).join(', ')}${setup.processes > 1 ? ' (requests round-robin)' : ''}`);
  return {
    setup, label: storeLabel(setup), launch: started[0]!.launch, url: started[0]!.url, urls: started.map((s) => s.url),
    password: started[0]!.password, pids: started.map((s) => s.pid),
    sample() {
      const parts = started.map((s) => sampleProcess(s.pid));
      if (parts.some((p) => p === null)) return null;
      const sum = (f: (p: ProcSample) => number) => parts.reduce((t, p) => t + f(p!), 0);
      return { peakRssMb: sum((p) => p.peakRssMb), rssMb: sum((p) => p.rssMb), cpuSeconds: sum((p) => p.cpuSeconds), dbCpuSeconds: cpu.total() };
    },
    stop: stopAll,
  };
}
