// The address-book run of the bench (issue 14 item 7): N cards uploaded to an empty address book,
// then the client variants of addressbook-variants.ts — listing, initial sync, polling,
// incremental sync and an addressbook-query on FN/EMAIL — each with its client's exact bodies,
// each answer checked exact (every member, every etag as PUT returned it, address-data byte for
// byte, the query's hits as computed here), with the same targets as the calendar run.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { expectedQueryHits, modifyCard, type BenchCard } from './addressbook-cards.js';
import { BOOK_VARIANTS, withTerm, type BookVariant } from './addressbook-variants.js';
import { closedLoop, DavClient, median, percentile, pool, type Reply } from './http.js';
import { hrefName, hrefPath, parseMultistatus, type MsResponse } from './multistatus.js';
import { Prng } from './prng.js';
import { INCREMENTAL_WARMUP, LISTING_WARMUP, meetsVariantTarget, SYNC_WARMUP, SYNC_WARMUP_PATIENCE, warmUpNote } from './run-variants.js';
import { renderBody, TARGETS, type Shape } from './variants.js';
import { repeatWithin, warmUp } from './repeat.js';
import { listAndFetch, type Listed } from './fetch-batches.js';

export interface BookOptions {
  /** The address book's URL (trailing slash). */
  url: string;
  user: string;
  password: string;
  cards: BenchCard[];
  /** The text of the query's text-match. */
  term: string;
  seed: string;
  pollSeconds: number;
  repeatBudgetSeconds: number;
  variants: BookVariant[];
  log: (line: string) => void;
  /** The server's processor time so far (workload.ts's /proc sampler), or null (--url). */
  sample?: (() => { cpuSeconds: number } | null) | null;
}

export interface BookResult {
  name: string;
  client: string;
  kind: BookVariant['kind'];
  what: string;
  value: number | null;
  unit: 'ms' | 'req/s';
  p99?: number;
  runsMs?: number[];
  /** The first run, before the timed ones and not counted (run-variants.ts VariantResult.coldMs). */
  coldMs?: number;
  /** Untimed runs before the timed ones, the first included (repeat.ts warmUp). */
  warmupRuns?: number;
  requests?: number;
  bytes?: number;
  /** Server processor ms per timed run (per request for polls; per round, its 10 PUTs included, for incremental syncs). */
  serverCpuMs?: number;
  exact: boolean;
  note: string;
  load: [number, number];
  /** BookVariant.reference: reported without a target. */
  reference?: string;
}

export interface BookRun {
  n: number;
  uploadSeconds: number | null;
  uploadPerSecond: number | null;
  results: BookResult[];
  loadAverage: { before: number; after: number };
  errors: string[];
  /** Monotonic windows of the upload and of each variant (for bench-profile.js --phase). */
  phases: { name: string; startUs: number; endUs: number }[];
}

const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;
const CTAG = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>';
const WANTED = ['getetag', 'getcontenttype', 'resourcetype', 'address-data', 'getctag', 'sync-token'];

interface Ctx {
  client: DavClient;
  o: BookOptions;
  path: string;
  current: Map<string, BenchCard>;
  etags: Map<string, string>;
  rng: Prng;
  round: number;
}

/** `discard`: the answer is not kept (http.ts RequestOptions.discard). */
function send(ctx: Ctx, shape: Shape, body: string, discard = false, onText?: (text: string) => void): Promise<Reply> {
  return ctx.client.request({ method: shape.method, url: ctx.o.url, headers: { 'Content-Type': shape.contentType, Depth: shape.depth }, body, discard, ...(onText ? { onText } : {}) });
}

function expect207(r: Reply, what: string): void {
  if (r.status !== 207) throw new Error(`${what}: HTTP ${r.status} ${r.body.slice(0, 300).replace(/\s+/g, ' ')}`);
}

function members(ctx: Ctx, body: string): MsResponse[] {
  return parseMultistatus(body, WANTED).filter((m) => hrefPath(m.href).replace(/\/+$/, '') !== ctx.path && m.href !== '');
}

/** Every member exactly once, with the properties asked and the etags PUT returned. */
function checkListing(ctx: Ctx, v: BookVariant, ms: MsResponse[], names: ReadonlySet<string>): string | null {
  const seen = new Set<string>();
  for (const m of ms) {
    const name = hrefName(m.href);
    if (!names.has(name)) return `unexpected member ${name}`;
    if (seen.has(name)) return `${name} listed twice`;
    seen.add(name);
    for (const p of v.memberProps) if (!m.props.has(p)) return `${name} lacks ${p}`;
    if (m.props.has('getetag') && m.props.get('getetag') !== ctx.etags.get(name)) return `${name}: getetag ${m.props.get('getetag')} ≠ PUT's ${ctx.etags.get(name)}`;
    if (m.props.has('address-data') && m.props.get('address-data') !== ctx.current.get(name)!.text) return `${name}: address-data differs from the card PUT`;
  }
  if (seen.size !== names.size) return `${names.size - seen.size} of ${names.size} members missing`;
  return null;
}

function fill(ctx: Ctx, shape: Shape, extra: { token?: string; hrefs?: readonly string[] } = {}): string {
  return renderBody(withTerm(shape, ctx.o.term), extra);
}

async function runOne(ctx: Ctx, v: BookVariant): Promise<BookResult> {
  const target = TARGETS[v.kind];
  const res: BookResult = { name: v.name, client: v.client, kind: v.kind, what: v.what, value: null, unit: target.unit, exact: false, note: '', load: [os.loadavg()[0]!, 0] };
  if (v.reference) res.reference = v.reference;
  const all = new Set(ctx.current.keys());
  const repeat = <T>(max: number, fn: (run: number) => Promise<T>): Promise<T[]> => repeatWithin(max, ctx.o.repeatBudgetSeconds, fn);
  const cpu0 = ctx.o.sample?.()?.cpuSeconds ?? null;
  let units = 0;
  try {
    let problem: string | null = null;
    if (v.kind === 'listing' || v.kind === 'query') {
      const body = fill(ctx, v.request);
      // Only run 0's answer is kept (and verified): repeat.ts.
      let first = '';
      const once = async (keep: boolean) => {
        const r = await send(ctx, v.request, body, !keep);
        expect207(r, v.name);
        if (keep) first = r.body;
        return r.ms;
      };
      const w = await warmUp(LISTING_WARMUP, () => once(false));
      res.coldMs = round1(w.coldMs);
      res.warmupRuns = w.runs;
      const runs = await repeat(10, (run) => once(run === 0));
      const expected = v.kind === 'query' ? expectedQueryHits([...ctx.current.values()], ctx.o.term) : all;
      problem = checkListing(ctx, v, members(ctx, first), expected);
      res.value = round1(median(runs));
      res.runsMs = runs.map(round1);
      units = runs.length + w.runs; // the warm-up runs' CPU is in the window too
      res.bytes = first.length;
      if (!problem) res.note = `${expected.size} members${v.kind === 'query' ? ` match "${ctx.o.term}"` : ''}, exact`;
    } else if (v.kind === 'initial-sync') {
      const fetch = v.fetch!;
      // The listing and the multigets' answers of the verified run (run 0) only: repeat.ts.
      const kept = { list: '', bodies: [] as string[] };
      // What to fetch, as a client reads it (href and status only); the whole listing is checked
      // after the timed runs.
      const wanted = (m: Listed) => (m.status !== 404 && m.href !== '' && hrefPath(m.href).replace(/\/+$/, '') !== ctx.path ? hrefPath(m.href) : null);
      const once = async (keep: boolean) => {
        const t0 = performance.now();
        // A listing read as it arrives (a pipelined fetch) is kept only when it is verified.
        const list = async (onText?: (text: string) => void) => {
          const r = await send(ctx, v.request, fill(ctx, v.request), !keep && onText !== undefined, onText);
          expect207(r, `${v.name} listing`);
          return r;
        };
        const { listing: r, answers } = await listAndFetch(list, wanted, fetch, async (batch) => {
          const f = await send(ctx, fetch, fill(ctx, fetch, { hrefs: batch }), !keep);
          expect207(f, `${v.name} multiget of ${batch.length}`);
          return f;
        });
        if (keep) kept.bodies = answers.map((f) => f.body);
        let requests = 1 + answers.length;
        if (v.after) {
          expect207(await send(ctx, v.after, fill(ctx, v.after)), `${v.name} token`);
          requests++;
        }
        if (keep) kept.list = r.body;
        return { ms: performance.now() - t0, requests };
      };
      const w = await warmUp(SYNC_WARMUP, async () => (await once(false)).ms, SYNC_WARMUP_PATIENCE);
      res.coldMs = round1(w.coldMs);
      res.warmupRuns = w.runs;
      const runs = await repeat(5, (run) => once(run === 0));
      units = runs.length + w.runs; // with the warm-up runs
      problem = checkListing(ctx, { ...v, memberProps: v.memberProps }, members(ctx, kept.list).filter((m) => m.status !== 404), all);
      if (!problem) {
        const fetched = kept.bodies.flatMap((b) => members(ctx, b));
        problem = checkListing(ctx, { ...v, memberProps: ['getetag', 'address-data'] }, fetched, all);
      }
      res.value = round1(median(runs.map((x) => x.ms)));
      res.runsMs = runs.map((x) => round1(x.ms));
      res.requests = runs[0]!.requests;
      if (!problem) res.note = `${all.size} listed and fetched, address-data byte for byte`;
    } else if (v.kind === 'poll') {
      const token = await currentToken(ctx);
      const body = fill(ctx, v.request, { token });
      const first = await send(ctx, v.request, body);
      expect207(first, v.name);
      const top = parseMultistatus(first.body, WANTED);
      if (v.request.method === 'PROPFIND') {
        if (top.length !== 1 || v.memberProps.some((p) => !top[0]!.props.has(p))) problem = `expected one response with ${v.memberProps.join(', ')}`;
      } else if (top.length !== 0) problem = `sync without changes answered ${top.length} responses`;
      let errors = 0;
      const { latencies, elapsed } = await closedLoop(ctx.o.pollSeconds, 16, async () => {
        const r = await send(ctx, v.request, body);
        if (r.status !== 207) errors++;
        return r.ms;
      });
      if (errors && !problem) problem = `${errors} errors in the loop`;
      res.value = round1(latencies.length / elapsed);
      res.p99 = round2(percentile(latencies, 99));
      res.requests = latencies.length;
      units = latencies.length + 1;
      res.bytes = first.body.length;
      if (!problem) res.note = `p50 ${round2(percentile(latencies, 50))} ms, p99 ${res.p99} ms`;
    } else {
      const names = [...ctx.current.keys()];
      const oneRound = async () => {
        const round = ++ctx.round;
        const token = await currentToken(ctx);
        const changed = new Set<string>();
        while (changed.size < 10) changed.add(names[Math.floor(ctx.rng.next() * names.length)]!);
        for (const name of changed) {
          const card = modifyCard(ctx.current.get(name)!, round);
          const put = await ctx.client.request({ method: 'PUT', url: `${ctx.path}/${encodeURIComponent(name)}`, headers: { 'Content-Type': 'text/vcard; charset=utf-8' }, body: card.text });
          if (![200, 201, 204].includes(put.status)) throw new Error(`PUT (change): HTTP ${put.status} ${put.body.slice(0, 200)}`);
          ctx.current.set(name, card);
          if (typeof put.headers.etag === 'string') ctx.etags.set(name, put.headers.etag);
        }
        const r = await send(ctx, v.request, fill(ctx, v.request, { token }));
        expect207(r, `${v.name} sync-collection`);
        return { ms: r.ms, problem: checkListing(ctx, v, members(ctx, r.body), changed) };
      };
      // Untimed rounds first, verified too (run-variants.ts INCREMENTAL_WARMUP).
      const warm = [];
      for (let i = 0; i < INCREMENTAL_WARMUP; i++) warm.push(await oneRound());
      res.coldMs = round1(warm[0]!.ms);
      res.warmupRuns = warm.length;
      const timed = await repeat(10, oneRound);
      const rounds = [...warm, ...timed];
      problem = rounds.find((x) => x.problem)?.problem ?? null;
      units = rounds.length;
      res.value = round2(median(timed.map((x) => x.ms)));
      res.runsMs = timed.map((x) => round2(x.ms));
      if (!problem) res.note = `${timed.length}×10 changes, exactly reported`;
    }
    res.exact = problem === null;
    if (problem) res.note = problem;
    else res.note += warmUpNote(res);
  } catch (err) {
    res.note = `error: ${(err as Error).message}`;
  }
  const cpu1 = ctx.o.sample?.()?.cpuSeconds ?? null;
  if (cpu0 !== null && cpu1 !== null && units > 0) res.serverCpuMs = round1(((cpu1 - cpu0) * 1000) / units);
  res.load[1] = os.loadavg()[0]!;
  return res;
}

async function currentToken(ctx: Ctx): Promise<string> {
  const r = await ctx.client.request({ method: 'PROPFIND', url: ctx.o.url, headers: { 'Content-Type': 'application/xml; charset=utf-8', Depth: '0' }, body: CTAG });
  expect207(r, 'PROPFIND Depth 0 (token)');
  const token = parseMultistatus(r.body, ['sync-token'])[0]?.props.get('sync-token')?.trim();
  if (!token) throw new Error('no DAV:sync-token on the address book');
  return token;
}

const ORDER: BookVariant['kind'][] = ['listing', 'initial-sync', 'poll', 'incremental', 'query'];

export async function runAddressBook(o: BookOptions): Promise<BookRun> {
  const client = new DavClient(o.url, o.user, o.password, 32);
  const ctx: Ctx = { client, o, path: new URL(o.url).pathname.replace(/\/+$/, ''), current: new Map(o.cards.map((c) => [c.name, c])), etags: new Map(), rng: new Prng(`${o.seed}/book`), round: 0 };
  const run: BookRun = { n: o.cards.length, uploadSeconds: null, uploadPerSecond: null, results: [], loadAverage: { before: os.loadavg()[0]!, after: 0 }, errors: [], phases: [] };
  try {
    const pre = await client.request({ method: 'PROPFIND', url: o.url, headers: { 'Content-Type': 'application/xml', Depth: '1' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>' });
    expect207(pre, 'PROPFIND of the address book');
    if (members(ctx, pre.body).length > 0) throw new Error(`${o.url} is not empty`);
    o.log(`  upload of ${o.cards.length} cards…`);
    const t0 = performance.now();
    const up0 = monoUs();
    let failed = 0;
    let firstError = '';
    await pool(o.cards, 4, async (c) => {
      const r = await client.request({ method: 'PUT', url: `${ctx.path}/${encodeURIComponent(c.name)}`, headers: { 'Content-Type': 'text/vcard; charset=utf-8', 'If-None-Match': '*' }, body: c.text });
      if (typeof r.headers.etag === 'string') ctx.etags.set(c.name, r.headers.etag);
      if (r.status !== 201 && r.status !== 204) {
        failed++;
        firstError ||= `${c.name}: HTTP ${r.status} ${r.body.slice(0, 300)}`;
      }
    });
    run.phases.push({ name: 'upload', startUs: up0, endUs: monoUs() });
    run.uploadSeconds = round2((performance.now() - t0) / 1000);
    run.uploadPerSecond = round1(o.cards.length / run.uploadSeconds);
    o.log(`    ${run.uploadSeconds} s (${run.uploadPerSecond} cards/s)${failed ? `; ${failed} failed, first: ${firstError}` : ''}`);
    if (failed) throw new Error(`${failed} PUTs failed; first: ${firstError}`);
    for (const kind of ORDER) {
      for (const v of o.variants.filter((x) => x.kind === kind)) {
        o.log(`  ${v.name}…`);
        const startUs = monoUs();
        const r = await runOne(ctx, v);
        run.phases.push({ name: v.name, startUs, endUs: monoUs() });
        o.log(`    ${r.value ?? '—'} ${r.unit}${r.serverCpuMs !== undefined ? ` (server CPU ${r.serverCpuMs} ms each)` : ''}${r.exact ? '' : ' NOT EXACT'}: ${r.note}`);
        run.results.push(r);
      }
    }
  } catch (err) {
    run.errors.push((err as Error).message);
    o.log(`  ! ${(err as Error).message}`);
  } finally {
    client.close();
  }
  run.loadAverage.after = os.loadavg()[0]!;
  return run;
}


/** The run as a markdown table (docs/performance.md's address-book section). */
export function renderBookTable(run: BookRun): string {
  const lines = [
    `Upload: ${run.n} cards in ${run.uploadSeconds ?? '—'} s (${run.uploadPerSecond ?? '—'} cards/s, 4 at a time). 1-min load average ${run.loadAverage.before.toFixed(1)} before, ${run.loadAverage.after.toFixed(1)} after.`,
    '',
    '| variant | client | request | figure | server CPU | target | exact | met | notes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of run.results) {
    const t = TARGETS[r.kind];
    const met = meetsVariantTarget(r);
    lines.push(`| ${r.name} | ${r.client} | ${r.what} | ${r.value ?? '—'} ${r.unit}${r.p99 !== undefined ? ` (p99 ${r.p99} ms)` : ''} | ${r.serverCpuMs !== undefined ? `${r.serverCpuMs} ms` : '—'} | ${r.reference ? 'none (reference)' : `${t.op === '<=' ? '≤' : '≥'} ${t.value} ${t.unit}`} | ${r.exact ? 'yes' : 'NO'} | ${met === null ? '—' : met ? 'yes' : 'no'} | ${r.note.replace(/\|/g, '/')} (load ${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)}) |`);
  }
  if (run.errors.length) lines.push('', `Errors: ${run.errors.join('; ')}`);
  return lines.join('\n');
}

export { BOOK_VARIANTS };
