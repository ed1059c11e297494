// Starting the servers under test on loopback: Sundial from dist/ (this checkout), Radicale and
// Xandikos from Debian's packages (`apt-get install radicale xandikos`), each on a fresh temp
// directory and a free port. Stopping returns the path of the CPU profile when one was asked for.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DavClient } from './http.js';

export type ServerName = 'sundial' | 'radicale' | 'xandikos';

export interface StartedServer {
  name: ServerName;
  label: string;
  /** How the process was started (environment and Node flags), for Sundial. */
  launch: string;
  url: string;
  user: string;
  password: string;
  pid: number;
  dir: string;
  stop(): Promise<{ cpuProfile: string | null }>;
}

export interface StartOptions {
  user: string;
  password: string;
  cpuProf: boolean;
  /** Extra Node/V8 flags for Sundial's process (`--node-args`). */
  nodeArgs: string[];
  keep: boolean;
  /** Sundial: log in with the account password, or with a device's app password (`--auth device`, issue 16). */
  auth?: 'account' | 'device';
  /** Sundial: more environment (SUNDIAL_DATABASE_URL for the PostgreSQL store; stores.ts). */
  env?: Record<string, string>;
  /**
   * Sundial: create the user (and device) first (default). A second process over the same
   * PostgreSQL database finds them there and gets `password` as the first one returned it.
   */
  provision?: boolean;
  log: (line: string) => void;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, logFile: string, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}; log ${logFile}:\n${readLog(logFile)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(Number(new URL(url).port), '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen within ${seconds} s; log ${logFile}:\n${readLog(logFile)}`);
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

function stopper(child: ChildProcess, dir: string, keep: boolean, profDir: string | null) {
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    let cpuProfile: string | null = null;
    if (profDir) {
      const f = readdirSync(profDir).find((x) => x.endsWith('.cpuprofile'));
      cpuProfile = f ? path.join(profDir, f) : null;
    }
    if (!keep) rmSync(dir, { recursive: true, force: true });
    return { cpuProfile };
  };
}

export function installed(name: ServerName): boolean {
  if (name === 'sundial') return existsSync(path.join(repoRoot, 'dist/src/cli/main.js'));
  if (name === 'xandikos') return existsSync('/usr/bin/xandikos');
  return spawnSync('/usr/bin/python3', ['-c', 'import radicale'], { stdio: 'ignore' }).status === 0;
}

/**
 * How bin/sundial.js runs Node, from its first line (`#!/usr/bin/env -S VAR=… node --flag …`): the
 * environment assignments and Node flags it ships with. The bench starts Sundial with the same
 * Node binary as itself and these, so that it measures the server as `npm start` runs it.
 */
export function shippedLaunch(bin: string): { env: Record<string, string>; nodeArgs: string[] } {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  const m = /^#!\/usr\/bin\/env -S (.*)$/.exec(first);
  if (!m) return { env: {}, nodeArgs: [] };
  const words = m[1]!.trim().split(/\s+/);
  const at = words.indexOf('node');
  const env: Record<string, string> = {};
  for (const w of words.slice(0, Math.max(at, 0))) {
    const eq = w.indexOf('=');
    if (eq > 0) env[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return { env, nodeArgs: at >= 0 ? words.slice(at + 1) : [] };
}

export async function startServer(name: ServerName, o: StartOptions): Promise<StartedServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  const port = await freePort();
  const logFile = path.join(dir, 'server.log');
  const logStream = createWriteStream(logFile);
  await new Promise((r) => logStream.once('open', r));
  const stdio: ['ignore', typeof logStream, typeof logStream] = ['ignore', logStream, logStream];
  let child: ChildProcess;
  let url: string;
  let profDir: string | null = null;
  let label: string;
  let launch = '';
  let password = o.password;

  if (name === 'sundial') {
    const bin = path.join(repoRoot, 'bin/sundial.js');
    const env: NodeJS.ProcessEnv = { ...process.env, SUNDIAL_DATA: path.join(dir, 'data'), SUNDIAL_PORT: String(port), SUNDIAL_HOST: '127.0.0.1', SUNDIAL_CREATE_ADMIN: 'false', SUNDIAL_LOG_LEVEL: 'warn', ...o.env };
    const provision = o.provision !== false;
    const add = provision ? spawnSync(process.execPath, [bin, 'user', 'add', o.user], { env, input: `${o.password}\n`, encoding: 'utf8' }) : null;
    if (add && add.status !== 0) throw new Error(`sundial user add failed: ${add.stderr || add.stdout}`);
    if (provision && o.auth === 'device') {
      // The app password is printed alone on the last line (src/cli/device.ts).
      const dev = spawnSync(process.execPath, [bin, 'device', 'add', o.user, 'bench'], { env, encoding: 'utf8' });
      if (dev.status !== 0) throw new Error(`sundial device add failed: ${dev.stderr || dev.stdout}`);
      password = dev.stdout.trim().split('\n').pop()!;
    }
    const shipped = shippedLaunch(bin);
    Object.assign(env, shipped.env);
    // Flags given with --node-args come after the shipped ones, and so override them.
    const nodeArgs: string[] = [...shipped.nodeArgs, ...o.nodeArgs];
    if (o.cpuProf) {
      profDir = path.join(dir, 'profile');
      nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profDir);
    }
    child = spawn(process.execPath, [...nodeArgs, bin, 'serve'], { env, stdio });
    launch = [...Object.entries(shipped.env).map(([k, v]) => `${k}=${v}`), 'node', ...nodeArgs].join(' ');
    url = `http://127.0.0.1:${port}/dav/calendars/${encodeURIComponent(o.user)}/personal/`;
    label = 'Sundial';
  } else if (name === 'radicale') {
    // --config "" ignores /etc/radicale/config (Debian's: remote_user auth, rights file).
    child = spawn('/usr/bin/python3', ['-m', 'radicale', '--config', '', '--storage-filesystem-folder', path.join(dir, 'collections'),
      '--server-hosts', `127.0.0.1:${port}`, '--auth-type', 'none', '--rights-type', 'owner_only', '--logging-level', 'warning'], { stdio });
    url = `http://127.0.0.1:${port}/${encodeURIComponent(o.user)}/personal/`;
    label = 'Radicale';
  } else {
    // --defaults creates the principal /user/ with the calendar /user/calendars/calendar/.
    child = spawn('/usr/bin/xandikos', ['--defaults', '-d', path.join(dir, 'data'), '-l', '127.0.0.1', '-p', String(port)], { stdio });
    url = `http://127.0.0.1:${port}/user/calendars/calendar/`;
    label = 'Xandikos';
  }
  await waitForHttp(url, child, logFile);
  if (name === 'radicale') {
    const c = new DavClient(url, o.user, password);
    const body = '<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>Personal</d:displayname></d:prop></d:set></c:mkcalendar>';
    const r = await c.request({ method: 'MKCALENDAR', url, headers: { 'Content-Type': 'application/xml' }, body });
    c.close();
    if (r.status !== 201) throw new Error(`Radicale MKCALENDAR: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  }
  const version = name === 'sundial' ? JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string
    : spawnSync('dpkg-query', ['-W', '-f', '${Version}', name], { encoding: 'utf8' }).stdout.trim();
  o.log(`  started ${label} ${version} (pid ${child.pid}) at ${url}${launch ? `\n  as: ${launch}` : ''}`);
  return { name, label: `${label} ${version}`, launch, url, user: o.user, password, pid: child.pid!, dir, stop: stopper(child, dir, o.keep, profDir) };
}
