// The benchmark workload against one CalDAV calendar URL. Each phase records its figures and
// whether the answers were exact; a phase that fails records the error and the run goes on.
import { performance } from 'node:perf_hooks';
import type { BenchEvent } from './generate.js';
import type { Expected } from './expected.js';
import { closedLoop, DavClient, percentile, pool, type Reply } from './http.js';
import { hrefPath, parseMultistatus } from './multistatus.js';
import { runVariant, type VariantContext, type VariantResult } from './run-variants.js';
import { KIND_ORDER, type RangeKind, type Variant } from './variants.js';
import { Prng } from './prng.js';
import type { ProcSample } from './proc.js';
import { repeatWithin } from './repeat.js';

export interface WorkloadOptions {
  url: string;
  user: string;
  password: string;
  events: readonly BenchEvent[];
  range: { start: number; end: number };
  /** The expected answer of a time-range query over each range kind the variants use. */
  expectedFor: (range: RangeKind) => Expected;
  variants: readonly Variant[];
  seed: string;
  pollSeconds: number;
  getSeconds: number;
  /** Upper bound, per latency phase, on the time spent repeating it (the first run always counts). */
  repeatBudgetSeconds: number;
  clean: boolean;
  sample: (() => ProcSample | null) | null;
  log: (line: string) => void;
  /** Base URLs of several server processes over one database: requests go round-robin (stores.ts). */
  spreadOver?: readonly string[];
}

export interface Metric {
  value: number | null;
  /** For correctness-checked phases: were the answers exactly right? */
  exact?: boolean;
  /** Set when the server returned the data changed (not byte for byte as PUT); not an error in itself. */
  rewritten?: boolean;
  note?: string;
}

export interface RunResult {
  url: string;
  n: number;
  metrics: Record<string, Metric>;
  details: Record<string, unknown>;
  cpuByPhase: Record<string, number>;
  /** PostgreSQL backends' CPU seconds per phase (stores.ts), when the server runs on PostgreSQL. */
  dbCpuByPhase?: Record<string, number>;
  /** Server RSS and peak RSS (VmHWM) in MB at the end of each phase: which phase set the peak. */
  memByPhase: Record<string, { rssMb: number; peakMb: number }>;
  /** Phase windows on the monotonic clock in µs (the clock of V8's .cpuprofile timestamps). */
  phases: { name: string; startUs: number; endUs: number }[];
  errors: string[];
  /** One entry per client variant run (variants.ts), in run order. */
  variants: VariantResult[];
}

const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);

const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const PROPFIND_ETAG = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>';


class PhaseError extends Error {}
function expectStatus(r: Reply, ok: number[], what: string): void {
  if (!ok.includes(r.status)) throw new PhaseError(`${what}: HTTP ${r.status} ${r.body.slice(0, 200).replace(/\s+/g, ' ')}`);
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

export async function runWorkload(o: WorkloadOptions): Promise<RunResult> {
  const client = new DavClient(o.url, o.user, o.password, 32);
  if (o.spreadOver) client.spreadOver(o.spreadOver);
  const collectionPath = new URL(o.url).pathname.replace(/\/+$/, '');
  const isMember = (href: string) => hrefPath(href).replace(/\/+$/, '') !== collectionPath && hrefPath(href) !== '';
  const result: RunResult = { url: o.url, n: o.events.length, metrics: {}, details: {}, cpuByPhase: {}, memByPhase: {}, phases: [], errors: [], variants: [] };
  const current = new Map(o.events.map((e) => [e.name, e]));
  /** ETag of each object as the server returned it on PUT (the listings' getetag must match). */
  const etags = new Map<string, string>();
  const hrefOf = (name: string) => `${collectionPath}/${encodeURIComponent(name)}`;
  const rng = new Prng(`${o.seed}/workload`);

  const phase = async (name: string, fn: () => Promise<void>) => {
    const start = o.sample?.() ?? null;
    const before = start?.cpuSeconds ?? null;
    const t0 = performance.now();
    const startUs = monoUs();
    o.log(`  ${name}…`);
    try {
      await fn();
    } catch (err) {
      const msg = `${name}: ${(err as Error).message}`;
      result.errors.push(msg);
      o.log(`  ! ${msg}`);
    }
    result.phases.push({ name, startUs, endUs: monoUs() });
    const end = o.sample?.() ?? null;
    const after = end?.cpuSeconds ?? null;
    if (before !== null && after !== null) result.cpuByPhase[name] = round2(after - before);
    if (start?.dbCpuSeconds !== undefined && end?.dbCpuSeconds !== undefined) (result.dbCpuByPhase ??= {})[name] = round2(end.dbCpuSeconds - start.dbCpuSeconds);
    if (end) result.memByPhase[name] = { rssMb: round1(end.rssMb), peakMb: round1(end.peakRssMb) };
    o.log(`    (${((performance.now() - t0) / 1000).toFixed(1)} s${end ? `; server RSS ${end.rssMb.toFixed(0)} MB, peak ${end.peakRssMb.toFixed(0)} MB` : ''})`);
  };
  const repeat = <T>(max: number, fn: (run: number) => Promise<T>): Promise<T[]> => repeatWithin(max, o.repeatBudgetSeconds, fn);
  const listing = async () => {
    const r = await client.request({ method: 'PROPFIND', url: o.url, headers: { ...XML, Depth: '1' }, body: PROPFIND_ETAG });
    expectStatus(r, [207], 'PROPFIND Depth 1');
    return { r, members: parseMultistatus(r.body, ['getetag']).filter((m) => isMember(m.href)) };
  };

  // --- preflight: the calendar answers and is empty
  const pre = await listing();
  if (pre.members.length > 0) {
    if (!o.clean) throw new Error(`${o.url} holds ${pre.members.length} members; the bench needs an empty calendar (--clean deletes them first)`);
    o.log(`  deleting ${pre.members.length} existing members (--clean)`);
    await pool(pre.members, 4, async (m) => { await client.request({ method: 'DELETE', url: hrefPath(m.href) }); });
  }

  const idle = o.sample?.() ?? null;
  if (idle) {
    result.memByPhase.start = { rssMb: round1(idle.rssMb), peakMb: round1(idle.peakRssMb) };
    o.log(`  server RSS ${idle.rssMb.toFixed(0)} MB, peak ${idle.peakRssMb.toFixed(0)} MB after the first (authenticated) request`);
  }

  // --- upload
  await phase('upload', async () => {
    let errors = 0;
    let firstError = '';
    const t0 = performance.now();
    await pool(o.events, 4, async (ev) => {
      const r = await client.request({ method: 'PUT', url: hrefOf(ev.name), headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'If-None-Match': '*' }, body: ev.ics });
      if (typeof r.headers.etag === 'string') etags.set(ev.name, r.headers.etag);
      if (r.status !== 201 && r.status !== 204) {
        errors++;
        firstError ||= `${ev.name}: HTTP ${r.status} ${r.body.slice(0, 300)}`;
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    result.metrics.upload_eps = { value: round1(o.events.length / seconds), exact: errors === 0, ...(errors ? { note: `${errors} failed` } : {}) };
    result.details.upload = { seconds: round2(seconds), errors, firstError };
  });

  // --- the client variants (variants.ts), each a phase of its own, in KIND_ORDER
  const ctx: VariantContext = {
    client, url: o.url, homeUrl: new URL('..', new URL(o.url)).href, current, etags, collectionPath, month: o.range,
    expected: o.expectedFor, rng, pollSeconds: o.pollSeconds, repeat, round: { n: 0 },
  };
  const ordered = KIND_ORDER.flatMap((k) => o.variants.filter((v) => v.kind === k));
  for (const v of ordered) {
    await phase(v.name, async () => {
      const r = await runVariant(ctx, v);
      result.variants.push(r);
      if (r.error) throw new Error(r.error);
      o.log(`    ${v.name}: ${r.value ?? 'error'} ${r.unit}${r.p99 !== undefined ? ` (p99 ${r.p99} ms)` : ''}${r.exact ? '' : ' WRONG'} — ${r.note.slice(0, 160)}`);
    });
    const r = result.variants[result.variants.length - 1];
    // Server CPU per timed request (per run for an initial sync; an incremental round includes its
    // 10 PUTs and the token read): far less sensitive to a loaded machine than the wall-clock figure.
    const cpu = result.cpuByPhase[v.name];
    // The phase's CPU covers the untimed warm-up runs too: they count as runs here.
    const per = r?.kind === 'poll' ? r.requests : r?.runsMs ? r.runsMs.length + (r.warmupRuns ?? (r.coldMs !== undefined ? 1 : 0)) : undefined;
    if (r && cpu !== undefined && per) r.serverCpuMs = Math.round((cpu * 1000 * 100) / per) / 100;
    const dbCpu = result.dbCpuByPhase?.[v.name];
    if (r && dbCpu !== undefined && per) r.dbCpuMs = Math.round((dbCpu * 1000 * 100) / per) / 100;
    if (v.legacyKey && r) fillLegacy(result, v.legacyKey, r);
  }

  // --- GET of single events
  await phase('GET', async () => {
    const names = [...current.keys()];
    let errors = 0;
    let differing = 0;
    const { latencies, elapsed } = await closedLoop(o.getSeconds, 16, async () => {
      const name = names[Math.floor(rng.next() * names.length)]!;
      const r = await client.request({ method: 'GET', url: hrefOf(name) });
      if (r.status !== 200) errors++;
      else if (r.body !== current.get(name)!.ics) differing++;
      return r.ms;
    });
    const notes = [errors ? `${errors} errors` : '', differing ? `${differing} bodies not byte-identical to the PUT` : ''].filter(Boolean).join(', ');
    result.metrics.get_rps = { value: round1(latencies.length / elapsed), exact: errors === 0, rewritten: differing > 0, ...(notes ? { note: notes } : {}) };
    result.metrics.get_p99_ms = { value: round2(percentile(latencies, 99)) };
    result.details.get = { requests: latencies.length, seconds: round2(elapsed), p50: round2(percentile(latencies, 50)), errors, differing };
  });

  // --- DELETE, one at a time
  await phase('DELETE', async () => {
    const names = [...current.keys()].slice(-Math.min(100, current.size));
    const latencies: number[] = [];
    let errors = 0;
    for (const name of names) {
      const r = await client.request({ method: 'DELETE', url: hrefOf(name) });
      if (r.status !== 204 && r.status !== 200) errors++;
      latencies.push(r.ms);
      current.delete(name);
    }
    result.metrics.delete_p50_ms = { value: round2(percentile(latencies, 50)), exact: errors === 0, ...(errors ? { note: `${errors} failed` } : {}) };
    result.metrics.delete_p99_ms = { value: round2(percentile(latencies, 99)) };
    result.details.delete = { count: names.length, meanMs: round2(latencies.reduce((a, b) => a + b, 0) / latencies.length), errors };
  });

  const s = o.sample?.() ?? null;
  result.metrics.peak_rss_mb = { value: s ? round1(s.peakRssMb) : null, ...(s ? {} : { note: 'n/a (external server)' }) };
  result.metrics.cpu_s = { value: s ? round2(s.cpuSeconds) : null, ...(s ? {} : { note: 'n/a (external server)' }) };
  client.close();
  return result;
}

/** The issue-7 rows of the main table, filled from the bench's own variants. */
function fillLegacy(result: RunResult, key: string, r: VariantResult): void {
  const m: Metric = { value: r.value, exact: r.exact, ...(r.rewritten ? { rewritten: true } : {}), note: r.note };
  if (key === 'poll') {
    result.metrics.poll_rps = m;
    result.metrics.poll_p50_ms = { value: r.p50 ?? null };
    result.metrics.poll_p99_ms = { value: r.p99 ?? null };
  } else result.metrics[key] = m;
}
