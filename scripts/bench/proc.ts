// Server resource usage from /proc (Linux): peak RSS (VmHWM) and CPU seconds (utime + stime),
// summed over the server process and its descendants.
import { execSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let clockTicks = 0;
function ticksPerSecond(): number {
  if (clockTicks === 0) {
    try {
      clockTicks = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function descendants(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (kids) for (const k of kids.split(/\s+/)) out.push(Number(k));
      } catch { /* task gone */ }
    }
  }
  return out;
}

export interface ProcSample {
  peakRssMb: number;
  rssMb: number;
  cpuSeconds: number;
  /** CPU seconds of the PostgreSQL backends serving the server (stores.ts), when it runs on PostgreSQL. */
  dbCpuSeconds?: number;
}

/** utime + stime of one process in clock ticks, or null when it is gone. */
export function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

export function ticksToSeconds(ticks: number): number {
  return ticks / ticksPerSecond();
}

export function sampleProcess(pid: number): ProcSample | null {
  let peak = 0;
  let rss = 0;
  let ticks = 0;
  let seen = false;
  for (const p of descendants(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      seen = true;
    } catch { /* process gone */ }
  }
  if (!seen) return null;
  return { peakRssMb: peak / 1024, rssMb: rss / 1024, cpuSeconds: ticks / ticksPerSecond() };
}
