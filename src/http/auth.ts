// HTTP Basic authentication for DAV (RFC 7617). Apple clients always send their first request
// without credentials and expect 401 with a Basic challenge before they retry (CLIENTS.md §1.2).
// User names are URL-decoded because iOS sends "alice%40example.com" (Radicale urldecode_username).
import type { Context, Next } from 'koa';
import type { Authenticator } from '../auth/authenticator.js';
import { deviceView } from '../services/device-view.js';
import { requestOrigin } from './origin.js';

export const REALM = 'Sundial';

export function parseBasic(header: string | undefined): { username: string; password: string } | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  let username = decoded.slice(0, colon);
  try {
    username = decodeURIComponent(username);
  } catch {
    // Not percent-encoded after all (a literal "%" in the name): keep it as sent.
  }
  return { username, password: decoded.slice(colon + 1) };
}

function challenge(ctx: Context): void {
  ctx.status = 401;
  ctx.set('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`);
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = 'Authentication required';
}

/**
 * The account password on DAV while the user (or the server's default) requires app passwords:
 * a 401 like any refused login (so clients ask for a password again), with a body that says what
 * to do (issue 16).
 */
function devicePasswordRequired(ctx: Context): void {
  challenge(ctx);
  ctx.body = `This account uses device passwords for calendar apps: the account password opens only the web page. Create a device password under "Devices" on ${requestOrigin(ctx)}/ and enter it here instead.`;
}

/** Requires valid Basic credentials (an app password or the account password); sets ctx.state.user and ctx.state.device. */
export function basicAuth(auth: Authenticator) {
  return async function basicAuthMiddleware(ctx: Context, next: Next): Promise<void> {
    const creds = parseBasic(ctx.get('Authorization') || undefined);
    if (!creds) return challenge(ctx);
    const result = await auth.authenticate(creds.username, creds.password, ctx.ip, { devices: true, userAgent: ctx.get('User-Agent') || undefined });
    if (!result.ok) {
      if (result.reason === 'throttled') {
        ctx.status = 429;
        ctx.set('Retry-After', String(result.retryAfter));
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = 'Too many failed logins; try again later';
        ctx.state.log?.warn({ user: creds.username }, 'login throttled');
        return;
      }
      if (result.reason === 'device-password-required') {
        ctx.state.log?.info({ user: creds.username }, 'account password refused on DAV: device passwords required');
        return devicePasswordRequired(ctx);
      }
      ctx.state.log?.info({ user: creds.username }, 'login failed');
      return challenge(ctx);
    }
    ctx.state.user = result.user;
    ctx.state.device = result.device ? deviceView(result.device) : null;
    await next();
  };
}
