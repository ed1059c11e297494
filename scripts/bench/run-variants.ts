// Runs the client variants of variants.ts against one calendar: one generic procedure per kind
// (listing, initial sync, poll, incremental sync, query), the variant's exact bodies, and the
// checks of verify.ts on the answers. Timed parts send only what the client sends; verification
// happens outside them.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { modifyEvent, type BenchEvent } from './generate.js';
import type { Expected } from './expected.js';
import { closedLoop, DavClient, median, percentile, type Reply } from './http.js';
import { hrefPath, parseMultistatus } from './multistatus.js';
import type { Prng } from './prng.js';
import { rangeOf, renderBody, TARGETS, type RangeKind, type Shape, type Variant } from './variants.js';
import { verifyFetched, verifyListing, verifyPoll, verifySync, type Truth, type Verdict } from './verify.js';
import { warmUp, type WarmUp } from './repeat.js';
import { listAndFetch, type Listed } from './fetch-batches.js';

export interface VariantResult {
  name: string;
  client: string;
  kind: Variant['kind'];
  what: string;
  /** ms (median) or req/s. */
  value: number | null;
  unit: 'ms' | 'req/s';
  p50?: number;
  p99?: number;
  exact: boolean;
  rewritten?: boolean;
  note: string;
  runsMs?: number[];
  /**
   * The variant's first run, before the timed ones and not counted in `value`: whichever variant
   * ran first after the upload used to absorb the server's warm-up (JIT, caches) in its median
   * (bench-listing's runs 119 and 101 ms, then 41–67 ms), so figures depended on variant order.
   */
  coldMs?: number;
  /** Untimed runs before the timed ones, the first included (repeat.ts warmUp). */
  warmupRuns?: number;
  requests?: number;
  bytes?: number;
  /** Server CPU ms per timed request or run (workload.ts, from /proc; absent for --url). */
  serverCpuMs?: number;
  /** PostgreSQL backends' CPU ms per timed request or run, on the PostgreSQL store (stores.ts). */
  dbCpuMs?: number;
  /** 1-minute load average when the variant started and ended. */
  load: [number, number];
  error?: string;
  /** Variant.reference: reported without a target. */
  reference?: string;
}

export interface VariantContext {
  client: DavClient;
  /** The calendar collection URL (with its trailing slash) and the home (its parent). */
  url: string;
  homeUrl: string;
  current: Map<string, BenchEvent>;
  etags: Map<string, string>;
  collectionPath: string;
  month: { start: number; end: number };
  expected: (range: RangeKind) => Expected;
  rng: Prng;
  pollSeconds: number;
  /** repeat.ts repeatWithin under the run's budget; fn gets the run's index. */
  repeat: <T>(max: number, fn: (run: number) => Promise<T>) => Promise<T[]>;
  /** Incremental-sync rounds so far (the SEQUENCE of the changed events). */
  round: { n: number };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;
const CTAG = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>';

/** `discard`: the answer is not kept (http.ts RequestOptions.discard). */
function send(ctx: VariantContext, shape: Shape, body: string, discard = false, onText?: (text: string) => void): Promise<Reply> {
  return ctx.client.request({ method: shape.method, url: shape.target === 'home' ? ctx.homeUrl : ctx.url, headers: { 'Content-Type': shape.contentType, Depth: shape.depth }, body, discard, ...(onText ? { onText } : {}) });
}

function expect207(r: Reply, what: string): void {
  if (r.status !== 207) throw new Error(`${what}: HTTP ${r.status} ${r.body.slice(0, 200).replace(/\s+/g, ' ')}`);
}

function truth(ctx: VariantContext): Truth {
  return { ics: new Map([...ctx.current].map(([k, e]) => [k, e.ics])), etags: ctx.etags, collectionPath: ctx.collectionPath };
}

/** The names a variant's first request must return: every object, or the hits of its range. */
function expectedNames(ctx: VariantContext, v: Variant): Set<string> {
  return v.range ? ctx.expected(v.range).hits : new Set(ctx.current.keys());
}

function fillRange(ctx: VariantContext, v: Variant): { start?: number; end?: number } {
  return v.range ? rangeOf(v.range, ctx.month) : {};
}

async function listingOnce(ctx: VariantContext, v: Variant, discard = false, onText?: (text: string) => void): Promise<{ r: Reply; body: string }> {
  const body = renderBody(v.request, fillRange(ctx, v));
  const r = await send(ctx, v.request, body, discard, onText);
  expect207(r, `${v.name} ${v.request.method}`);
  return { r, body };
}

/** Untimed runs at most before a listing's or query's timed ones, and before an initial sync's (repeat.ts warmUp). */
export const LISTING_WARMUP = 5;
/**
 * An initial sync's warm-up: up to 8 runs, ended by two in a row that are not faster (repeat.ts
 * warmUp). Four runs ended by one were too few: its timed runs kept falling (repeat.ts).
 */
export const SYNC_WARMUP = 8;
export const SYNC_WARMUP_PATIENCE = 2;
/** Untimed rounds (10 PUTs and the sync) before an incremental sync's timed ones. */
export const INCREMENTAL_WARMUP = 3;

function warmed(res: { coldMs?: number; warmupRuns?: number }, w: WarmUp): void {
  res.coldMs = round1(w.coldMs);
  res.warmupRuns = w.runs;
}

/** The note's account of the untimed runs. */
export function warmUpNote(res: { coldMs?: number; warmupRuns?: number }): string {
  if (res.coldMs === undefined) return '';
  return `; first (warm-up) run ${res.coldMs} ms${(res.warmupRuns ?? 1) > 1 ? `, ${res.warmupRuns} warm-up runs` : ''}, not counted`;
}

export async function runVariant(ctx: VariantContext, v: Variant): Promise<VariantResult> {
  const target = TARGETS[v.kind];
  const res: VariantResult = { name: v.name, client: v.client, kind: v.kind, what: v.what, value: null, unit: target.unit, exact: false, note: '', load: [os.loadavg()[0]!, 0] };
  if (v.reference) res.reference = v.reference;
  try {
    let verdict: Verdict;
    if (v.kind === 'listing' || v.kind === 'query' || v.kind === 'query-data' || v.kind === 'query-expand') {
      warmed(res, await warmUp(LISTING_WARMUP, async () => (await listingOnce(ctx, v, true)).r.ms));
      // Only run 0's answer is kept (and verified): see repeat.ts.
      let first = '';
      const runs = await ctx.repeat(10, async (run) => {
        const { r } = await listingOnce(ctx, v, run !== 0);
        if (run === 0) first = r.body;
        return r.ms;
      });
      const exp = v.range ? ctx.expected(v.range) : null;
      verdict = verifyListing(first, v, expectedNames(ctx, v), truth(ctx), exp);
      res.value = round1(median(runs));
      res.runsMs = runs.map(round1);
      res.bytes = first.length;
    } else if (v.kind === 'initial-sync') {
      const fetch = v.fetch!;
      // The listing and the multigets' answers of the verified run (run 0) only: repeat.ts.
      const kept = { list: '', bodies: [] as string[] };
      // What to fetch, as a client reads it (href and status only): not removed, not the collection.
      const wanted = (m: Listed) => (m.status !== 404 && hrefPath(m.href).replace(/\/+$/, '') !== ctx.collectionPath ? hrefPath(m.href) : null);
      const once = async (keep: boolean) => {
        const t0 = performance.now();
        // A listing read as it arrives (a pipelined fetch) is kept only when it is verified.
        const list = async (onText?: (text: string) => void) => (await listingOnce(ctx, v, !keep && onText !== undefined, onText)).r;
        const { listing: r, answers } = await listAndFetch(list, wanted, fetch, async (batch) => {
          const f = await send(ctx, fetch, renderBody(fetch, { hrefs: batch }), !keep);
          expect207(f, `${v.name} multiget`);
          return f;
        });
        if (keep) {
          kept.list = r.body;
          kept.bodies = answers.map((f) => f.body);
        }
        return { ms: performance.now() - t0, requests: 1 + answers.length };
      };
      warmed(res, await warmUp(SYNC_WARMUP, async () => (await once(false)).ms, SYNC_WARMUP_PATIENCE));
      const runs = await ctx.repeat(5, (run) => once(run === 0));
      const names = expectedNames(ctx, v);
      const listed = verifyListing(kept.list, v, names, truth(ctx));
      const fetched = verifyFetched(kept.bodies, v, names, truth(ctx));
      verdict = { exact: listed.exact && fetched.exact, rewritten: fetched.rewritten, note: `listed: ${listed.note}; ${fetched.note}` };
      res.value = round1(median(runs.map((x) => x.ms)));
      res.runsMs = runs.map((x) => round1(x.ms));
      res.requests = runs[0]!.requests;
    } else if (v.kind === 'poll') {
      const body = renderBody(v.request, {});
      const first = await send(ctx, v.request, body);
      expect207(first, `${v.name} PROPFIND`);
      verdict = verifyPoll(first.body, v, ctx.collectionPath);
      let errors = 0;
      const { latencies, elapsed } = await closedLoop(ctx.pollSeconds, 16, async () => {
        const r = await send(ctx, v.request, body);
        if (r.status !== 207 || !r.body.includes('getctag')) errors++;
        return r.ms;
      });
      if (errors) verdict = { exact: false, note: `${verdict.note}; ${errors} errors in the loop` };
      res.value = round1(latencies.length / elapsed);
      res.p50 = round2(percentile(latencies, 50));
      res.p99 = round2(percentile(latencies, 99));
      res.requests = latencies.length;
      res.bytes = first.body.length;
    } else {
      // incremental: read the token, PUT 10 changed events, sync from the token.
      const names = [...ctx.current.keys()];
      const oneRound = async () => {
        const round = ++ctx.round.n;
        const r0 = await ctx.client.request({ method: 'PROPFIND', url: ctx.url, headers: { 'Content-Type': 'application/xml; charset=utf-8', Depth: '0' }, body: CTAG });
        expect207(r0, 'PROPFIND Depth 0');
        const token = parseMultistatus(r0.body, ['sync-token'])[0]?.props.get('sync-token')?.trim();
        if (!token) throw new Error('no DAV:sync-token on the calendar');
        const changed = new Set<string>();
        while (changed.size < 10) changed.add(names[Math.floor(ctx.rng.next() * names.length)]!);
        for (const name of changed) {
          const ev = modifyEvent(ctx.current.get(name)!, round);
          const put = await ctx.client.request({ method: 'PUT', url: `${ctx.collectionPath}/${encodeURIComponent(name)}`, headers: { 'Content-Type': 'text/calendar; charset=utf-8' }, body: ev.ics });
          if (![200, 201, 204].includes(put.status)) throw new Error(`PUT (change): HTTP ${put.status}`);
          ctx.current.set(name, ev);
          const etag = put.headers.etag;
          if (typeof etag === 'string') ctx.etags.set(name, etag);
          else ctx.etags.delete(name);
        }
        const r = await send(ctx, v.request, renderBody(v.request, { token }));
        expect207(r, `${v.name} sync-collection`);
        return { ms: r.ms, verdict: verifySync(r.body, v, changed, truth(ctx)) };
      };
      // Untimed rounds first, as every other kind has warm-up runs: the first sync from a token
      // runs code no earlier variant ran (in the PostgreSQL pair, 3–6 ms against 2 for the later
      // rounds). They are verified like the timed ones.
      const warm = [];
      for (let i = 0; i < INCREMENTAL_WARMUP; i++) warm.push(await oneRound());
      res.coldMs = round1(warm[0]!.ms);
      res.warmupRuns = warm.length;
      const rounds = [...warm, ...(await ctx.repeat(10, oneRound))];
      const timed = rounds.slice(warm.length);
      const bad = rounds.find((x) => !x.verdict.exact);
      verdict = bad ? { exact: false, note: `a round: ${bad.verdict.note}` } : { exact: true, note: `${timed.length}×10 changes, exactly reported` };
      res.value = round2(median(timed.map((x) => x.ms)));
      res.runsMs = timed.map((x) => round2(x.ms));
    }
    res.exact = verdict.exact;
    if (verdict.rewritten) res.rewritten = true;
    res.note = verdict.note + warmUpNote(res);
  } catch (err) {
    res.error = (err as Error).message;
    res.note = `error: ${res.error}`;
  }
  res.load[1] = os.loadavg()[0]!;
  return res;
}

/** A measured figure of either run (calendar or address book), as the target checks read it. */
export interface Measured {
  kind: Variant['kind'];
  value: number | null;
  exact: boolean;
  p99?: number;
  reference?: string;
}

/** Whether a variant's figure meets its target (and its answer was exact); null for a reference variant, which has none. */
export function meetsVariantTarget(r: Measured): boolean | null {
  if (r.reference) return null;
  const t = TARGETS[r.kind];
  if (r.value === null || !r.exact) return false;
  const ok = t.op === '<=' ? r.value <= t.value : r.value >= t.value;
  return ok && (t.p99 === undefined || (r.p99 !== undefined && r.p99 <= t.p99));
}

/** The target column of a report: the target and ✓/✗, or what a reference variant tracks. */
export function targetCell(r: Measured): string {
  if (r.reference) return 'none (reference)';
  const t = TARGETS[r.kind];
  return `${t.op === '>=' ? '≥' : '≤'} ${t.value}${t.p99 !== undefined ? `, p99 ≤ ${t.p99}` : ''} ${meetsVariantTarget(r) ? '✓' : '✗'}`;
}

/** How far a figure is from its target: > 1 misses it (value/target for times, target/value for rates; the p99 counts for polls). */
export function targetRatio(r: VariantResult): number {
  if (r.reference) return 0;
  const t = TARGETS[r.kind];
  if (r.value === null || r.value === 0) return Infinity;
  const main = t.op === '<=' ? r.value / t.value : t.value / r.value;
  return t.p99 !== undefined && r.p99 !== undefined ? Math.max(main, r.p99 / t.p99) : main;
}

