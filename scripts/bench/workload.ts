// The benchmark workload against one CalDAV calendar URL. Each phase records its figures and
// whether the answers were exact; a phase that fails records the error and the run goes on.
import { performance } from 'node:perf_hooks';
import { modifyEvent, type BenchEvent } from './generate.js';
import type { Expected } from './expected.js';
import { closedLoop, DavClient, median, percentile, pool, type Reply } from './http.js';
import { hrefName, hrefPath, parseMultistatus, topLevelSyncToken } from './multistatus.js';
import { Prng } from './prng.js';
import type { ProcSample } from './proc.js';

export interface WorkloadOptions {
  url: string;
  user: string;
  password: string;
  events: readonly BenchEvent[];
  range: { start: number; end: number };
  expected: Expected;
  seed: string;
  pollSeconds: number;
  getSeconds: number;
  /** Upper bound, per latency phase, on the time spent repeating it (the first run always counts). */
  repeatBudgetSeconds: number;
  clean: boolean;
  sample: (() => ProcSample | null) | null;
  log: (line: string) => void;
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
  /** Server RSS and peak RSS (VmHWM) in MB at the end of each phase: which phase set the peak. */
  memByPhase: Record<string, { rssMb: number; peakMb: number }>;
  /** Phase windows on the monotonic clock in µs (the clock of V8's .cpuprofile timestamps). */
  phases: { name: string; startUs: number; endUs: number }[];
  errors: string[];
}

const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);

const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const PROPFIND_ETAG = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>';
const PROPFIND_CTAG = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>';

function multigetBody(hrefs: readonly string[]): string {
  return '<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    + `<d:prop><d:getetag/><c:calendar-data/></d:prop>${hrefs.map((h) => `<d:href>${escapeXml(h)}</d:href>`).join('')}</c:calendar-multiget>`;
}
function syncBody(token: string): string {
  return '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">'
    + `<d:sync-token>${escapeXml(token)}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
}
export function utcStamp(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}
function queryBody(start: number, end: number, expand: boolean): string {
  const range = `start="${utcStamp(start)}" end="${utcStamp(end)}"`;
  const prop = expand ? `<d:getetag/><c:calendar-data><c:expand ${range}/></c:calendar-data>` : '<d:getetag/>';
  return '<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    + `<d:prop>${prop}</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range ${range}/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
}
function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

class PhaseError extends Error {}
function expectStatus(r: Reply, ok: number[], what: string): void {
  if (!ok.includes(r.status)) throw new PhaseError(`${what}: HTTP ${r.status} ${r.body.slice(0, 200).replace(/\s+/g, ' ')}`);
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

export async function runWorkload(o: WorkloadOptions): Promise<RunResult> {
  const client = new DavClient(o.url, o.user, o.password, 32);
  const collectionPath = new URL(o.url).pathname.replace(/\/+$/, '');
  const isMember = (href: string) => hrefPath(href).replace(/\/+$/, '') !== collectionPath && hrefPath(href) !== '';
  const result: RunResult = { url: o.url, n: o.events.length, metrics: {}, details: {}, cpuByPhase: {}, memByPhase: {}, phases: [], errors: [] };
  const current = new Map(o.events.map((e) => [e.name, e]));
  const byUid = new Map(o.events.map((e) => [e.uid, e.name]));
  const hrefOf = (name: string) => `${collectionPath}/${encodeURIComponent(name)}`;
  const rng = new Prng(`${o.seed}/workload`);

  const phase = async (name: string, fn: () => Promise<void>) => {
    const before = o.sample?.()?.cpuSeconds ?? null;
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
    if (end) result.memByPhase[name] = { rssMb: round1(end.rssMb), peakMb: round1(end.peakRssMb) };
    o.log(`    (${((performance.now() - t0) / 1000).toFixed(1)} s${end ? `; server RSS ${end.rssMb.toFixed(0)} MB, peak ${end.peakRssMb.toFixed(0)} MB` : ''})`);
  };
  /** Runs fn at least once, then again while the budget lasts (at most `max` times). */
  const repeat = async <T>(max: number, fn: () => Promise<T>): Promise<T[]> => {
    const out: T[] = [];
    const t0 = performance.now();
    while (out.length < max) {
      out.push(await fn());
      if (performance.now() - t0 > o.repeatBudgetSeconds * 1000) break;
    }
    return out;
  };
  const listing = async () => {
    const r = await client.request({ method: 'PROPFIND', url: o.url, headers: { ...XML, Depth: '1' }, body: PROPFIND_ETAG });
    expectStatus(r, [207], 'PROPFIND Depth 1');
    return { r, members: parseMultistatus(r.body, ['getetag']).filter((m) => isMember(m.href)) };
  };
  const ctag = async () => {
    const r = await client.request({ method: 'PROPFIND', url: o.url, headers: { ...XML, Depth: '0' }, body: PROPFIND_CTAG });
    expectStatus(r, [207], 'PROPFIND Depth 0');
    return r;
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
      if (r.status !== 201 && r.status !== 204) {
        errors++;
        firstError ||= `${ev.name}: HTTP ${r.status} ${r.body.slice(0, 300)}`;
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    result.metrics.upload_eps = { value: round1(o.events.length / seconds), exact: errors === 0, ...(errors ? { note: `${errors} failed` } : {}) };
    result.details.upload = { seconds: round2(seconds), errors, firstError };
  });

  // --- etag listing
  await phase('etag listing', async () => {
    const runs = await repeat(10, listing);
    const count = runs[0]!.members.length;
    const withEtag = runs[0]!.members.filter((m) => m.props.get('getetag')).length;
    const exact = count === o.events.length && withEtag === count;
    result.metrics.etag_listing_ms = { value: round1(median(runs.map((x) => x.r.ms))), exact, note: `${count} etags` };
    result.details.etagListing = { runsMs: runs.map((x) => round1(x.r.ms)), count, withEtag, bytes: runs[0]!.r.body.length };
  });

  // --- initial sync: listing + multiget in batches of 100, then verify every event by UID
  await phase('initial sync', async () => {
    const once = async () => {
      const t0 = performance.now();
      const { members } = await listing();
      const hrefs = members.map((m) => hrefPath(m.href));
      const bodies: string[] = [];
      for (let i = 0; i < hrefs.length; i += 100) {
        const r = await client.request({ method: 'REPORT', url: o.url, headers: { ...XML, Depth: '1' }, body: multigetBody(hrefs.slice(i, i + 100)) });
        expectStatus(r, [207], 'calendar-multiget');
        bodies.push(r.body);
      }
      return { ms: performance.now() - t0, bodies, listed: hrefs.length };
    };
    const runs = await repeat(5, once);
    // Verification (outside the timed part): every generated event present, byte-identical.
    const seen = new Set<string>();
    let identical = 0;
    let sameModuloLineEndings = 0;
    let foreign = 0;
    for (const body of runs[0]!.bodies) {
      for (const m of parseMultistatus(body, ['calendar-data'])) {
        const data = m.props.get('calendar-data');
        if (data === undefined) continue;
        const uid = /(?:^|\n)UID:([^\r\n]*)/.exec(data)?.[1];
        const name = uid === undefined ? undefined : byUid.get(uid);
        if (name === undefined) { foreign++; continue; }
        if (seen.has(name)) continue;
        seen.add(name);
        const want = current.get(name)!.ics;
        if (data === want) identical++;
        else if (data.replace(/\r\n/g, '\n') === want.replace(/\r\n/g, '\n')) sameModuloLineEndings++;
      }
    }
    const exact = seen.size === o.events.length && foreign === 0;
    result.metrics.initial_sync_ms = {
      value: round1(median(runs.map((x) => x.ms))), exact, rewritten: identical < seen.size,
      note: `${seen.size}/${o.events.length} present, ${identical} byte-identical${sameModuloLineEndings ? `, ${sameModuloLineEndings} differ only in line endings` : ''}`,
    };
    result.details.initialSync = { runsMs: runs.map((x) => round1(x.ms)), listed: runs[0]!.listed, present: seen.size, identical, sameModuloLineEndings, foreign, requests: 1 + runs[0]!.bodies.length };
  });

  // --- ctag / sync-token polling
  await phase('polling', async () => {
    let errors = 0;
    const { latencies, elapsed } = await closedLoop(o.pollSeconds, 16, async () => {
      const r = await client.request({ method: 'PROPFIND', url: o.url, headers: { ...XML, Depth: '0' }, body: PROPFIND_CTAG });
      if (r.status !== 207 || !/getctag|sync-token/.test(r.body)) errors++;
      return r.ms;
    });
    result.metrics.poll_rps = { value: round1(latencies.length / elapsed), exact: errors === 0, ...(errors ? { note: `${errors} errors` } : {}) };
    result.metrics.poll_p50_ms = { value: round2(percentile(latencies, 50)) };
    result.metrics.poll_p99_ms = { value: round2(percentile(latencies, 99)) };
    result.details.polling = { requests: latencies.length, seconds: round2(elapsed), errors };
  });

  // --- incremental sync: 10 changes, then sync-collection from the token before them
  await phase('incremental sync', async () => {
    const names = [...current.keys()];
    let round = 0;
    const rounds = await repeat(10, async () => {
      round++;
      const r0 = await ctag();
      const token = parseMultistatus(r0.body, ['sync-token'])[0]?.props.get('sync-token')?.trim();
      if (!token) throw new PhaseError('no DAV:sync-token on the calendar');
      const changed = new Set<string>();
      while (changed.size < 10) changed.add(names[Math.floor(rng.next() * names.length)]!);
      for (const name of changed) {
        const ev = modifyEvent(current.get(name)!, round);
        const r = await client.request({ method: 'PUT', url: hrefOf(name), headers: { 'Content-Type': 'text/calendar; charset=utf-8' }, body: ev.ics });
        expectStatus(r, [200, 201, 204], 'PUT (change)');
        current.set(name, ev);
      }
      const r = await client.request({ method: 'REPORT', url: o.url, headers: { ...XML, Depth: '1' }, body: syncBody(token) });
      expectStatus(r, [207], 'sync-collection');
      const reported = parseMultistatus(r.body, ['getetag']).filter((m) => isMember(m.href));
      const reportedNames = new Set(reported.map((m) => hrefName(m.href)));
      const missing = [...changed].filter((n) => !reportedNames.has(n));
      const extra = [...reportedNames].filter((n) => !changed.has(n));
      const gone = reported.filter((m) => m.status === 404).length;
      const exact = missing.length === 0 && extra.length === 0 && reported.length === 10 && gone === 0 && topLevelSyncToken(r.body) !== null;
      return { ms: r.ms, exact, reported: reported.length, missing: missing.length, extra: extra.length };
    });
    const exact = rounds.every((x) => x.exact);
    const bad = rounds.find((x) => !x.exact);
    result.metrics.incr_sync_ms = {
      value: round2(median(rounds.map((x) => x.ms))), exact,
      note: exact ? `${rounds.length}×10 changes, exactly reported` : `round: ${bad!.reported} reported, ${bad!.missing} missing, ${bad!.extra} extra`,
    };
    result.details.incrementalSync = { rounds };
  });

  // --- one-month time-range query, without and with expand
  const timeRange = async (expand: boolean) => {
    const key = expand ? 'timerange_expand_ms' : 'timerange_ms';
    const runs = await repeat(10, async () => {
      const r = await client.request({ method: 'REPORT', url: o.url, headers: { ...XML, Depth: '1' }, body: queryBody(o.range.start, o.range.end, expand) });
      expectStatus(r, [207], `calendar-query${expand ? ' with expand' : ''}`);
      return r;
    });
    const responses = parseMultistatus(runs[0]!.body, ['getetag', 'calendar-data']).filter((m) => isMember(m.href) && m.status !== 404);
    const names = new Set(responses.map((m) => hrefName(m.href)));
    const missing = [...o.expected.hits].filter((n) => !names.has(n)).length;
    const extra = [...names].filter((n) => !o.expected.hits.has(n)).length;
    let exact = missing === 0 && extra === 0 && responses.length === names.size;
    let note = `${names.size} hits, expected ${o.expected.hits.size}${missing ? `, ${missing} missing` : ''}${extra ? `, ${extra} extra` : ''}`;
    const detail: Record<string, unknown> = { runsMs: runs.map((x) => round1(x.ms)), hits: names.size, expected: o.expected.hits.size, missing, extra };
    if (expand) {
      let instances = 0;
      let wrongInstances = 0;
      let unexpanded = 0;
      for (const m of responses) {
        const data = m.props.get('calendar-data') ?? '';
        const count = (data.match(/(?:^|\n)BEGIN:VEVENT\r?\n/g) ?? []).length;
        instances += count;
        if (/(?:^|\n)RRULE[:;]/.test(data)) unexpanded++;
        const want = o.expected.instancesByName.get(hrefName(m.href));
        if (want !== undefined && want !== count) wrongInstances++;
      }
      exact &&= instances === o.expected.instances && wrongInstances === 0 && unexpanded === 0;
      note += `; ${instances} instances, expected ${o.expected.instances}${unexpanded ? `, ${unexpanded} not expanded (RRULE kept)` : ''}${wrongInstances ? `, ${wrongInstances} resources with a wrong instance count` : ''}`;
      Object.assign(detail, { instances, expectedInstances: o.expected.instances, unexpanded, wrongInstances });
    }
    result.metrics[key] = { value: round1(median(runs.map((x) => x.ms))), exact, note };
    result.details[expand ? 'timeRangeExpand' : 'timeRange'] = detail;
  };
  await phase('time-range', () => timeRange(false));
  await phase('time-range expand', () => timeRange(true));

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
