// Runs the real `sundial` command (node bin/sundial.js) in a child process, with a clean
// environment: no SUNDIAL_* variable of the developer's shell leaks into a test.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is compiled to dist/test/helpers/cli.js. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'sundial.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SUNDIAL_')) base[k] = v;
  return { ...base, ...env };
}

export function tempDir(prefix = 'sundial-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Runs `node bin/sundial.js ...args` to completion. `input` is written to stdin (a pipe, so not
 * a TTY) and stdin is closed; the child is killed when it runs longer than `timeoutMs`.
 */
export function run(args: string[], opts: { env: Record<string, string>; input?: string; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sundial ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
    child.stdin.on('error', () => { /* the child may exit before reading stdin */ });
    child.stdin.end(opts.input ?? '');
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** The stdout lines parsed as JSON (the structured log); other lines are skipped. */
  logLines(): Record<string, unknown>[];
  /** Resolves when stdout has a log line whose msg matches. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code and signal; rejects after timeoutMs. */
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (for `finally`). */
  kill(): void;
}

/**
 * Starts `sundial serve` on 127.0.0.1 with port 0 and waits for the "Sundial listening" log line.
 * With `direct`, bin/sundial.js is executed itself (its first line chooses Node's flags), as
 * `npm start` and the systemd unit do; else it runs as `node bin/sundial.js`.
 */
export async function serve(env: Record<string, string>, timeoutMs = 20_000, direct = false): Promise<ServeProcess> {
  const child = spawn(direct ? BIN : process.execPath, direct ? ['serve'] : [BIN, 'serve'], {
    cwd: ROOT,
    env: childEnv({ SUNDIAL_HOST: '127.0.0.1', SUNDIAL_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const notify = () => { for (const w of [...waiters]) w(); };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; notify(); });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; notify(); });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => { exit = { code, signal }; resolve(exit); notify(); });
  });
  const logLines = () =>
    stdout.split('\n').flatMap((l) => {
      try {
        const v = JSON.parse(l) as unknown;
        return v && typeof v === 'object' ? [v as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  const waitForLog = (msg: string | RegExp, ms = timeoutMs) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const hit = logLines().find((l) => typeof l.msg === 'string' && (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg)));
        if (hit) return done(() => resolve(hit));
        if (exit) return done(() => reject(new Error(`sundial serve exited (${exit!.code ?? exit!.signal}) before logging "${msg}"\nstdout: ${stdout}\nstderr: ${stderr}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no log line "${msg}" within ${ms} ms\nstdout: ${stdout}\nstderr: ${stderr}`))), ms);
      const done = (f: () => void) => { clearTimeout(timer); waiters.delete(check); f(); };
      waiters.add(check);
      check();
    });
  const kill = () => { if (exit === null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  /** Resolves once `cond()` holds (checked whenever output arrives), or when the process ends. */
  const waitFor = (cond: () => boolean, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => { if (cond() || exit) done(resolve); };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${ms} ms\nstdout: ${stdout}\nstderr: ${stderr}`))), ms);
      const done = (f: () => void) => { clearTimeout(timer); waiters.delete(check); f(); };
      waiters.add(check);
      check();
    });
  try {
    const listening = await waitForLog('Sundial listening');
    // stderr is a pipe of its own: the first start's password block and the "Open http://…" line,
    // written before and just after the listening log line, can arrive after stdout's line on a
    // loaded machine. The Open line comes last on every start, so wait for it.
    await waitFor(() => /^Open https?:\/\//m.test(stderr), timeoutMs);
    const url = String(listening.url);
    return {
      child,
      url,
      port: Number(new URL(url).port),
      stdout: () => stdout,
      stderr: () => stderr,
      logLines,
      waitForLog,
      exited: (ms = timeoutMs) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`sundial serve did not exit within ${ms} ms\nstdout: ${stdout}`)), ms);
          exitPromise.then((e) => { clearTimeout(timer); resolve(e); });
        }),
      kill,
    };
  } catch (err) {
    kill();
    throw err;
  }
}

/** The admin password printed on stderr at the first start, if any. */
export function printedPassword(stderr: string): string | null {
  return /the password:\s*\n\s*\n\s*(\S+)/.exec(stderr)?.[1] ?? null;
}
