// The printed table: one row per figure, one column per run, the issue-7 targets beside the main
// Sundial run (✓/✗), and Sundial's advantage over each peer measured at the same N.
import { meetsVariantTarget, targetCell, targetRatio, type VariantResult } from './run-variants.js';
import { TARGETS, VARIANTS } from './variants.js';
import type { Metric, RunResult } from './workload.js';

export interface Row {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  target?: { op: '>=' | '<='; value: number };
}

export const ROWS: Row[] = [
  { key: 'upload_eps', label: 'upload, PUT ×4', unit: 'events/s', better: 'higher', target: { op: '>=', value: 500 } },
  { key: 'etag_listing_ms', label: 'etag listing, PROPFIND D1', unit: 'ms', better: 'lower', target: { op: '<=', value: 60 } },
  { key: 'initial_sync_ms', label: 'initial sync, list+multiget/100', unit: 'ms', better: 'lower', target: { op: '<=', value: 600 } },
  { key: 'poll_rps', label: 'ctag/sync-token poll ×16', unit: 'req/s', better: 'higher', target: { op: '>=', value: 3000 } },
  { key: 'poll_p50_ms', label: '  poll p50', unit: 'ms', better: 'lower' },
  { key: 'poll_p99_ms', label: '  poll p99', unit: 'ms', better: 'lower', target: { op: '<=', value: 20 } },
  { key: 'incr_sync_ms', label: 'incremental sync, 10 changes', unit: 'ms', better: 'lower', target: { op: '<=', value: 5 } },
  { key: 'timerange_ms', label: 'time-range, one month', unit: 'ms', better: 'lower', target: { op: '<=', value: 20 } },
  { key: 'timerange_expand_ms', label: 'time-range + expand', unit: 'ms', better: 'lower', target: { op: '<=', value: 20 } },
  { key: 'get_rps', label: 'GET ×16', unit: 'req/s', better: 'higher', target: { op: '>=', value: 3000 } },
  { key: 'get_p99_ms', label: '  GET p99', unit: 'ms', better: 'lower' },
  { key: 'delete_p50_ms', label: 'DELETE p50 (100 serial)', unit: 'ms', better: 'lower' },
  { key: 'delete_p99_ms', label: '  DELETE p99', unit: 'ms', better: 'lower' },
  { key: 'peak_rss_mb', label: 'server peak RSS', unit: 'MB', better: 'lower', target: { op: '<=', value: 120 } },
  { key: 'cpu_s', label: 'server CPU (whole run)', unit: 's', better: 'lower' },
];

export interface LabelledRun extends RunResult {
  server: string;
  label: string;
  version?: string | null;
  /** Sundial's store and process count (stores.ts); absent for peers and --url. */
  store?: 'sqlite' | 'postgres';
  processes?: number;
}

export function meetsTarget(row: Row, m: Metric | undefined): boolean | null {
  if (!row.target) return null;
  if (!m || m.value === null) return false;
  const ok = row.target.op === '>=' ? m.value >= row.target.value : m.value <= row.target.value;
  return ok && m.exact !== false;
}

function fmt(m: Metric | undefined): string {
  if (!m || m.value === null) return m?.note?.startsWith('n/a') ? 'n/a' : 'error';
  const v = m.value;
  const s = v >= 1000 ? Math.round(v).toString() : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return m.exact === false ? `${s} WRONG` : m.rewritten ? `${s} (rewr.)` : s;
}

function ratio(row: Row, s: Metric | undefined, p: Metric | undefined): string {
  if (!s || !p || s.value === null || p.value === null || s.value === 0 || p.value === 0) return '';
  const r = row.better === 'higher' ? s.value / p.value : p.value / s.value;
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** Renders the table; `main` is the run the targets are checked against. */
export function renderTable(runs: LabelledRun[], main: LabelledRun | null): string {
  const header = ['figure', 'unit'];
  const cols: ((row: Row) => string)[] = [(r) => r.label, (r) => r.unit];
  for (const run of runs) {
    header.push(`${run.label} N=${run.n}`);
    cols.push((row) => fmt(run.metrics[row.key]));
    if (run === main) {
      header.push('target');
      cols.push((row) => {
        const ok = meetsTarget(row, run.metrics[row.key]);
        return ok === null ? '' : `${row.target!.op === '>=' ? '≥' : '≤'} ${row.target!.value} ${ok ? '✓' : '✗'}`;
      });
    }
    if (run.server !== 'sundial' && run.server !== 'url') {
      const ref = runs.find((x) => x.server === 'sundial' && x.n === run.n);
      if (ref) {
        header.push(`Sundial vs ${run.label.split(' ')[0]}`);
        cols.push((row) => ratio(row, ref.metrics[row.key], run.metrics[row.key]));
      }
    }
  }
  const body = ROWS.map((row) => cols.map((c) => c(row)));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w, i) => (i < 2 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`, ...body.map(line)];
  const notes: string[] = [];
  for (const run of runs) {
    for (const row of ROWS) {
      const m = run.metrics[row.key];
      if (m?.note && !m.note.startsWith('n/a')) notes.push(`${run.label} N=${run.n} — ${row.label.trim()}: ${m.note}`);
    }
    for (const e of run.errors) notes.push(`${run.label} N=${run.n} — error: ${e}`);
  }
  return `${out.join('\n')}\n\n${notes.map((n) => `  • ${n}`).join('\n')}\n`;
}

function fmtVariant(r: VariantResult | undefined): string {
  if (!r) return '';
  if (r.value === null) return 'error';
  const v = r.value;
  let s = v >= 1000 ? Math.round(v).toString() : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  if (r.p99 !== undefined) s += ` p99 ${r.p99 >= 10 ? r.p99.toFixed(1) : r.p99.toFixed(2)}`;
  return !r.exact ? `${s} WRONG` : r.rewritten ? `${s} (rewr.)` : s;
}

/** Per client variant: the figure of each run, the target and ✓/✗ beside the main run, and the load average it ran under. */
export function renderVariantTable(runs: LabelledRun[], main: LabelledRun | null): string {
  const names = VARIANTS.map((v) => v.name).filter((name) => runs.some((r) => r.variants.some((x) => x.name === name)));
  if (names.length === 0) return '';
  const header = ['variant', 'client', 'request', 'unit'];
  const cols: ((name: string) => string)[] = [
    (n) => n,
    (n) => VARIANTS.find((v) => v.name === n)!.client,
    (n) => VARIANTS.find((v) => v.name === n)!.what,
    (n) => TARGETS[VARIANTS.find((v) => v.name === n)!.kind].unit,
  ];
  for (const run of runs) {
    const get = (n: string) => run.variants.find((x) => x.name === n);
    header.push(`${run.label} N=${run.n}`);
    cols.push((n) => fmtVariant(get(n)));
    if (run === main) {
      header.push('target', 'CPU ms/req', 'load');
      cols.push((n) => {
        const r = get(n);
        return r ? targetCell(r) : '';
      });
      cols.push((n) => { const r = get(n); return r?.serverCpuMs !== undefined ? (r.serverCpuMs >= 10 ? r.serverCpuMs.toFixed(0) : r.serverCpuMs.toFixed(2)) : ''; });
      cols.push((n) => { const r = get(n); return r ? `${r.load[0].toFixed(1)}/${r.load[1].toFixed(1)}` : ''; });
    }
    if (run.server !== 'sundial' && run.server !== 'url') {
      const ref = runs.find((x) => x.server === 'sundial' && x.n === run.n);
      if (ref) {
        header.push(`Sundial vs ${run.label.split(' ')[0]}`);
        cols.push((n) => {
          const s = ref.variants.find((x) => x.name === n);
          const p = get(n);
          if (!s?.value || !p?.value) return '';
          const k = s.unit === 'req/s' ? s.value / p.value : p.value / s.value;
          return `${k >= 100 ? k.toFixed(0) : k >= 10 ? k.toFixed(1) : k.toFixed(2)}×`;
        });
      }
    }
  }
  const body = names.map((n) => cols.map((c) => c(n)));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const left = 3; // variant, client, request: text; the rest: figures
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w, i) => (i < left ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`, ...body.map(line)];
  const notes: string[] = [];
  for (const run of runs) for (const r of run.variants) if (!r.exact || r.error) notes.push(`${run.label} N=${run.n} — ${r.name}: ${r.note}`);
  return `\nClient variants (CPU ms/req = server CPU per timed request, per run for initial syncs, incl. the 10 PUTs for incremental; load = 1-min load average at start/end):\n${out.join('\n')}\n${notes.length ? `\n${notes.map((x) => `  • ${x}`).join('\n')}\n` : ''}`;
}

/** The variants of a run furthest from their targets, worst first (a wrong answer counts as a miss). */
export function slowestVariants(run: LabelledRun, count = 5): string {
  const ranked = run.variants.filter((r) => !r.reference).sort((x, y) => targetRatio(y) - targetRatio(x)).slice(0, count);
  if (ranked.length === 0) return '';
  return `Slowest variants of ${run.label} N=${run.n} (figure / target; > 1 misses):\n${ranked.map((r) => `  ${r.name.padEnd(24)} ${fmtVariant(r).padStart(16)} ${r.unit.padEnd(5)} ${Number.isFinite(targetRatio(r)) ? targetRatio(r).toFixed(2) : '—'}×${meetsVariantTarget(r) ? '' : ' ✗'}`).join('\n')}\n`;
}

// Issue 18 item 6: PostgreSQL within 2× of SQLite on these figures, and polling with two processes
// over one database at least 1.6× one process.
const WITHIN_2X = new Set(['etag_listing_ms', 'initial_sync_ms', 'poll_rps', 'incr_sync_ms', 'timerange_ms']);
const SCALING: Record<string, number> = { poll_rps: 1.6 };
const CPU_VARIANTS = ['bench-listing', 'bench-initial-sync', 'bench-poll', 'bench-incremental', 'bench-query', 'bench-query-expand'];

const times = (k: number) => `${k >= 100 ? k.toFixed(0) : k >= 10 ? k.toFixed(1) : k.toFixed(2)}×`;

/** How many times worse `m` is than `ref` (1 = equal, > 1 worse), or null. */
function slowdown(row: Row, ref: Metric | undefined, m: Metric | undefined): number | null {
  if (!ref || !m || ref.value === null || m.value === null || ref.value === 0 || m.value === 0) return null;
  return row.better === 'higher' ? ref.value / m.value : m.value / ref.value;
}

/**
 * SQLite and PostgreSQL side by side (issue 18): one column per store/process run at the same N,
 * PostgreSQL's factor against SQLite with the "within 2×" target, each multi-process run's gain
 * over one process with the polling target (≥ 1.6× for two), then the server CPU per request split
 * into Sundial's processes and the PostgreSQL backends.
 */
export function renderStoreComparison(runs: LabelledRun[]): string {
  const sqlite = runs.find((r) => r.store === 'sqlite');
  const pg1 = runs.find((r) => r.store === 'postgres' && r.processes === 1);
  const multi = runs.filter((r) => r.store === 'postgres' && (r.processes ?? 1) > 1);
  const header = ['figure', 'unit'];
  const cols: ((row: Row) => string)[] = [(r) => r.label, (r) => r.unit];
  const verdicts: string[] = [];
  const check = (ok: boolean) => (ok ? '✓' : '✗');
  if (sqlite) {
    header.push(sqlite.label);
    cols.push((row) => fmt(sqlite.metrics[row.key]));
  }
  if (pg1) {
    header.push(pg1.label);
    cols.push((row) => fmt(pg1.metrics[row.key]));
    if (sqlite) {
      header.push('PG×1 vs SQLite');
      cols.push((row) => {
        const k = slowdown(row, sqlite.metrics[row.key], pg1.metrics[row.key]);
        if (!WITHIN_2X.has(row.key)) return k === null ? '' : times(k);
        const ok = k !== null && k <= 2 && pg1.metrics[row.key]?.exact !== false;
        return `${k === null ? '–' : times(k)} ≤ 2× ${check(ok)}`;
      });
      for (const row of ROWS.filter((r) => WITHIN_2X.has(r.key))) {
        const k = slowdown(row, sqlite.metrics[row.key], pg1.metrics[row.key]);
        verdicts.push(`${row.label.trim()}: PostgreSQL ${k === null ? 'n/a' : `${times(k)} SQLite's`} (≤ 2×) ${check(k !== null && k <= 2 && pg1.metrics[row.key]?.exact !== false)}`);
      }
    }
  }
  for (const run of multi) {
    header.push(run.label);
    cols.push((row) => fmt(run.metrics[row.key]));
    if (pg1) {
      const p = run.processes!;
      header.push(`PG×${p} vs PG×1`);
      cols.push((row) => {
        const k = slowdown(row, run.metrics[row.key], pg1.metrics[row.key]); // gain: PG×1 is k× worse
        const target = p === 2 ? SCALING[row.key] : undefined;
        if (target === undefined) return k === null ? '' : times(k);
        return `${k === null ? '–' : times(k)} ≥ ${target}× ${check(k !== null && k >= target && run.metrics[row.key]?.exact !== false)}`;
      });
      if (p === 2) {
        for (const [key, target] of Object.entries(SCALING)) {
          const row = ROWS.find((r) => r.key === key)!;
          const k = slowdown(row, run.metrics[key], pg1.metrics[key]);
          verdicts.push(`${row.label.trim()}: 2 processes ${k === null ? 'n/a' : `${times(k)} one process`} (≥ ${target}×) ${check(k !== null && k >= target && run.metrics[key]?.exact !== false)}`);
        }
      }
    }
  }
  const body = ROWS.map((row) => cols.map((c) => c(row)));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w, i) => (i < 2 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`, ...body.map(line)];

  // Server CPU per timed request: Sundial's processes + PostgreSQL's backends.
  const cpuRuns = [sqlite, pg1, ...multi].filter((r): r is LabelledRun => r !== undefined);
  const cpuHeader = ['variant', ...cpuRuns.map((r) => `${r.label} CPU ms/req`)];
  const cpuBody = CPU_VARIANTS.filter((v) => cpuRuns.some((r) => r.variants.some((x) => x.name === v))).map((v) => [v, ...cpuRuns.map((r) => {
    const x = r.variants.find((y) => y.name === v);
    if (x?.serverCpuMs === undefined) return '';
    const f = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(2));
    return x.dbCpuMs !== undefined ? `${f(x.serverCpuMs)} + ${f(x.dbCpuMs)} PG` : f(x.serverCpuMs);
  })]);
  const cw = cpuHeader.map((h, i) => Math.max(h.length, ...cpuBody.map((r) => r[i]!.length)));
  const cline = (cells: string[]) => `| ${cells.map((c, i) => (i < 1 ? c.padEnd(cw[i]!) : c.padStart(cw[i]!))).join(' | ')} |`;
  const cpu = cpuBody.length ? ['', 'Server CPU per timed request (Sundial processes + PostgreSQL backends of the run):', cline(cpuHeader), `|${cw.map((w, i) => (i < 1 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`, ...cpuBody.map(cline)] : [];
  const load = cpuRuns.map((r) => {
    const l = r.details.loadAverage as { before: number; after: number } | undefined;
    return l ? `${r.label} ${l.before.toFixed(1)}/${l.after.toFixed(1)}` : '';
  }).filter(Boolean).join(', ');
  return `\nSQLite and PostgreSQL side by side (issue 18), N=${cpuRuns[0]?.n ?? '?'}:\n${out.join('\n')}\n${cpu.join('\n')}\n\nIssue 18 targets:\n${verdicts.map((v) => `  ${v}`).join('\n') || '  (need a SQLite and a PostgreSQL run, and two processes for the polling target)'}\n1-min load average before/after: ${load}\n`;
}
