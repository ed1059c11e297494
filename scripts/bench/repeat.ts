// The repetition of a latency phase, shared by the calendar and the address-book runs.
import { performance } from 'node:perf_hooks';

/**
 * Runs fn at least once, then again while `budgetSeconds` last (at most `max` times); fn gets the
 * run's index. Callers keep what they verify from run 0 only: the answers of every run of an
 * initial sync (5 × 14 MB of multiget bodies for DAVx5's 900 requests) held in the bench's own
 * heap made its garbage collector, on the two cores it shares with the server, part of what later
 * runs measured (a probe client keeping them: 900–1000 ms a sync against 720–740 ms without).
 */
export async function repeatWithin<T>(max: number, budgetSeconds: number, fn: (run: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  const t0 = performance.now();
  while (out.length < max) {
    out.push(await fn(out.length));
    if (performance.now() - t0 > budgetSeconds * 1000) break;
  }
  return out;
}

/** What warmUp did: the first run's time and how many untimed runs it made. */
export interface WarmUp {
  coldMs: number;
  runs: number;
}

/**
 * Untimed runs before a latency phase's timed ones, until the server stops getting faster: until
 * `patience` runs in a row are each no more than 5% faster than the best before them, at most
 * `max` runs. One run was not
 * enough: V8 compiles a function called once per request only after a few thousand requests, and
 * the same 890 multigets of DAVx5's sync took 1409, 948, 678, 603, 531 and 491 ms in a row on a
 * fresh server (server CPU 1350 → 460 ms), so a variant's figure depended on how many requests
 * the variants before it had sent. A server in use has long passed that point. The first run is
 * reported (coldMs) beside the figure, and its CPU counts in the per-run CPU.
 * A patience of 1 ends the warm-up at the first run that is not faster; on this host, whose speed
 * changes within seconds, one slow run then ended it while the server was still getting faster,
 * and the timed runs went on falling (card-davx5-initial-sync: 921, 686, 654, 568, 516 ms after
 * three warm-up runs; davx5-initial-sync: 597, 586, 385, 321, 316 after four).
 */
export async function warmUp(max: number, run: () => Promise<number>, patience = 1): Promise<WarmUp> {
  const coldMs = await run();
  let best = coldMs;
  let runs = 1;
  let flat = 0;
  while (runs < max) {
    const ms = await run();
    runs++;
    if (ms > best * 0.95) {
      if (++flat >= patience) break;
    } else flat = 0;
    best = Math.min(best, ms);
  }
  return { coldMs, runs };
}
