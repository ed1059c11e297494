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

export interface TestServer extends RunningServer {
  dataDir: string;
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
  const config: Config = loadConfig({ SUNDIAL_DATA: dataDir, SUNDIAL_PORT: '0', SUNDIAL_HOST: '127.0.0.1', SUNDIAL_CREATE_ADMIN: 'false', SUNDIAL_LOG_LEVEL: 'debug', ...env });
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logLines.push(String(chunk)); cb(); } });
  const server = await startServer(config, createLogger(config.logLevel, sink));
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
    logLines,
    request,
    addUser: async (username, password = PASSWORD, isAdmin = false) => { await createUserWithCalendar(server.store, { username, password, isAdmin }); },
    close: async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
