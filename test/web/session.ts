// A logged-in session of the preferences page's JSON API (docs/api.md), as the page uses it: the
// session cookie from POST /api/login, and the CSRF token sent back in X-CSRF-Token on every change.
// Shared by the web, protocol and browser tests.
import * as assert from 'uvu/assert';
import { PASSWORD, type TestServer } from '../helpers/server.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface CallOpts {
  /** Send this CSRF token instead of the session's (null: send none). */
  csrf?: string | null;
  /** Raw body (sent as is); otherwise `body` is JSON-encoded. */
  raw?: string;
  contentType?: string;
  /** Send no session cookie. */
  anonymous?: boolean;
}

export interface WebSession {
  username: string;
  cookie: string;
  csrf: string;
  /** The Set-Cookie header of the login answer. */
  setCookie: string;
  call(method: string, path: string, body?: unknown, opts?: CallOpts): Promise<ApiResponse>;
  /** A call that must answer 2xx; returns the parsed body. */
  ok(method: string, path: string, body?: unknown): Promise<any>;
}

export async function apiCall(srv: TestServer, method: string, path: string, opts: { body?: unknown; cookie?: string; csrf?: string | null; raw?: string; contentType?: string } = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
  if (opts.cookie) headers.Cookie = opts.cookie;
  if (opts.csrf) headers['X-CSRF-Token'] = opts.csrf;
  const res = await fetch(srv.url + '/api' + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function login(srv: TestServer, username: string, password = PASSWORD): Promise<WebSession> {
  const res = await apiCall(srv, 'POST', '/login', { body: { username, password } });
  assert.is(res.status, 200, `login of ${username}: ${res.status} ${res.text}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const m = /(sundial_session=[^;]+)/.exec(setCookie);
  assert.ok(m, `a session cookie in ${setCookie}`);
  const session: WebSession = {
    username,
    cookie: m![1]!,
    csrf: res.json.csrfToken,
    setCookie,
    call: (method, path, body, opts = {}) =>
      apiCall(srv, method, path, {
        body,
        ...(opts.anonymous ? {} : { cookie: session.cookie }),
        csrf: opts.csrf === undefined ? session.csrf : opts.csrf,
        ...(opts.raw !== undefined ? { raw: opts.raw } : {}),
        ...(opts.contentType !== undefined ? { contentType: opts.contentType } : {}),
      }),
    ok: async (method, path, body) => {
      const r = await session.call(method, path, body);
      assert.ok(r.status >= 200 && r.status < 300, `${method} /api${path} → ${r.status} ${r.text}`);
      return r.json;
    },
  };
  assert.type(session.csrf, 'string');
  return session;
}
