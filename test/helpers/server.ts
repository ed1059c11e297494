// Starts a real Sundial on an ephemeral port with a temporary database, built through the same
// migrations and composition as production, and speaks HTTP to it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createUserWithCalendar } from '../../src/bootstrap.js';
import pg from 'pg';

let schemas = 0;

/** A new, empty schema in SUNDIAL_TEST_DATABASE_URL's database and a URL whose search_path names it. */
export async function createTestSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.SUNDIAL_TEST_DATABASE_URL;
  if (!base) throw new Error('SUNDIAL_TEST_STORE=postgres needs SUNDIAL_TEST_DATABASE_URL (scripts/pg-test-setup.sh prints it)');
  const schema = `sundial_s${process.pid}_${++schemas}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try { await client.query(text); } finally { await client.end(); }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => admin(`DROP SCHEMA ${schema} CASCADE`) };
}

export interface TestServer extends RunningServer {
  dataDir: string;
  /** The environment a `sundial` command needs to open this server's database (SQLite or PostgreSQL). */
  cliEnv: Record<string, string>;
  logLines: string[];
  /** Sends a request; `user` adds Basic credentials (password = PASSWORD unless given). */
  request(method: string, urlPath: string, opts?: RequestOpts): Promise<TestResponse>;
  addUser(username: string, password?: string, isAdmin?: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface RequestOpts {
  user?: string;
  password?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
}

export const PASSWORD = 'correct horse battery';

export function basic(user: string, password = PASSWORD): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-test-'));
  // SUNDIAL_TEST_STORE=postgres (with SUNDIAL_TEST_DATABASE_URL) runs the server on a PostgreSQL
  // schema of its own, dropped on close: the protocol tests against the PostgreSQL store (issue 18).
  // A test that passes SUNDIAL_DATABASE_URL chooses itself (an empty one: SQLite).
  const pgSchema = process.env.SUNDIAL_TEST_STORE === 'postgres' && env.SUNDIAL_DATABASE_URL === undefined ? await createTestSchema() : null;
  const config: Config = loadConfig({
    SUNDIAL_DATA: dataDir, SUNDIAL_PORT: '0', SUNDIAL_HOST: '127.0.0.1', SUNDIAL_CREATE_ADMIN: 'false', SUNDIAL_LOG_LEVEL: 'debug',
    ...(pgSchema ? { SUNDIAL_DATABASE_URL: pgSchema.url } : {}), ...env,
  });
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logLines.push(String(chunk)); cb(); } });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, createLogger(config.logLevel, sink));
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await pgSchema?.drop();
    throw err;
  }
  const request = async (method: string, urlPath: string, opts: RequestOpts = {}): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.user) headers.Authorization = basic(opts.user, opts.password);
    const body = opts.body === undefined ? null : typeof opts.body === 'string' ? opts.body : new Uint8Array(opts.body);
    const res = await fetch(server.url + urlPath, { method, headers, body, redirect: 'manual' });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  return {
    ...server,
    dataDir,
    cliEnv: { SUNDIAL_DATA: config.dataDir, ...(config.databaseUrl ? { SUNDIAL_DATABASE_URL: config.databaseUrl } : {}) },
    logLines,
    request,
    addUser: async (username, password = PASSWORD, isAdmin = false) => { await createUserWithCalendar(server.store, { username, password, isAdmin }); },
    close: async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await pgSchema?.drop();
    },
  };
}
