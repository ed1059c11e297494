// Whether the server keeps answering while one costly request runs (SPEC "Limits and bad input":
// no request holds the event loop for more than a few tens of milliseconds). /healthz is probed
// back to back during the work and compared with its idle latency, because the machine running
// the tests may be loaded.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as assert from 'uvu/assert';
import type { TestServer } from './server.js';

export async function healthz(srv: TestServer): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${srv.url}/healthz`);
  await res.text();
  return performance.now() - t0;
}

export async function idleLatency(srv: TestServer): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 15; i++) samples.push(await healthz(srv));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** Runs `work` while probing /healthz back to back; the worst probe latency and the work's result. */
export async function probeDuring<T>(srv: TestServer, work: () => Promise<T>): Promise<{ worst: number; probes: number; result: T; ms: number }> {
  let done = false;
  const t0 = performance.now();
  const running = work().finally(() => { done = true; });
  let worst = 0;
  let probes = 0;
  await new Promise((r) => setTimeout(r, 5));
  while (!done) {
    worst = Math.max(worst, await healthz(srv));
    probes++;
  }
  const result = await running;
  return { worst, probes, result, ms: performance.now() - t0 };
}

/**
 * /healthz answered promptly while the report ran: within a generous multiple of its idle
 * latency, or — on a machine loaded enough to stall any process now and then — in well under
 * half the report's time with several probes answered (the old code held the loop for the
 * whole report, so its one probe waited as long as the report).
 */
export function assertResponsive(run: { worst: number; probes: number; ms: number }, idle: number): void {
  const prompt = run.worst < Math.max(400, 40 * idle);
  const interleaved = run.probes >= 5 && run.worst < run.ms / 2;
  assert.ok(prompt || interleaved, `healthz took ${run.worst.toFixed(0)} ms during the report (idle ${idle.toFixed(1)} ms, report ${run.ms.toFixed(0)} ms, ${run.probes} probes)`);
}


/**
 * The longest the event loop was held while `work` ran, in ms. The test server runs in the test's
 * process, so a probe cannot even be sent while the server holds the loop: a stall that starts
 * between two probes is missed by probeDuring, never by this.
 */
export async function longestStall<T>(work: () => Promise<T>): Promise<{ stall: number; result: T }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  try {
    const result = await work();
    return { stall: delay.max / 1e6, result };
  } finally {
    delay.disable();
  }
}
